// The kernel's features that the stages depend on: where tracefs is, which
// syscalls and tracepoints exist and their fields, the cgroup v2 mount,
// whether kprobes attach. Read by this module alone, once per run of
// ebpfgen, and handed down to check, run and --list; codegen reads nothing
// of the machine.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/syscalls.hpp"

namespace ebpfgen::kernel {

enum class SyscallTable { Auto, Builtin };  // --syscall-table

struct ReadOptions {
  SyscallTable syscall_table = SyscallTable::Auto;
  bool mount_tracefs = false;  // mount tracefs first when it is missing (--mount-tracefs)
  // The syscall catalogue is read from tracefs (hundreds of format files) only for the
  // commands that check a spec or list syscalls; the others keep the built-in table.
  bool read_syscalls = true;
};

struct Facts {
  std::optional<std::filesystem::path> tracefs;  // where tracefs is mounted, if it is
  std::string tracefs_mount_error;               // why mounting it, when asked, failed
  std::string cgroup2 = "/sys/fs/cgroup";        // the cgroup v2 mount
  bool kprobes = false;                          // whether this kernel can attach kprobes
  SyscallCatalog syscalls = SyscallCatalog::builtin();

  // Answers from tracefs, empty when it is not mounted.
  // The tracepoints (category, event) that two globs match, sorted; a part without '*' matches itself.
  std::vector<std::pair<std::string, std::string>> tracepoints(const std::string& category,
                                                               const std::string& event) const;
  bool has_tracepoint_category(const std::string& category) const;
  // The fields of a tracepoint's record (common_* left out), or nothing when it is unknown.
  std::optional<std::vector<EventField>> tracepoint_fields(const std::string& category, const std::string& event) const;
  // Every tracepoint in available_events, sorted as bpftrace -l lists them.
  std::vector<std::pair<std::string, std::string>> available_events() const;
  // The kernel functions a kprobe glob matches, sorted and unique, as bpftrace 0.17 expands it
  // (from available_filter_functions; empty when that list cannot be read, and then bpftrace
  // finds none either).
  std::vector<std::string> kernel_functions(const std::string& glob) const;
};

// This machine's facts.
Facts read_facts(const ReadOptions& options = {});

// The facts of no machine in particular: the built-in x86-64 syscall table, no tracefs,
// cgroup v2 at /sys/fs/cgroup (for tests and the fuzzer).
Facts builtin_facts();

}  // namespace ebpfgen::kernel
