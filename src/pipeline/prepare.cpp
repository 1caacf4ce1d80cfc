#include "pipeline/prepare.hpp"

#include <iostream>

#include "check/functions.hpp"
#include "parse/parse.hpp"
#include "target/binaries.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::pipeline {

namespace {

// bpftrace looks a cgroup up when it compiles the program: its directory must exist. A
// --cgroup's is a target not found, a spec's an error of the spec.
void check_cgroup_exists(const CheckedSpec& spec, const kernel::Facts& facts, bool cgroup_option) {
  if (spec.target.kind != ast::TargetKind::Cgroup) return;
  auto missing = target::missing_cgroup(spec.target.value, facts.cgroup2);
  if (missing.empty()) return;
  if (cgroup_option) throw target::TargetError(missing);
  throw SpecError(spec.target.where, missing + " (bpftrace's cgroupid() reads it when the program is compiled)");
}

// The binaries the spec names, looked up as its target sees them, and checked.
void find_binaries(CheckedSpec& checked, bool uprobes) {
  auto root = target::binaries_root(*checked.resolved);
  // fileno() makes no syscall: io posix counts it by uprobe in the C library the target sees.
  if (checked.io) check_fileno(*checked.io, target::c_library(root));
  if (uprobes) check_functions(checked, target::uprobe_binaries(checked, root));  // and the probe total, now complete
  else check_probe_total(checked);
}

}  // namespace

void check_target_option(const ast::Target& target) {
  if (target.kind == ast::TargetKind::Pid &&
      (target.value.empty() || target.value.find_first_not_of("0123456789") != std::string::npos)) {
    throw UsageError("target option: '" + target.value + "' is not a process id");
  }
  try {
    check_target(target);
  } catch (const SpecError& e) {
    throw UsageError("target option: " + e.diagnostics().front().message);
  }
}

ast::Spec spec_of(const Source& source, const Overrides& o, Action action) {
  auto spec = source.text.empty() && action == Action::Targets ? ast::Spec{} : parse_spec(source);
  if (o.target) {
    check_target_option(*o.target);
    // --container NAME names another container of the spec's runtime, unless --runtime says otherwise.
    std::string runtime;
    if (spec.target && spec.target->kind == ast::TargetKind::Container) runtime = spec.target->runtime;
    spec.target = o.target;
    if (spec.target->kind == ast::TargetKind::Container) spec.target->runtime = runtime;
  }
  if (o.runtime) {
    if (!spec.target || spec.target->kind != ast::TargetKind::Container) throw UsageError("--runtime is for a container target");
    spec.target->runtime = *o.runtime;
  }
  if (o.descendants) {
    if (!spec.target || spec.target->kind != ast::TargetKind::Pid) throw UsageError("--descendants is for a pid target");
    spec.target->descendants = true;
  }
  if (o.duration_ms) spec.duration = ast::Duration{*o.duration_ms, {}};
  return spec;
}

CheckedSpec prepare(const ast::Spec& spec, const kernel::Facts& facts, Action action, bool cgroup_option) {
  // A --cgroup is not in the spec, so its directory is checked first, as a target not found.
  if (cgroup_option && spec.target) check_cgroup_exists(CheckedSpec{*spec.target}, facts, true);
  CheckedSpec checked = check_spec(spec, facts);
  check_cgroup_exists(checked, facts, false);
  // Uprobe binaries and io posix's C library are looked up through the target's root, and a
  // container's program says what it found: the target is resolved now, once.
  bool uprobes = has_uprobes(checked);
  bool container = checked.target.kind == ast::TargetKind::Container;
  if (!uprobes && !checked.io && !(action == Action::Emit && container)) return checked;
  try {
    checked.resolved = target::resolve_target(checked.target, facts);
  } catch (const target::TargetError& e) {
    if (uprobes) throw;
    // A target that is not there now (--emit of a pid) is looked for again, and refused, by a
    // run; its program goes without the fileno probe, and a container's gets its $1 by hand.
    if (checked.io) checked.io->fileno_missing = std::string(e.what()) + ": its C library could not be looked up";
    if (action == Action::Emit && container) {
      std::cerr << "ebpfgen: warning: " << shown(e.what()) << "\n";
      checked.target_facts = {"not found when this program was made: give its mount namespace inode as $1 (ebpfgen "
                              "--targets shows it)"};
    }
    return checked;
  }
  if (container) checked.target_facts = checked.resolved->facts;
  if (uprobes || checked.io) find_binaries(checked, uprobes);
  return checked;
}

}  // namespace ebpfgen::pipeline
