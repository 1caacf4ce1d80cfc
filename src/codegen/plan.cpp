#include "codegen/plan.hpp"

#include "codegen/io_posix.hpp"
#include "codegen/parts.hpp"

namespace ebpfgen::codegen {

BlockPlan plan_block(const CheckedBlock& block) {
  BlockPlan out;
  block.for_each_field([&](const CheckedOperand& operand) {
    const FieldRef& ref = *operand.field;
    out.latency = out.latency || ref.kind == FieldKind::Latency;
    if (ref.kind != FieldKind::Arg) return;
    for (const auto& known : out.saved)
      if (known.arg == ref.arg) return;
    out.saved.push_back(ref);
  });
  return out;
}

std::size_t ProgramPlan::probes() const {
  std::size_t n = fixed;
  for (const auto& part : parts) n += part.probes;
  return n;
}

ProgramPlan plan_program(const CheckedSpec& spec) {
  ProgramPlan plan;
  plan.fixed = 2 + (spec.window_ms || spec.duration_ms ? 1 : 0);  // BEGIN, END, the clock
  auto add = [&](PlannedPart::Kind kind, std::size_t block, std::vector<std::string> points, std::size_t probes) {
    plan.parts.push_back({kind, block, std::move(points), probes});
  };
  if (spec.metrics.any()) {
    auto points = request_metrics_points(spec);
    add(PlannedPart::Kind::RequestMetrics, 0, points, points.size());
  }
  if (spec.io) {
    auto points = io_posix_points(spec);
    add(PlannedPart::Kind::IoPosix, 0, points, points.size());
  }
  for (std::size_t i = 0; i < spec.blocks.size(); ++i) {
    const auto& block = spec.blocks[i];
    // A glob is one attach point that bpftrace expands to each probe it matches (block.points).
    add(PlannedPart::Kind::Block, i, block_points(block, spec.style), block.points * (block.paired ? 2 : 1));
  }
  std::set<std::string> seen;
  for (const auto& part : plan.parts)
    for (const auto& p : part.points)
      if (!seen.insert(p).second) plan.shared_points.insert(p);
  return plan;
}

}  // namespace ebpfgen::codegen
