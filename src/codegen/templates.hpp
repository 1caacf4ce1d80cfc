// The bpftrace fragments of templates/, compiled in at build time, and the
// one function that fills them. A fragment is bpftrace text with
// placeholders in double braces:
//   {{name}}        a value the caller gives (every one must be given, and used);
//   {{@map}}        a map of a program family's contract (spec/maps.hpp), as `@map`;
//   {{layout.field}} the element of a contract's tuple layout, as its index;
//   {{args.field}}  a tracepoint's argument, as this bpftrace spells it (codegen/spelling.hpp).
// So a fragment writes no map name, tuple position or version's spelling itself.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ebpfgen::templates {

// Every fragment by name (the file name without .bt); generated.
const std::map<std::string_view, std::string_view>& all();

std::string_view get(std::string_view name);

// One {{name}} value: text, or a number written in decimal.
struct Fill {
  std::string_view name;
  std::string text;
  Fill(std::string_view n, std::string t) : name(n), text(std::move(t)) {}
  Fill(std::string_view n, const char* t) : name(n), text(t) {}
  template <typename Number, typename = std::enable_if_t<std::is_integral_v<Number>>>
  Fill(std::string_view n, Number v) : name(n), text(std::to_string(v)) {}
};

// The fragment `name` filled; throws std::logic_error for a placeholder that has no
// value, names no contract map or layout field, or a value no placeholder uses.
std::string render(std::string_view name, const std::vector<Fill>& values = {});
// The same for a fragment's text given here (tests).
std::string render_text(std::string_view text, const std::vector<Fill>& values, std::string_view what = "text");

// Text with placeholders and no values (an expression of a contract's maps and layouts), filled.
std::string filled(std::string_view text);
// Each line of `text` that is not empty, `spaces` further in: fragments are written at the
// margin and indented where they go.
std::string indented(const std::string& text, std::size_t spaces);

}  // namespace ebpfgen::templates
