#include "run/map_failures.hpp"
#include "spec/limits.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <utility>

namespace ebpfgen::run {

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string name_from(const std::string& text, std::size_t at) {
  std::size_t end = at + 1;
  while (end < text.size() && is_name_char(text[end])) ++end;
  return text.substr(at, end - at);
}

}  // namespace

std::string map_at(const std::string& program, int line, int column) {
  std::istringstream in(program);
  std::string text;
  for (int i = 0; i < line && std::getline(in, text); ++i) {}
  if (line < 1 || column < 1 || static_cast<std::size_t>(column) > text.size() + 1) return "";
  // bpftrace points into the statement (at its call or its '='): the map it
  // assigns is the first one of the statement.
  std::size_t from = std::min(static_cast<std::size_t>(column - 1), text.size());
  auto start = text.find_last_of(";{}", from == 0 ? 0 : from - 1);
  auto at = text.find('@', start == std::string::npos ? 0 : start + 1);
  return at == std::string::npos ? "" : name_from(text, at);
}

void MapFailureLog::add(const report::Record& r) {
  std::string map = map_at(program_, r.line, r.column);
  if (map.empty()) map = "(line " + std::to_string(r.line) + ")";
  ++counts_[{map, r.text, r.error}];
  recent_.insert(map);
}

void MapFailureLog::add_full(const std::string& kernel_name, std::uint64_t limit) {
  // bpftrace names @x "AT_x" in the kernel, which keeps 15 characters: find the map of the program.
  std::set<std::string> names;
  std::regex map_name("@[A-Za-z_][A-Za-z0-9_]*");
  for (auto it = std::sregex_iterator(program_.begin(), program_.end(), map_name); it != std::sregex_iterator(); ++it)
    if (("AT_" + it->str().substr(1)).substr(0, kernel_map_name_chars) == kernel_name) names.insert(it->str());
  std::string map = names.size() == 1 ? *names.begin() : "@" + kernel_name.substr(3) + "...";
  full_.push_back({map, "", 0, 0, limit});
  recent_.insert(map);
}

std::set<std::string> MapFailureLog::take_recent() { return std::exchange(recent_, {}); }

std::vector<report::MapFailure> MapFailureLog::failures() const {
  std::vector<report::MapFailure> out;
  for (const auto& [key, count] : counts_) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count, 0});
  out.insert(out.end(), full_.begin(), full_.end());
  return out;
}

}  // namespace ebpfgen::run
