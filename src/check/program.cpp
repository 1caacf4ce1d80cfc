// check_program: the check stage as the pipeline calls it.
#include "check/check.hpp"
#include "check/functions.hpp"

namespace ebpfgen {

CheckedSpec check_program(const ast::Spec& spec, const kernel::Facts& facts) {
  CheckedSpec checked = check_spec(spec, facts);
  // Uprobe binaries are looked up through the target's root, so the target is resolved
  // now, once; the run stage takes it from here.
  if (has_uprobes(checked)) {
    checked.resolved = target::resolve_target(checked.target, facts);
    resolve_functions(checked, target::binaries_root(*checked.resolved));
  }
  return checked;
}

}  // namespace ebpfgen
