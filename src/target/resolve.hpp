// Resolving a target to the kernel identity the generated program filters
// on, and to facts a user can check (--targets, --emit's comments).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/facts.hpp"
#include "spec/ast.hpp"
#include "symbols/binary_path.hpp"
#include "target/container.hpp"

namespace ebpfgen::target {

struct Resolved {
  // bpftrace's $1, for targets known only when run (a container's mount namespace).
  std::optional<std::uint64_t> parameter;
  std::vector<std::string> facts;  // one line each, for people
  // The run ends when this process exits (a pid target, a container's first process).
  std::optional<pid_t> watched;
  std::string watched_name;  // "process 1234", "container 'web'"
};

// The directory a cgroup target names: a path under /sys/fs/cgroup as it is,
// any other one under the cgroup v2 mount `cgroup2` (the form /proc/PID/cgroup shows).
std::string cgroup_directory(const std::string& path, const std::string& cgroup2);
// Why a cgroup target's directory cannot be used ("cgroup 'x' does not exist: no directory
// ..."), or "" when it exists. bpftrace looks the cgroup up when it compiles the program.
std::string missing_cgroup(const std::string& path, const std::string& cgroup2);

// Throws TargetError when the target cannot be found now: a pid that is gone,
// a cgroup that does not exist or is not v2, a container not running.
// A command target resolves to nothing until it is launched.
Resolved resolve_target(const ast::Target& target, const kernel::Facts& facts);

// Where a uprobe's binary is looked up: through /proc/PID/root of a pid or
// container target that has a mount namespace of its own (so no overlay path is
// ever needed), else "/"; with the process's maps and PATH.
symbols::SearchRoot binaries_root(const Resolved& target);

}  // namespace ebpfgen::target
