// `io posix`'s part of the program: Darshan's POSIX counters in the kernel.
#pragma once

#include <string>
#include <vector>

#include "codegen/parts.hpp"

namespace ebpfgen::codegen {

Section io_posix_section(const ProgramContext& program);
std::vector<std::string> io_posix_points(const CheckedSpec& spec);
// BEGIN's statements for it: the run's start, and each map's type.
std::string io_posix_begin();

}  // namespace ebpfgen::codegen
