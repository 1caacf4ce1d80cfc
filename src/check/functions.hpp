// Uprobe functions, looked up in the binaries' ELF symbol tables before
// anything is generated: the program attaches to the mangled names found, so
// it probes exactly what the spec named, and a wrong name is an error here
// (bpftrace would attach nothing and say nothing).
#pragma once

#include "check/check.hpp"
#include "symbols/binary_path.hpp"

namespace ebpfgen {

// Fills each uprobe block's binary, attach (mangled names) and functions.
// `root` is where binaries are seen: "/" or a target's /proc/PID/root.
// Throws SpecError with every problem found.
void resolve_functions(CheckedSpec& spec, const symbols::SearchRoot& root);

bool has_uprobes(const CheckedSpec& spec);

}  // namespace ebpfgen
