#include "kernel/facts.hpp"

#include <fnmatch.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace ebpfgen::kernel {

namespace {

constexpr const char* tracefs_dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

std::optional<std::filesystem::path> find_tracefs() {
  for (const char* dir : tracefs_dirs) {
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(dir) / "events", ec)) return dir;
  }
  return std::nullopt;
}

std::string find_cgroup2_mount() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, dir, type, rest;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2") return dir;
  }
  return "/sys/fs/cgroup";
}

bool glob_matches(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::vector<std::string> subdirectories(const std::filesystem::path& dir, const std::string& pattern) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code type_ec;
    std::string name = entry.path().filename().string();
    if (entry.is_directory(type_ec) && glob_matches(pattern, name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Facts::tracepoints(const std::string& category,
                                                                    const std::string& event) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!tracefs) return out;
  auto events = *tracefs / "events";
  for (const auto& cat : subdirectories(events, category))
    for (const auto& ev : subdirectories(events / cat, event)) out.emplace_back(cat, ev);
  return out;
}

bool Facts::has_tracepoint_category(const std::string& category) const {
  std::error_code ec;
  return tracefs && std::filesystem::is_directory(*tracefs / "events" / category, ec);
}

std::optional<std::vector<EventField>> Facts::tracepoint_fields(const std::string& category,
                                                                const std::string& event) const {
  if (!tracefs) return std::nullopt;
  return read_event_format(*tracefs / "events" / category / event / "format");
}

std::vector<std::pair<std::string, std::string>> Facts::available_events() const {
  std::vector<std::pair<std::string, std::string>> events;
  if (!tracefs) return events;
  std::ifstream in(*tracefs / "available_events");
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon != std::string::npos) events.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  // In the order of the listed names, as bpftrace sorts them ("fib6:..." before "fib:...").
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.first + ":" + a.second < b.first + ":" + b.second; });
  return events;
}

std::vector<std::string> Facts::kernel_functions(const std::string& glob) const {
  std::vector<std::string> names;
  if (!tracefs) return names;
  // "name" or "name [module]" a line.
  std::ifstream in(*tracefs / "available_filter_functions");
  for (std::string line; std::getline(in, line);) {
    std::string name = line.substr(0, line.find_first_of(" \t"));
    if (glob_matches(glob, name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Facts read_facts(const ReadOptions& options) {
  Facts facts;
  facts.tracefs = find_tracefs();
  if (!facts.tracefs && options.mount_tracefs) {
    if (::mount("tracefs", tracefs_dirs[0], "tracefs", 0, nullptr) == 0) {
      facts.tracefs = find_tracefs();
    } else {
      facts.tracefs_mount_error = fmt::format("could not mount tracefs on {}: {}", tracefs_dirs[0], std::strerror(errno));
    }
  }
  facts.cgroup2 = find_cgroup2_mount();
  std::error_code ec;
  facts.kprobes = std::filesystem::exists("/sys/bus/event_source/devices/kprobe", ec) ||
                  (facts.tracefs && std::filesystem::exists(*facts.tracefs / "kprobe_events", ec));
  if (options.read_syscalls && options.syscall_table == SyscallTable::Auto && facts.tracefs) {
    if (auto catalog = SyscallCatalog::from_tracefs(*facts.tracefs)) facts.syscalls = std::move(*catalog);
  }
  return facts;
}

Facts builtin_facts() { return Facts{}; }

}  // namespace ebpfgen::kernel
