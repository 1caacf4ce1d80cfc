// The binaries a spec names, found as its target sees them and read: each
// uprobe block's binary and its functions, and the C library whose fileno()
// io posix counts. The host is read here; check/functions.hpp and
// check/io_posix.hpp check what was found.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "symbols/binary_path.hpp"
#include "symbols/elf_symbols.hpp"

namespace ebpfgen::target {

using symbols::Binary;

// Each uprobe block's binary, by the block's index; a binary named twice is read once.
std::map<std::size_t, Binary> uprobe_binaries(const CheckedSpec& spec, const symbols::SearchRoot& root);

// The C library the target sees.
Binary c_library(const symbols::SearchRoot& root);

}  // namespace ebpfgen::target
