// check_program: the check stage as the pipeline calls it.
#include "check/check.hpp"
#include "check/functions.hpp"

namespace ebpfgen {

CheckedSpec check_program(const ast::Spec& spec, const kernel::Facts& facts) {
  CheckedSpec checked = check_spec(spec, facts);
  // Uprobe binaries and io posix's C library are looked up through the target's root, so the
  // target is resolved now, once; the run stage takes it from here.
  if (has_uprobes(checked)) {
    checked.resolved = target::resolve_target(checked.target, facts);
    auto root = target::binaries_root(*checked.resolved);
    if (checked.io) find_fileno(*checked.io, root);
    resolve_functions(checked, root);  // and checks the probe total, now complete
  } else if (checked.io) {
    // fileno() makes no syscall: io posix counts it by uprobe in the C library the target sees.
    // A target that is not there now (--emit of a pid) is looked for again, and refused, by the
    // run stage; its program goes without the probe.
    try {
      checked.resolved = target::resolve_target(checked.target, facts);
      find_fileno(*checked.io, target::binaries_root(*checked.resolved));
      check_probe_total(checked);
    } catch (const target::TargetError& e) {
      checked.resolved.reset();
      checked.io->fileno_missing = std::string(e.what()) + ": its C library could not be looked up";
    }
  }
  return checked;
}

}  // namespace ebpfgen
