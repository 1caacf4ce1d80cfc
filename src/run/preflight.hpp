// Checks made before bpftrace starts, each with its own message and exit
// status, so that a user learns what to fix instead of reading a BPF error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "check/check.hpp"
#include "diag/exit_status.hpp"

namespace ebpfgen::run {

struct Problem {
  ExitStatus exit_status;
  std::string message;
};

// The first problem found, or nothing when the run can start: `bpftrace` is the
// tracer to run, `facts` this machine's (read with --mount-tracefs's mount made).
// `version_line` gets what `bpftrace --version` said ("bpftrace v0.17.0").
std::optional<Problem> preflight(const CheckedSpec& spec, const kernel::Facts& facts, const std::string& bpftrace,
                                 std::string& version_line);

// bpftrace preallocates every map at its key limit: with `option map_keys`,
// the program's maps must fit in half of the memory the machine has available.
std::optional<Problem> map_memory_problem(const std::string& program, std::optional<std::uint64_t> map_keys);

// "0.17.0" from `bpftrace --version`'s "bpftrace v0.17.0".
std::optional<std::string> parse_bpftrace_version(const std::string& output);
bool version_at_least(const std::string& version, int major, int minor);

}  // namespace ebpfgen::run
