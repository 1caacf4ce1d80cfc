#include "codegen/tuples.hpp"

#include <stdexcept>

#include "codegen/templates.hpp"
#include "spec/maps.hpp"

namespace ebpfgen::codegen {

using templates::filled;

namespace {

const Layout& layout_named(std::string_view name) {
  for (const auto& l : layouts())
    if (l.name == name) return l;
  throw std::logic_error("no layout named " + std::string(name));
}

const std::string* value_of(const Elements& values, std::string_view field) {
  for (const auto& [name, value] : values)
    if (name == field) return &value;
  return nullptr;
}

void check_fields(const Layout& layout, const Elements& values) {
  for (const auto& [name, value] : values)
    if (!layout_index(layout.name, name)) throw std::logic_error("layout " + std::string(layout.name) + " has no " + std::string(name));
}

}  // namespace

std::string tuple_of(std::string_view layout_name, const Elements& values) {
  const Layout& layout = layout_named(layout_name);
  check_fields(layout, values);
  std::string out;
  for (auto field : layout.fields) {
    const std::string* value = value_of(values, field);
    if (!value) throw std::logic_error("layout " + std::string(layout_name) + ": no value for " + std::string(field));
    out += (out.empty() ? "" : ", ") + filled(*value);
  }
  return "(" + out + ")";
}

std::string tuple_update(const std::string& map, const std::string& key, const std::string& var, std::string_view layout_name,
                         const Elements& changed) {
  const Layout& layout = layout_named(layout_name);
  check_fields(layout, changed);
  std::string out;
  for (std::size_t i = 0; i < layout.fields.size(); ++i) {
    const std::string* value = value_of(changed, layout.fields[i]);
    out += (i ? ", " : "") + (value ? "(int64)(" + filled(*value) + ")" : var + "." + std::to_string(i));
  }
  return map + "[" + key + "] = (" + out + ");\n";
}

std::string zero_tuple(std::string_view layout_name, const char* type) {
  std::string out;
  for (std::size_t i = 0; i < layout_named(layout_name).fields.size(); ++i) out += (i ? ", " : "") + std::string(type) + "0";
  return "(" + out + ")";
}

}  // namespace ebpfgen::codegen
