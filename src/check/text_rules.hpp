// Tests a spec's strings pass before they reach a program.
#pragma once

#include <algorithm>
#include <regex>
#include <string>

namespace ebpfgen {

inline bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// The whole of `s` matches the regular expression.
inline bool matches(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

}  // namespace ebpfgen
