// Shared by the unit tests: run the stages on inline text.
#pragma once

#include <string>

#include "check/check.hpp"
#include "check/functions.hpp"
#include "codegen/codegen.hpp"
#include "diag/diagnostic.hpp"
#include "parse/parse.hpp"
#include "pipeline/prepare.hpp"

namespace test {

inline ebpfgen::Source source(const std::string& text) { return {"t.obs", text}; }

// This machine's kernel facts, with the built-in syscall table so that syscall checks
// are the same everywhere; tracepoints are checked against this kernel's tracefs.
inline const ebpfgen::kernel::Facts& machine() {
  static const ebpfgen::kernel::Facts facts = ebpfgen::kernel::read_facts({ebpfgen::kernel::SyscallTable::Builtin});
  return facts;
}

// The result maps a block's aggregations write, in order.
inline std::vector<std::string> result_maps(const ebpfgen::CheckedBlock& block) {
  std::vector<std::string> out;
  for (const auto* agg : block.aggregations()) out.push_back(agg->map);
  return out;
}

// The rendered error text a spec produces, or "" if it compiles.
inline std::string errors_of(const std::string& text) {
  auto src = source(text);
  try {
    auto spec = ebpfgen::parse_spec(src);
    ebpfgen::pipeline::prepare(spec, machine(), ebpfgen::pipeline::Action::Check);
    return "";
  } catch (const ebpfgen::SpecError& e) {
    return ebpfgen::render(src, e);
  }
}

// Checked as ebpfgen checks it: uprobe functions looked up in the binaries on this machine.
inline ebpfgen::CheckedSpec checked(const std::string& text) {
  return ebpfgen::pipeline::prepare(ebpfgen::parse_spec(source(text)), machine(), ebpfgen::pipeline::Action::Check);
}

inline std::string program(const std::string& text) {
  return ebpfgen::generate_program(checked(text), source(text));
}

}  // namespace test
