// The bpftrace fragments of templates/, compiled in at build time and
// filled with fmt (so braces in a fragment are written doubled).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/args.h>
#include <fmt/format.h>

namespace ebpfgen::templates {

// Every fragment by name (the file name without .bt); generated.
const std::map<std::string_view, std::string_view>& all();

inline std::string_view get(std::string_view name) {
  auto it = all().find(name);
  if (it == all().end()) throw std::logic_error("no template named " + std::string(name));
  return it->second;
}

// Fills a fragment's {placeholders} with fmt::arg("name", value) arguments.
template <typename... Args>
std::string render(std::string_view name, Args&&... args) {
  return fmt::format(fmt::runtime(get(name)), std::forward<Args>(args)...);
}

}  // namespace ebpfgen::templates
