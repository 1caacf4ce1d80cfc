// bpftrace's errors, shown with the spec line whose probe failed: the
// generated program names its spec line in a comment above each probe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ebpfgen::run {

// The spec line that produced line `line` of a generated program: the
// nearest "// file:N: text" comment above it, or "" when there is none.
std::string spec_origin(const std::string& program, std::size_t line);

// Prints each of bpftrace's errors (its stderr lines that matter) as ebpfgen's, with the spec
// line of the probe it names; `path` is the program's file as bpftrace was given it.
void show_bpftrace_errors(const std::vector<std::string>& errors, const std::string& program, const std::string& path);

}  // namespace ebpfgen::run
