// Inside the parse stage: the PEGTL parse tree of a spec, turned into the AST.
#pragma once

#include <cstdint>
#include <string_view>

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "diag/diagnostic.hpp"
#include "spec/ast.hpp"

namespace ebpfgen {

using Node = tao::pegtl::parse_tree::node;

// The spec a parse tree's root holds. Throws SpecError for what the grammar cannot refuse.
ast::Spec spec_of_tree(const Node& root);

// "500ms", "30s", "5m", "1h" in milliseconds. Throws SpecError at `where`.
std::uint64_t duration_ms(std::string_view text, Location where);

}  // namespace ebpfgen
