// io posix's path prefixes, tested without strings: the path's first bytes
// are read as 64-bit words ($w0, $w1, ...) and compared 32 bits at a time with
// each prefix's bytes (little-endian), as string literals would each take room
// on the 512-byte BPF stack.
#pragma once

#include <string>

#include "check/io_posix.hpp"

namespace ebpfgen::codegen {

// The statements that read the words of the path at `pointer`, as the plan's prefixes need.
std::string prefix_words_read(const IoPosixPlan& plan, const std::string& pointer);
// The test that a path is recorded: not under an excluded prefix, or under an included one.
std::string recorded_test(const IoPosixPlan& plan);

}  // namespace ebpfgen::codegen
