#include "target/description.hpp"

#include <fmt/format.h>

#include "diag/diagnostic.hpp"

namespace ebpfgen::target {

std::string description(const ast::Target& t) {
  switch (t.kind) {
    case ast::TargetKind::All: return "the whole system";
    case ast::TargetKind::Pid:
      return "process " + t.value + (t.descendants ? fmt::format(", its threads and its descendants ({} generations)",
                                                                  ast::descendant_generations)
                                                   : " and its threads");
    case ast::TargetKind::Comm:
      return (t.prefix ? "processes whose name starts with " : "processes named ") + ebpfgen::quoted(t.value);
    case ast::TargetKind::Cgroup: return "cgroup " + ebpfgen::quoted(t.value) + " (that cgroup only, not its children)";
    case ast::TargetKind::Container:
      return "container " + ebpfgen::quoted(t.value) + (t.runtime.empty() ? "" : " (" + t.runtime + ")") +
             ", by its mount namespace, given as $1 when run";
    case ast::TargetKind::Command: return "command " + ebpfgen::quoted(t.value) + ", by its cgroup id, given as $1 when run";
  }
  return "";
}

}  // namespace ebpfgen::target
