// Tests a spec's strings pass before they reach a program.
#pragma once

#include <algorithm>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "spec/limits.hpp"

namespace ebpfgen {

inline bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// What an error says of a string of `size` bytes that bpftrace cannot hold.
inline std::string too_long_for_bpftrace(const char* what, std::size_t size) {
  return fmt::format("this {} has {} bytes; bpftrace's strings hold at most {} (BPFTRACE_STRLEN is {}, with the "
                     "closing NUL)",
                     what, size, bpftrace_max_string, bpftrace_strlen);
}

// The whole of `s` matches the regular expression.
inline bool matches(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

}  // namespace ebpfgen
