#include "symbols/match.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

#include "diag/suggest.hpp"

namespace ebpfgen::symbols {

namespace {

constexpr auto npos = std::string_view::npos;

bool is_identifier(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// Where the bare name lies in a demangled text: after a template function's
// return type, up to the parameter list.
struct Split {
  std::size_t name_begin = 0;
  std::size_t name_end = 0;
  bool has_parameters = false;
};

// A balanced scan over () <> [] {}. The symbols of "operator<", "operator()"
// and the like are skipped so they neither open a group nor look like
// parameters; "(anonymous namespace)::" and "f()::{lambda()#1}::" are groups
// followed by "::", so they are scopes, not parameter lists.
Split split(std::string_view s) {
  std::size_t depth = 0, group_open = 0, params = npos, last_blank = npos;
  bool seen_operator = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == 'o' && s.substr(i).starts_with("operator") && (i == 0 || !is_identifier(s[i - 1])) &&
        (i + 8 == s.size() || !is_identifier(s[i + 8]))) {
      if (depth == 0) seen_operator = true;
      i += 8;
      if (s.substr(i).starts_with("()") || s.substr(i).starts_with("[]")) {
        i += 2;
      } else {
        while (i < s.size() && std::strchr("<>=!+-*/%^&|~,", s[i]) != nullptr) ++i;
      }
      continue;
    }
    if (c == '(' || c == '<' || c == '[' || c == '{') {
      if (depth == 0) group_open = i;
      ++depth;
    } else if ((c == ')' || c == '>' || c == ']' || c == '}') && depth > 0) {
      --depth;
      if (depth == 0 && c == ')' && params == npos && !s.substr(i + 1).starts_with("::")) params = group_open;
    } else if (c == ' ' && depth == 0 && params == npos && !seen_operator) {
      last_blank = i;
    }
    ++i;
  }
  Split out;
  out.has_parameters = params != npos;
  out.name_end = out.has_parameters ? params : s.size();
  if (last_blank != npos && last_blank < out.name_end) out.name_begin = last_blank + 1;
  while (out.name_end > out.name_begin && s[out.name_end - 1] == ' ') --out.name_end;
  return out;
}

bool glob_matches(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool is_clone(const Function& f) { return f.demangled.find(" [clone ") != std::string::npos; }

// Aliases (a complete and a base constructor, folded code) share an address;
// probing it twice would count every call twice.
std::vector<Function> one_per_address(const std::vector<const Function*>& selected) {
  std::vector<Function> out;
  std::set<std::uint64_t> seen;
  for (const Function* f : selected) {
    if (seen.insert(f->address).second) out.push_back(*f);
  }
  return out;
}

std::vector<std::string> distinct_demangled(const std::vector<const Function*>& functions) {
  std::vector<std::string> names;
  for (const Function* f : functions) {
    if (std::find(names.begin(), names.end(), f->demangled) == names.end()) names.push_back(f->demangled);
  }
  return names;
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

[[noreturn]] void no_function(const std::vector<Function>& functions, std::string_view pattern,
                              std::string_view binary) {
  // Compared on bare names, shown with parameters so overloads can be told apart.
  std::vector<std::string> bare;
  for (const auto& f : functions) {
    auto name = name_without_parameters(f.demangled);
    if (std::find(bare.begin(), bare.end(), name) == bare.end()) bare.push_back(name);
  }
  std::vector<std::string> notes;
  for (const auto& name : closest_names(name_without_parameters(pattern), bare)) {
    for (const auto& f : functions) {
      if (notes.size() < 5 && name_without_parameters(f.demangled) == name &&
          std::find(notes.begin(), notes.end(), "did you mean " + in_quotes(f.demangled) + "?") == notes.end()) {
        notes.push_back("did you mean " + in_quotes(f.demangled) + "?");
      }
    }
  }
  throw Error("no function " + in_quotes(pattern) + " in " + in_quotes(binary), std::move(notes));
}

}  // namespace

std::string name_without_parameters(std::string_view demangled) {
  Split parts = split(demangled);
  return std::string(demangled.substr(parts.name_begin, parts.name_end - parts.name_begin));
}

bool has_parameter_list(std::string_view demangled) { return split(demangled).has_parameters; }

std::string normalize_blanks(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isspace(static_cast<unsigned char>(text[i]))) {
      out += text[i];
      continue;
    }
    std::size_t next = i;
    while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
    if (!out.empty() && next < text.size() && is_identifier(out.back()) && is_identifier(text[next])) out += ' ';
    i = next - 1;
  }
  return out;
}

std::vector<std::string> closest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t limit) {
  // About one edit per three characters, at least two.
  std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& candidate : candidates) {
    bool scope_of = candidate.size() > word.size() && candidate.ends_with(word) &&
                    std::string_view(candidate).substr(0, candidate.size() - word.size()).ends_with("::");
    std::size_t distance = scope_of ? 0 : edit_distance(word, candidate);
    if (distance <= allowed) ranked.emplace_back(distance, candidate);
  }
  std::sort(ranked.begin(), ranked.end());
  // Long qualified names allow many edits; only those nearly as close as the best are likely meant.
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < limit && ranked[i].first <= ranked[0].first + 2; ++i) {
    out.push_back(ranked[i].second);
  }
  return out;
}

Resolution resolve_function(const std::vector<Function>& functions, std::string_view raw_pattern,
                            std::string_view binary) {
  std::string pattern = normalize_blanks(raw_pattern);
  if (pattern.empty()) throw Error("the function name is empty");
  std::vector<const Function*> selected;

  if (pattern.find_first_of("*?") != std::string::npos) {
    for (const auto& f : functions) {
      if (glob_matches(pattern, f.mangled) || glob_matches(pattern, f.demangled) ||
          glob_matches(pattern, name_without_parameters(f.demangled))) {
        selected.push_back(&f);
      }
    }
    if (selected.empty()) throw Error("no function matches " + in_quotes(pattern) + " in " + in_quotes(binary));
    return {PatternKind::glob, one_per_address(selected)};
  }

  for (const auto& f : functions) {
    if (f.mangled == pattern) return {PatternKind::mangled, {f}};
  }

  Split pattern_parts = split(pattern);
  if (pattern_parts.has_parameters) {
    // Template functions demangle with their return type; match with or without it.
    for (const auto& f : functions) {
      std::string text = normalize_blanks(f.demangled);
      if (text == pattern || text.substr(split(text).name_begin) == pattern) selected.push_back(&f);
    }
    if (selected.empty()) no_function(functions, pattern, binary);
    return {PatternKind::with_parameters, one_per_address(selected)};
  }

  for (const auto& f : functions) {
    if (normalize_blanks(name_without_parameters(f.demangled)) == pattern) selected.push_back(&f);
  }
  if (selected.empty()) no_function(functions, pattern, binary);
  // A clone (".constprop.0", ".isra.0") is a copy of the function, not an overload: take the original.
  if (distinct_demangled(selected).size() > 1) {
    std::vector<const Function*> originals;
    std::copy_if(selected.begin(), selected.end(), std::back_inserter(originals),
                 [](const Function* f) { return !is_clone(*f); });
    if (!originals.empty()) selected = originals;
  }
  auto overloads = distinct_demangled(selected);
  if (overloads.size() > 1) {
    throw Error(in_quotes(pattern) + " is ambiguous in " + in_quotes(binary) +
                    ": name one with its parameter list, e.g. " + in_quotes(overloads.front()) + ", or use a glob",
                overloads);
  }
  return {PatternKind::name, one_per_address(selected)};
}

}  // namespace ebpfgen::symbols
