#include "codegen/templates.hpp"

#include <set>
#include <stdexcept>

#include "codegen/spelling.hpp"
#include "spec/maps.hpp"

namespace ebpfgen::templates {

std::string_view get(std::string_view name) {
  auto it = all().find(name);
  if (it == all().end()) throw std::logic_error("no template named " + std::string(name));
  return it->second;
}

namespace {

// What a placeholder stands for.
std::string placeholder(std::string_view key, const std::vector<Fill>& values, std::vector<bool>& used,
                        std::string_view what) {
  auto fail = [&](const std::string& why) {
    return std::logic_error("template " + std::string(what) + ": {{" + std::string(key) + "}} " + why);
  };
  if (key.starts_with('@')) {
    if (!find_map_contract(key.substr(1))) throw fail("is no map of a contract (spec/maps.hpp)");
    return std::string(key);
  }
  if (auto dot = key.find('.'); dot != std::string_view::npos) {
    std::string_view left = key.substr(0, dot), right = key.substr(dot + 1);
    if (left == "args") return codegen::tracepoint_arg(std::string(right));
    auto index = layout_index(left, right);
    if (!index) throw fail("is no element of a contract's layout (spec/maps.hpp)");
    return std::to_string(*index);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].name != key) continue;
    used[i] = true;
    return values[i].text;
  }
  throw fail("has no value");
}

}  // namespace

std::string render_text(std::string_view text, const std::vector<Fill>& values, std::string_view what) {
  std::vector<bool> used(values.size(), false);
  std::string out;
  std::size_t from = 0;
  while (true) {
    auto open = text.find("{{", from);
    if (open == std::string_view::npos) break;
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw std::logic_error("template " + std::string(what) + ": an unclosed {{");
    out += text.substr(from, open - from);
    out += placeholder(text.substr(open + 2, close - open - 2), values, used, what);
    from = close + 2;
  }
  out += text.substr(from);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) throw std::logic_error("template " + std::string(what) + ": no {{" + std::string(values[i].name) + "}}");
  }
  return out;
}

std::string render(std::string_view name, const std::vector<Fill>& values) {
  return render_text(get(name), values, name);
}

std::string filled(std::string_view text) { return render_text(text, {}, "an expression"); }

std::string indented(const std::string& text, std::size_t spaces) {
  std::string out, pad(spaces, ' ');
  std::size_t from = 0;
  while (from < text.size()) {
    auto to = text.find('\n', from);
    if (to == std::string::npos) to = text.size() - 1;
    out += (to > from ? pad : "") + text.substr(from, to + 1 - from);
    from = to + 1;
  }
  return out;
}

}  // namespace ebpfgen::templates
