// The BPF stack a block's probes need. bpftrace 0.17 builds the arguments of
// each printf and the keys of each map update as one struct on the stack of
// the BPF program, and LLVM refuses a program whose stack passes 512 bytes
// ("Looks like the BPF stack limit of 512 bytes is exceeded"): the checker
// estimates it for each print and each keyed aggregation, from sizes measured
// against bpftrace 0.17, and refuses what would not fit.
#pragma once

#include <cstddef>

#include "check/check.hpp"
#include "spec/limits.hpp"

namespace ebpfgen {

// The bytes of BPF stack the block's largest print or keyed aggregation
// needs, as estimated from the sizes measured against bpftrace 0.17.
std::size_t stack_estimate(const CheckedBlock& block, const CheckedSpec& spec);

// Throws SpecError at the print or aggregation of the block that would not
// fit in the BPF stack. A uprobe block is checked once its functions are
// found (their names are strings of the program).
void check_stack(const CheckedBlock& block, const CheckedSpec& spec);

}  // namespace ebpfgen
