#include "spec/io_posix_maps.hpp"

#include <algorithm>
#include <string>

namespace ebpfgen::io {

const std::vector<MapContract>& io_posix_maps() {
  static const std::vector<MapContract> maps = {
#define EBPFGEN_X(name, kind, key, layout, meaning) {#name, MapKind::kind, key, layout, meaning},
      EBPFGEN_IO_POSIX_MAPS(EBPFGEN_X)
#undef EBPFGEN_X
  };
  return maps;
}

std::string_view name_of(IoMap map) { return io_posix_maps()[static_cast<std::size_t>(map)].name; }
std::string ref(IoMap map) { return "@" + std::string(name_of(map)); }

bool is_io_map(std::string_view name) {
  if (name.starts_with('@')) name.remove_prefix(1);
  const auto& all = io_posix_maps();
  return std::any_of(all.begin(), all.end(), [&](const MapContract& m) { return m.name == name && m.kind != MapKind::Helper; });
}

const std::vector<Layout>& io_posix_layouts() {
#define EBPFGEN_NAME(layout, name) #name,
  static const std::vector<Layout> layouts = {
      {"posix_file", {EBPFGEN_IO_FILE(EBPFGEN_NAME, _)}},   {"posix_state", {EBPFGEN_IO_STATE(EBPFGEN_NAME, _)}},
      {"posix_rw", {EBPFGEN_IO_RW(EBPFGEN_NAME, _)}},       {"posix_rw_time", {EBPFGEN_IO_RW_TIME(EBPFGEN_NAME, _)}},
      {"posix_opens", {EBPFGEN_IO_OPENS(EBPFGEN_NAME, _)}}, {"posix_close", {EBPFGEN_IO_CLOSE(EBPFGEN_NAME, _)}},
      {"posix_seen", {EBPFGEN_IO_SEEN(EBPFGEN_NAME, _)}},   {"posix_call", {EBPFGEN_IO_CALL(EBPFGEN_NAME, _)}},
  };
#undef EBPFGEN_NAME
  return layouts;
}

}  // namespace ebpfgen::io
