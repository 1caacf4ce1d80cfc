// The catalogue of request metrics: one entry per metric, read by every
// stage. The checker takes the names and the hooks each needs from it, the
// generator the maps to print, the report how to turn each printed map into
// a window's value and how windows add up.
#pragma once

#include <string_view>
#include <vector>

namespace ebpfgen {

// How the report reads a result map that the program prints at every cut.
enum class MapKind {
  Counter,  // cumulative, never cleared: a window's value is its growth since the last cut
  Last,     // a timestamp that only grows (the latest event): kept as printed
  First,    // a timestamp set once (the first event): kept as printed
};

struct ResultMap {
  std::string_view name;  // without '@'
  MapKind kind;
};

// Which kernel events a metric is computed from.
struct Hooks {
  bool send = false, recv = false, wait = false;
  bool turns = false;  // pairs each connection's receives with its next send
};

struct MetricInfo {
  std::string_view name;     // as written in `metrics ...`
  std::string_view meaning;  // one line, for help and errors
  Hooks hooks;
  std::vector<ResultMap> maps;
  std::vector<std::string_view> helpers;  // the program's scratch maps it needs (without '@')
};

const std::vector<MetricInfo>& request_metric_catalogue();
const MetricInfo* find_metric(std::string_view name);

// Every result map of the catalogue, and the helper maps the generated
// program keeps for them: names that a spec's own maps may not take.
const std::vector<std::string_view>& request_map_names();
// The metrics whose values come from a map (result or helper, with or without
// its '@'), among those asked: when its updates fail, they count too few.
std::vector<std::string_view> metrics_reading(std::string_view map, const std::vector<std::string_view>& asked);
// The kind of a result map (with or without its '@'), or nullptr when it is none.
const MapKind* request_map_kind(std::string_view name);

// The request latency histogram is log-linear: 2^k sub-buckets per power
// of two (the layout of OpenTelemetry's base-2 exponential histograms at
// scale k), keyed by each bucket's lower bound in ns.
inline constexpr int latency_subbucket_bits = 4;  // 16 sub-buckets: at most 6.25% wide
// The width of the log-linear bucket whose lower bound is `low` (ns).
long long latency_bucket_width(long long low);

}  // namespace ebpfgen
