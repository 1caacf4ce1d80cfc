#include "spec/maps.hpp"

#include <algorithm>
#include <stdexcept>

#include "spec/io_posix_maps.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen {

namespace {

const std::vector<MapContract>& clock_contract() {
  static const std::vector<MapContract> maps = {
      {clock_maps::next_window_ns, MapKind::Helper, "", "", "when the open window ends (kernel ns)"},
      {clock_maps::end_ns, MapKind::Helper, "", "", "when the run ends (kernel ns)"},
      {clock_maps::stop, MapKind::Helper, "", "", "set to 1 by ebpfgen to end the run (run/tracer_maps.hpp)"},
  };
  return maps;
}

}  // namespace

const std::vector<MapContract>& map_contracts() {
  static const std::vector<MapContract> all = [] {
    std::vector<MapContract> out;
    for (const auto* family : {&request_maps(), &io::io_posix_maps(), &clock_contract()}) out.insert(out.end(), family->begin(), family->end());
    return out;
  }();
  return all;
}

const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = io::io_posix_layouts();
  return all;
}

const MapContract* find_map_contract(std::string_view name) {
  if (name.starts_with('@')) name.remove_prefix(1);
  const auto& all = map_contracts();
  auto it = std::find_if(all.begin(), all.end(), [&](const MapContract& m) { return m.name == name; });
  return it == all.end() ? nullptr : &*it;
}

std::optional<std::size_t> layout_index(std::string_view layout, std::string_view field) {
  for (const auto& l : layouts()) {
    if (l.name != layout) continue;
    auto it = std::find(l.fields.begin(), l.fields.end(), field);
    if (it != l.fields.end()) return static_cast<std::size_t>(it - l.fields.begin());
  }
  return std::nullopt;
}

std::string map_ref(std::string_view name) {
  if (!find_map_contract(name)) throw std::logic_error("no contract has a map named " + std::string(name));
  return "@" + std::string(name);
}

bool reserved_map_name(std::string_view name) {
  // ebpfgen's helper maps start with '_', io posix's maps with "io_".
  return name.starts_with('_') || name.starts_with("io_") || find_map_contract(name) != nullptr;
}

}  // namespace ebpfgen
