// Which functions of a binary a uprobe pattern names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "symbols/elf_symbols.hpp"

namespace ebpfgen::symbols {

// How a pattern was read, in the order resolve_function tries them.
enum class PatternKind {
  glob,             // has '*' or '?': every function whose mangled, demangled or bare name matches
  mangled,          // "_ZN4shop4Cart3addEi"
  with_parameters,  // "shop::Cart::add(int)", "shop::Cart::total() const"
  name,             // "shop::Cart::add" or a C name: must name one function, overloads are ambiguous
};

struct Resolution {
  PatternKind kind = PatternKind::name;
  std::vector<Function> functions;  // never empty; one per address, so no address is probed twice
};

// Throws Error when nothing matches or a bare name is ambiguous; `binary` is
// only used in the messages.
Resolution resolve_function(const std::vector<Function>& functions, std::string_view pattern,
                            std::string_view binary);

// "ns::C::f" from "ns::C::f(int) const", "void ns::f<int>(int)" or
// "ns::F::operator()(int)"; a name without a parameter list is returned as is.
std::string name_without_parameters(std::string_view demangled);

// Whether the text ends in a parameter list ("(anonymous namespace)::f" and
// "F::operator()" do not).
bool has_parameter_list(std::string_view demangled);

// Blanks removed except one between two identifier characters, so
// "add( int )" and "add(int)", "total() const" and "total()  const" compare equal.
std::string normalize_blanks(std::string_view text);

// Up to `limit` candidates close to `word`, closest first: those ending in
// "::word", then by edit distance; far ones are left out.
std::vector<std::string> closest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t limit = 5);

}  // namespace ebpfgen::symbols
