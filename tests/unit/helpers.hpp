// Shared by the unit tests: run the stages on inline text.
#pragma once

#include <string>

#include "check/check.hpp"
#include "codegen/codegen.hpp"
#include "diag/diagnostic.hpp"
#include "parse/parse.hpp"

namespace test {

inline ebpfgen::Source source(const std::string& text) { return {"t.obs", text}; }

// The rendered error text a spec produces, or "" if it compiles.
inline std::string errors_of(const std::string& text) {
  auto src = source(text);
  try {
    auto spec = ebpfgen::parse_spec(src);
    ebpfgen::check_spec(spec, ebpfgen::SyscallCatalog::builtin());
    return "";
  } catch (const ebpfgen::SpecError& e) {
    return ebpfgen::render(src, e);
  }
}

inline ebpfgen::CheckedSpec checked(const std::string& text) {
  return ebpfgen::check_spec(ebpfgen::parse_spec(source(text)), ebpfgen::SyscallCatalog::builtin());
}

inline std::string program(const std::string& text) {
  return ebpfgen::generate_program(checked(text), source(text));
}

}  // namespace test
