// Checks made before bpftrace starts, each with its own message and exit
// status, so that a user learns what to fix instead of reading a BPF error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "check/check.hpp"

namespace ebpfgen::run {

// Exit statuses of ebpfgen: every command's, then those of `--run` (and --targets).
enum ExitStatus : int {
  exit_spec_error = 1,       // errors in the spec
  exit_usage_error = 2,      // the command line
  exit_no_bpftrace = 3,      // bpftrace missing or older than 0.17
  exit_not_permitted = 4,    // not root, and lacking CAP_BPF + CAP_PERFMON
  exit_no_tracefs = 5,       // tracefs not mounted
  exit_no_probe = 6,         // a probe type this kernel cannot attach (kprobes)
  exit_bpftrace_failed = 7,  // bpftrace stopped with an error
  exit_no_target = 8,        // the target cannot be found: a pid gone, no such cgroup or container
  exit_no_memory = 9,        // the maps option map_keys asks for need more memory than the machine has
  exit_output_failed = 10,   // the report could not be written (stdout closed or full, -o failed)
};

struct Problem {
  int exit_status;
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
