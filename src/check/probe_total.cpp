// The probes a program attaches, against bpftrace's limit (spec/limits.hpp).
#include <fmt/format.h>

#include "check/check.hpp"
#include "check/fields.hpp"
#include "spec/limits.hpp"

namespace ebpfgen {

namespace {

std::size_t request_metrics_probes(const CheckedSpec& spec) {
  // As codegen's request_metrics_points writes them.
  const RequestMetrics& m = spec.metrics;
  if (!m.any()) return 0;
  std::size_t n = 0;
  if (m.probes == RequestProbes::Socket) {
    n += (m.needs(Hook::send) ? 1 : 0) + (m.needs(Hook::recv) ? 1 : 0) + (m.needs(Hook::turns) ? 1 : 0);
  } else {
    if (m.needs(Hook::send)) n += 2 * m.send.size();
    if (m.needs(Hook::recv)) n += 2 * m.recv.size();
    if (m.needs(Hook::turns)) n += 1;  // close
  }
  if (m.needs(Hook::wait)) n += 2 * m.wait.size();
  return n;
}

std::size_t block_probes(const CheckedBlock& block) { return block.points * (block.paired ? 2 : 1); }

// "30 syscalls", "720 tracepoints", "512 functions".
std::string attach_points(const CheckedBlock& block) {
  const char* what = "probe";
  switch (block.probe.kind) {
    case ast::ProbeKind::Syscall: what = "syscall"; break;
    case ast::ProbeKind::Tracepoint: what = "tracepoint"; break;
    case ast::ProbeKind::Uprobe:
    case ast::ProbeKind::Uretprobe: what = "function"; break;
    case ast::ProbeKind::Kprobe:
    case ast::ProbeKind::Kretprobe: what = "kernel function"; break;
    case ast::ProbeKind::Profile: what = "profile probe"; break;
  }
  return fmt::format("{} {}{}", block.points, what, block.points == 1 ? "" : "s");
}

}  // namespace

std::size_t program_probes(const CheckedSpec& spec) {
  std::size_t n = 2 + (spec.window_ms || spec.duration_ms ? 1 : 0) + request_metrics_probes(spec);  // BEGIN, END, the clock
  if (spec.io) n += io_posix_probes(*spec.io);
  for (const auto& block : spec.blocks) n += block_probes(block);
  return n;
}

void check_probe_total(const CheckedSpec& spec) {
  bool clock = spec.window_ms || spec.duration_ms;
  std::size_t total = 2 + (clock ? 1 : 0);
  std::vector<std::string> before = {"BEGIN", "END"};  // what comes before the block being counted
  if (clock) before.emplace_back("the clock");
  auto over = [&](const Location& where, const std::string& what, std::vector<std::string> notes) {
    if (total <= bpftrace_max_probes) return;
    std::size_t whole = program_probes(spec);
    if (whole != total) notes.push_back(fmt::format("the whole program attaches {}", whole));
    throw SpecError(where, fmt::format("with {} the program attaches {} probes, over bpftrace's limit of {} "
                                       "(BPFTRACE_MAX_PROBES)",
                                       what, total, bpftrace_max_probes),
                    std::move(notes));
  };
  if (std::size_t metrics = request_metrics_probes(spec)) {
    total += metrics;
    over(spec.metrics_where, "the request metrics",
         {fmt::format("the request metrics attach {}; {}: {}", metrics, some_names(before, 8), total - metrics)});
    before.emplace_back("the request metrics");
  }
  if (spec.io) {
    total += io_posix_probes(*spec.io);
    before.emplace_back("io posix");
  }
  for (std::size_t i = 0; i < spec.blocks.size(); ++i) {
    const auto& block = spec.blocks[i];
    std::size_t here = block_probes(block);
    total += here;
    over(block.probe.where, "this block",
         {fmt::format("this block attaches {}: {}{}", here, attach_points(block),
                      block.paired ? ", each with an entry and a return probe" : ""),
          fmt::format("before it: {} ({})", total - here, some_names(before, 8))});
    if (i == 0) before.emplace_back("the blocks above");
  }
}

}  // namespace ebpfgen
