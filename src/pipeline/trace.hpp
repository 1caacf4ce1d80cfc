// `ebpfgen --run`, driven in order: the machine checked, the target resolved
// (target/), the program generated once (codegen/), run under bpftrace with
// its target launched or watched (run/), its windows reported as they come
// and the run summed up at the end (report/, export/).
#pragma once

#include "check/check.hpp"
#include "diag/diagnostic.hpp"
#include "kernel/facts.hpp"
#include "run/options.hpp"

namespace ebpfgen::pipeline {

// Returns ebpfgen's exit status (diag/exit_status.hpp).
int trace(CheckedSpec spec, const Source& source, const kernel::Facts& facts, const run::RunOptions& options);

}  // namespace ebpfgen::pipeline
