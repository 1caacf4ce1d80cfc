// Checks `io posix` (Darshan's POSIX counters, docs/IO.md): its prefixes, the
// statements it does not go with, and the syscalls it traces that this kernel has.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernel/syscalls.hpp"
#include "diag/diagnostic.hpp"
#include "spec/ast.hpp"
#include "symbols/elf_symbols.hpp"

namespace ebpfgen {

struct IoPosixPlan {
  std::vector<std::string> exclude;  // the prefixes in force (Darshan's unless the spec gives its own)
  std::vector<std::string> include;
  std::vector<std::string> syscalls;  // those of io_posix_syscalls() that the catalogue has
  // The C library whose fileno() a uprobe counts (POSIX_FILENOS): fileno makes no syscall.
  // Empty when none was found; then `fileno_missing` says why and FILENOS is -1.
  std::string fileno_library;
  std::string fileno_missing = "not looked for";
  Location where;
};

// Every syscall `io posix` watches, in the program's order.
const std::vector<std::string>& io_posix_syscalls();

// Throws SpecError. `map_names` are the spec's own result maps, which may not take the io maps' names.
IoPosixPlan check_io_posix(const ast::Spec& spec, const SyscallCatalog& catalog);

// Takes fileno() from the C library the target sees (target/binaries.hpp), for POSIX_FILENOS,
// or says why it cannot be counted.
void check_fileno(IoPosixPlan& plan, const symbols::Binary& libc);

}  // namespace ebpfgen
