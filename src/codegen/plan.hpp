// What a program attaches and keeps, decided before its text is written:
// each part's attach points and how many probes bpftrace makes of them, and
// what a paired block saves at entry. generate_program writes this plan, and
// the checks of bpftrace's probe limit and of the BPF stack read it.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "check/check.hpp"

namespace ebpfgen::codegen {

// What a block's probes carry from its entry to its return.
struct BlockPlan {
  std::vector<FieldRef> saved;  // the arguments read at the return, each once, in first-use order
  bool latency = false;         // its return computes the latency
};
BlockPlan plan_block(const CheckedBlock& block);

struct PlannedPart {
  enum class Kind { RequestMetrics, IoPosix, Block };
  Kind kind = Kind::Block;
  std::size_t block = 0;            // Block: its index in the spec's blocks
  std::vector<std::string> points;  // the attach points the program writes
  std::size_t probes = 0;           // the probes bpftrace attaches for them, globs expanded
};

struct ProgramPlan {
  std::size_t fixed = 0;  // BEGIN, END and the clock
  std::vector<PlannedPart> parts;
  // Attach points used by more than one probe. bpftrace 0.17 loses the events
  // of one of them when such a point is also part of a list of attach points,
  // so probes on them are written one point each.
  std::set<std::string> shared_points;
  std::size_t probes() const;  // every probe bpftrace attaches for the program
};

ProgramPlan plan_program(const CheckedSpec& spec);

}  // namespace ebpfgen::codegen
