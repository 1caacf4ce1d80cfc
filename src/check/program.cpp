// check_program: the check stage as the pipeline calls it.
#include "check/check.hpp"
#include "check/functions.hpp"

namespace ebpfgen {

CheckedSpec check_program(const ast::Spec& spec, const kernel::Facts& facts) {
  CheckedSpec checked = check_spec(spec, facts);
  // Uprobe binaries and io posix's C library are looked up through the target's root, so the
  // target is resolved now, once; the run stage takes it from here.
  bool uprobes = has_uprobes(checked);
  if (!uprobes && !checked.io) return checked;
  try {
    checked.resolved = target::resolve_target(checked.target, facts);
  } catch (const target::TargetError& e) {
    if (uprobes) throw;
    // io posix alone: a target that is not there now (--emit of a pid) is looked for again, and
    // refused, by the run stage; its program goes without the fileno probe.
    checked.io->fileno_missing = std::string(e.what()) + ": its C library could not be looked up";
    return checked;
  }
  auto root = target::binaries_root(*checked.resolved);
  // fileno() makes no syscall: io posix counts it by uprobe in the C library the target sees.
  if (checked.io) find_fileno(*checked.io, root);
  if (uprobes) resolve_functions(checked, root);  // and checks the probe total, now complete
  else check_probe_total(checked);
  return checked;
}

}  // namespace ebpfgen
