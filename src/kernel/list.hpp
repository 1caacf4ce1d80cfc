// `ebpfgen --list [PATTERN]`: the probes a spec can name on this machine, the
// way `bpftrace -l` lists them: syscalls, the kernel's tracepoints (from
// tracefs), kprobes where the kernel can attach them, and a binary's uprobe
// functions.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/facts.hpp"

namespace ebpfgen::kernel {

struct ListError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Listing {
  std::vector<std::string> lines;  // one probe each, sorted; with `verbose`, its fields indented below it
  std::vector<std::string> notes;  // what was left out and why
};

// PATTERN: "" (every syscall and tracepoint), "syscall:GLOB", "tracepoint:GLOB:GLOB",
// "kprobe:GLOB", "uprobe:BINARY:GLOB", or a bare word matched anywhere in
// syscall and tracepoint names. Throws ListError for a pattern it cannot read.
Listing list_probes(const std::string& pattern, bool verbose, const Facts& facts);

}  // namespace ebpfgen::kernel
