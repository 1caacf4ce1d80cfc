// ebpfgen's exit statuses, in one table: `--help`'s footer is made from it,
// and the tables of README.md and docs/LANGUAGE.md are checked against it
// (tests/unit/test_docs.cpp). Every error reaches the user through fail().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ebpfgen {

enum ExitStatus : int {
  exit_success = 0,
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

struct ExitStatusInfo {
  ExitStatus status;
  std::string_view commands;  // which commands end with it: "" for every command
  std::string_view brief;     // for --help
  std::string_view meaning;   // for the docs' tables
};

// Every status, in order.
const std::vector<ExitStatusInfo>& exit_statuses();

// `--help`'s footer: every status with its brief meaning, grouped by the commands that use it.
std::string exit_status_help();
// The docs' table of the statuses (Markdown), as README.md and docs/LANGUAGE.md hold it.
std::string exit_status_table();

// `ebpfgen: error: MESSAGE`, its control bytes escaped, without a newline: what print_error
// prints first (a child process after fork writes it with write(2) alone).
std::string error_line(std::string_view message);
// Prints `ebpfgen: error: MESSAGE` on stderr, then each note on a line of its own, indented;
// control bytes are shown escaped (shown_lines). The one way an error reaches the user.
void print_error(std::string_view message, const std::vector<std::string>& notes = {});
// print_error, then the status to exit with.
int fail(ExitStatus status, std::string_view message, const std::vector<std::string>& notes = {});

}  // namespace ebpfgen
