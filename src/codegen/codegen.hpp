// Codegen stage: a checked spec -> a readable, deterministic bpftrace
// program that filters the target and aggregates in the kernel.
#pragma once

#include <string>

#include "check/check.hpp"
#include "diag/diagnostic.hpp"

namespace ebpfgen {

std::string generate_program(const CheckedSpec& spec, const Source& source);

}  // namespace ebpfgen
