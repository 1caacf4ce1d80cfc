#include "run/preflight.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <algorithm>
#include <regex>
#include <set>

#include <boost/process.hpp>
#include <fmt/format.h>

namespace ebpfgen::run {

namespace bp = boost::process;

std::optional<std::string> parse_bpftrace_version(const std::string& output) {
  std::smatch m;
  if (std::regex_search(output, m, std::regex(R"(bpftrace v?(\d+)\.(\d+)(\.\d+)?)"))) {
    return m[1].str() + "." + m[2].str() + (m[3].matched ? m[3].str() : ".0");
  }
  return std::nullopt;
}

bool version_at_least(const std::string& version, int major, int minor) {
  int have_major = 0, have_minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &have_major, &have_minor) != 2) return false;
  return have_major > major || (have_major == major && have_minor >= minor);
}

namespace {

std::optional<Problem> check_bpftrace(const std::string& bpftrace, std::string& version_line) {
  auto path = bpftrace.find('/') == std::string::npos ? bp::search_path(bpftrace) : boost::filesystem::path(bpftrace);
  if (path.empty() || !boost::filesystem::exists(path)) {
    return Problem{exit_no_bpftrace, "bpftrace is not installed (on Debian: apt-get install bpftrace)"};
  }
  bp::ipstream out;
  std::string text, line;
  try {
    bp::child c(path, "--version", bp::std_out > out, bp::std_err > bp::null);
    while (std::getline(out, line)) text += line + "\n";
    c.wait();
  } catch (const std::exception& e) {
    return Problem{exit_no_bpftrace, fmt::format("cannot run {}: {}", path.string(), e.what())};
  }
  auto version = parse_bpftrace_version(text);
  if (!version || !version_at_least(*version, 0, 17)) {
    return Problem{exit_no_bpftrace, fmt::format("bpftrace 0.17 or newer is needed; {} says: {}", path.string(),
                                                 text.empty() ? "nothing" : text.substr(0, text.find('\n')))};
  }
  version_line = text.substr(0, text.find('\n'));
  return std::nullopt;
}

// Effective capabilities from /proc/self/status.
bool has_capability(int cap) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
  }
  return false;
}

std::optional<Problem> check_permissions() {
  constexpr int cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;
  if (geteuid() == 0 || (has_capability(cap_bpf) && has_capability(cap_perfmon)) || has_capability(cap_sys_admin)) {
    return std::nullopt;
  }
  return Problem{exit_not_permitted, "tracing needs root, or CAP_BPF and CAP_PERFMON: run it with sudo"};
}

std::optional<Problem> check_tracefs(const kernel::Facts& facts) {
  if (facts.tracefs) return std::nullopt;
  if (!facts.tracefs_mount_error.empty()) return Problem{exit_no_tracefs, facts.tracefs_mount_error};
  return Problem{exit_no_tracefs,
                 "tracefs is not mounted, so syscall tracepoints are not visible; mount it with\n"
                 "  mount -t tracefs tracefs /sys/kernel/tracing\n  or run again with --mount-tracefs"};
}

bool uses_kprobes(const CheckedSpec& spec) {
  bool traces_syscalls = spec.metrics.any();
  for (const auto& b : spec.blocks) {
    auto kind = b.probe.kind;
    if (kind == ast::ProbeKind::Kprobe || kind == ast::ProbeKind::Kretprobe) return true;
    traces_syscalls = traces_syscalls || kind == ast::ProbeKind::Syscall;
  }
  return spec.style == SyscallStyle::Kprobe && traces_syscalls;
}

}  // namespace

std::optional<Problem> map_memory_problem(const std::string& program, std::optional<std::uint64_t> map_keys) {
  if (!map_keys) return std::nullopt;
  std::set<std::string> maps;
  static const std::regex map_name("@[A-Za-z_][A-Za-z0-9_]*");
  for (auto it = std::sregex_iterator(program.begin(), program.end(), map_name); it != std::sregex_iterator(); ++it)
    maps.insert(it->str());
  // Measured here: 81 bytes a key for a hash map, 8 more per CPU for the per-CPU maps of count() and sum().
  std::uint64_t per_key = 81 + 8 * std::max(1L, ::sysconf(_SC_NPROCESSORS_CONF));
  std::uint64_t need = maps.size() * *map_keys * per_key;
  std::uint64_t available_kb = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    if (key == "MemAvailable:" && meminfo >> available_kb) break;
    meminfo.ignore(4096, '\n');
  }
  if (available_kb == 0 || need <= available_kb * 1024 / 2) return std::nullopt;
  return Problem{exit_no_memory,
                 fmt::format("option map_keys = {}: the program's {} maps would take about {} MB of kernel memory "
                             "(bpftrace allocates every map at its full size), more than half of the {} MB this "
                             "machine has available",
                             *map_keys, maps.size(), need >> 20, available_kb >> 10)};
}

std::optional<Problem> preflight(const CheckedSpec& spec, const kernel::Facts& facts, const std::string& bpftrace,
                                 std::string& version_line) {
  if (auto p = check_bpftrace(bpftrace, version_line)) return p;
  if (auto p = check_permissions()) return p;
  if (auto p = check_tracefs(facts)) return p;
  if (uses_kprobes(spec) && !facts.kprobes) {
    std::string fix = spec.style == SyscallStyle::Kprobe
                          ? "remove `option syscall_probes = kprobe` to use the syscall tracepoints instead"
                          : "trace syscalls with `on syscall NAME`, and other kernel events with `on tracepoint "
                            "CATEGORY:NAME` (list them with: bpftrace -l 'tracepoint:*')";
    return Problem{exit_no_probe, "this kernel cannot attach kprobes (no kprobe PMU, no kprobe_events); " + fix};
  }
  return std::nullopt;
}

}  // namespace ebpfgen::run
