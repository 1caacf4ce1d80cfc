// A block's probe against the kernel's facts: the syscalls its names and
// groups expand to, the tracepoints its globs match, with their fields, and
// how many attach points bpftrace will find.
#pragma once

#include <string>
#include <vector>

#include "check/fields.hpp"
#include "kernel/facts.hpp"

namespace ebpfgen {

struct ProbeResolution {
  ProbeContext context;
  std::vector<std::string> attach;  // syscalls (groups expanded), tracepoints, or the one function
  std::size_t points = 0;           // attach points bpftrace finds (uprobes: 1 until their functions are found)
};

// Throws SpecError.
ProbeResolution resolve_probe(const ast::Probe& probe, const kernel::Facts& facts);

}  // namespace ebpfgen
