// The maps of every program family, as one registry: each family's contract
// (spec/request_metrics.cpp, spec/io_posix_maps.cpp, the clock's here) names
// every map the generated program keeps, what keys it, the layout of its
// tuple, and how the report reads it. Templates name maps as {{@map}} and
// tuple elements as {{layout.field}} (codegen/templates.hpp), which are
// looked up here; the report reads maps and elements through the same names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfgen {

// How the program prints a map, and so how the report reads it.
enum class MapKind {
  Counter,  // a result printed at every cut, never cleared: a window's value is its growth since the last cut
  Last,     // a result timestamp that only grows (the latest event): kept as printed
  First,    // a result timestamp set once (the first event): kept as printed
  Result,   // a result printed once (at the end, or at a cut and then cleared): read as printed
  Helper,   // the program's own state: never read, cleared before bpftrace's dump at exit
};

struct MapContract {
  std::string_view name;    // without '@'
  MapKind kind;
  std::string_view key;     // what keys it, in words ("" for a map without keys)
  std::string_view layout;  // the layout of its tuple values (layout_fields), "" for a number
  std::string_view meaning;
};

// A tuple's elements, in order: `$t.N` is element N.
struct Layout {
  std::string_view name;
  std::vector<std::string_view> fields;
};

// Every family's maps, and the tuple layouts they use.
const std::vector<MapContract>& map_contracts();
const std::vector<Layout>& layouts();

const MapContract* find_map_contract(std::string_view name);  // with or without its '@'
// The index of `field` in `layout`, or nothing when either is unknown.
std::optional<std::size_t> layout_index(std::string_view layout, std::string_view field);
// `@name`, for a map of a contract; throws std::logic_error for any other name.
std::string map_ref(std::string_view name);

// Whether a spec's own result may not take `name`: a contract's map, or a name that
// starts as ebpfgen's own maps do.
bool reserved_map_name(std::string_view name);

// The clock's maps (codegen/codegen.cpp's clock probe, run/tracer_maps.hpp's stop).
namespace clock_maps {
inline constexpr std::string_view next_window_ns = "_next_window_ns";
inline constexpr std::string_view end_ns = "_end_ns";
inline constexpr std::string_view stop = "_stop";
}  // namespace clock_maps

}  // namespace ebpfgen
