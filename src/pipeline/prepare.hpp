// The driver's first steps for a spec: the spec as parsed with the command
// line's replacements, then checked, then what the action needs of the host
// (target/): the cgroup's directory, the target resolved, the binaries its
// uprobes and io posix name found and read; what was found is checked too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "check/check.hpp"
#include "diag/diagnostic.hpp"
#include "kernel/facts.hpp"
#include "spec/ast.hpp"

namespace ebpfgen::pipeline {

enum class Action { Check, Emit, Run, Targets };

// What the command line replaces in the spec.
struct Overrides {
  std::optional<ast::Target> target;
  bool target_is_cgroup_option = false;  // --cgroup: a missing directory is a target not found
  std::optional<std::string> runtime;    // --runtime, for a container target
  bool descendants = false;              // --descendants, for a pid target
  std::optional<std::uint64_t> duration_ms;
};

// A usage error found in the overrides: its message (exit_usage_error).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws UsageError for a target option that the spec's own checks refuse.
void check_target_option(const ast::Target& target);

// The spec of `source` with the overrides; for Targets, an empty source is an empty spec.
// Throws SpecError, or UsageError for an override that does not fit the spec.
ast::Spec spec_of(const Source& source, const Overrides& overrides, Action action);

// The spec checked for `action`. Throws SpecError, or target::TargetError for a target that
// cannot be found when the action needs it (a --cgroup's missing directory, a uprobe's target).
CheckedSpec prepare(const ast::Spec& spec, const kernel::Facts& facts, Action action, bool cgroup_option = false);

}  // namespace ebpfgen::pipeline
