// The probes a program attaches, as codegen plans them (codegen/plan.hpp), against bpftrace's
// limit (spec/limits.hpp).
#include <fmt/format.h>

#include "check/check.hpp"
#include "check/fields.hpp"
#include "codegen/plan.hpp"
#include "spec/limits.hpp"

namespace ebpfgen {

namespace {

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

std::size_t program_probes(const CheckedSpec& spec) { return codegen::plan_program(spec).probes(); }

void check_probe_total(const CheckedSpec& spec) {
  // The probes as codegen will write them, part by part, in the program's order.
  const codegen::ProgramPlan plan = codegen::plan_program(spec);
  std::size_t total = plan.fixed;
  std::vector<std::string> before = {"BEGIN", "END"};  // what comes before the part being counted
  if (plan.fixed > 2) before.emplace_back("the clock");
  auto over = [&](const Location& where, const std::string& what, std::vector<std::string> notes) {
    if (total <= bpftrace_max_probes) return;
    if (plan.probes() != total) notes.push_back(fmt::format("the whole program attaches {}", plan.probes()));
    throw SpecError(where, fmt::format("with {} the program attaches {} probes, over bpftrace's limit of {} "
                                       "(BPFTRACE_MAX_PROBES)",
                                       what, total, bpftrace_max_probes),
                    std::move(notes));
  };
  bool first_block = true;
  for (const auto& part : plan.parts) {
    total += part.probes;
    switch (part.kind) {
      case codegen::PlannedPart::Kind::RequestMetrics:
        over(spec.metrics_where, "the request metrics",
             {fmt::format("the request metrics attach {}; {}: {}", part.probes, some_names(before, 8), total - part.probes)});
        before.emplace_back("the request metrics");
        break;
      case codegen::PlannedPart::Kind::IoPosix: before.emplace_back("io posix"); break;
      case codegen::PlannedPart::Kind::Block: {
        const auto& block = spec.blocks[part.block];
        over(block.probe.where, "this block",
             {fmt::format("this block attaches {}: {}{}", part.probes, attach_points(block),
                          block.paired ? ", each with an entry and a return probe" : ""),
              fmt::format("before it: {} ({})", total - part.probes, some_names(before, 8))});
        if (first_block) before.emplace_back("the blocks above");
        first_block = false;
        break;
      }
    }
  }
}

}  // namespace ebpfgen
