#include "spec/metrics.hpp"

#include <algorithm>
#include <bit>

namespace ebpfgen {

const std::vector<MetricInfo>& request_metric_catalogue() {
  static const std::vector<MetricInfo> catalogue = {
      {"rps", "observed throughput (paper): 1 / mean time between socket sends",
       {.send = true},
       {{"rps_sends", MapKind::Counter}, {"rps_first_ns", MapKind::First}, {"rps_last_ns", MapKind::Last}},
       {"_send_fd"}},
      {"responses", "receive -> send turns per connection: one per request, unless a client pipelines",
       {.send = true, .recv = true, .turns = true},
       {{"responses", MapKind::Counter}},
       {"_turn_start_ns", "_send_fd", "_recv_fd"}},
      {"saturation", "variance of the time between receives (paper): it jumps near saturation",
       {.recv = true},
       {{"sat_gaps", MapKind::Counter}, {"sat_gap_sum_us", MapKind::Counter}, {"sat_gap_sumsq_us2", MapKind::Counter}},
       {"_recv_prev_ns", "_recv_fd"}},
      {"slack", "mean time in the wait syscall (paper): it falls as the load rises",
       {.wait = true},
       {{"slack_waits", MapKind::Counter}, {"slack_wait_ns", MapKind::Counter}},
       {"_wait_start_ns"}},
      {"latency", "first receive -> first send per turn: p50, p90, p99 from a log-linear histogram",
       {.send = true, .recv = true, .turns = true},
       {{"request_latency_ns", MapKind::Counter}},
       {"_turn_start_ns", "_send_fd", "_recv_fd"}},
  };
  return catalogue;
}

const MetricInfo* find_metric(std::string_view name) {
  const auto& all = request_metric_catalogue();
  auto it = std::find_if(all.begin(), all.end(), [&](const MetricInfo& m) { return m.name == name; });
  return it == all.end() ? nullptr : &*it;
}

const std::vector<std::string_view>& request_map_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& metric : request_metric_catalogue())
      for (const auto& map : metric.maps) out.push_back(map.name);
    for (const auto& metric : request_metric_catalogue())
      for (std::string_view helper : metric.helpers)
        if (std::find(out.begin(), out.end(), helper) == out.end()) out.push_back(helper);
    return out;
  }();
  return names;
}

std::vector<std::string_view> metrics_reading(std::string_view map, const std::vector<std::string_view>& asked) {
  if (map.starts_with('@')) map.remove_prefix(1);
  auto reads = [&](const MetricInfo& m) {
    return std::any_of(m.maps.begin(), m.maps.end(), [&](const ResultMap& r) { return r.name == map; }) ||
           std::find(m.helpers.begin(), m.helpers.end(), map) != m.helpers.end();
  };
  auto is_asked = [&](std::string_view name) { return std::find(asked.begin(), asked.end(), name) != asked.end(); };
  std::vector<std::string_view> out;
  for (const auto& metric : request_metric_catalogue()) {
    // With latency asked, the responses are the latency histogram's total.
    bool derived = metric.name == "responses" && is_asked("latency") && map == "request_latency_ns";
    if (is_asked(metric.name) && (reads(metric) || derived)) out.push_back(metric.name);
  }
  return out;
}

const MapKind* request_map_kind(std::string_view name) {
  if (name.starts_with('@')) name.remove_prefix(1);
  for (const auto& metric : request_metric_catalogue())
    for (const auto& map : metric.maps)
      if (map.name == name) return &map.kind;
  return nullptr;
}

long long latency_bucket_width(long long low) {
  if (low < (1LL << latency_subbucket_bits)) return 1;
  int exponent = std::bit_width(static_cast<unsigned long long>(low)) - 1;
  return 1LL << (exponent - latency_subbucket_bits);
}

}  // namespace ebpfgen
