// Uprobe functions, looked up in the binaries' ELF symbol tables before
// anything is generated: the program attaches to the mangled names found, so
// it probes exactly what the spec named, and a wrong name is an error here
// (bpftrace would attach nothing and say nothing).
#pragma once

#include <map>

#include "check/check.hpp"
#include "symbols/elf_symbols.hpp"

namespace ebpfgen {

// Fills each uprobe block's binary, attach (mangled names) and functions from the binaries
// found for it (target/binaries.hpp: by block index), then checks the program's probes.
// Throws SpecError with every problem found.
void check_functions(CheckedSpec& spec, const std::map<std::size_t, symbols::Binary>& binaries);

bool has_uprobes(const CheckedSpec& spec);

}  // namespace ebpfgen
