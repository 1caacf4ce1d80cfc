#include "spec/metrics.hpp"

#include <algorithm>
#include <bit>

namespace ebpfgen {

const std::vector<MetricInfo>& request_metric_catalogue() {
  static const std::vector<MetricInfo> catalogue = {
      {"rps", "observed throughput (paper): 1 / mean time between socket sends",
       {.send = true},
       {{"rps_sends", MapKind::Counter}, {"rps_first_ns", MapKind::First}, {"rps_last_ns", MapKind::Last}}},
      {"responses", "receive -> send turns per connection: one per request, unless a client pipelines",
       {.send = true, .recv = true, .turns = true},
       {{"responses", MapKind::Counter}}},
      {"saturation", "variance of the time between receives (paper): it jumps near saturation",
       {.recv = true},
       {{"sat_gaps", MapKind::Counter}, {"sat_gap_sum_us", MapKind::Counter}, {"sat_gap_sumsq_us2", MapKind::Counter}}},
      {"slack", "mean time in the wait syscall (paper): it falls as the load rises",
       {.wait = true},
       {{"slack_waits", MapKind::Counter}, {"slack_wait_ns", MapKind::Counter}}},
      {"latency", "first receive -> first send per turn: p50, p90, p99 from a log-linear histogram",
       {.send = true, .recv = true, .turns = true},
       {{"request_latency_ns", MapKind::Counter}}},
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
    // Helpers: per-connection turns, the last receive, wait starts, the fds of syscalls in flight.
    for (std::string_view helper : {"_turn_start_ns", "_recv_prev_ns", "_wait_start_ns", "_send_fd", "_recv_fd"})
      out.push_back(helper);
    return out;
  }();
  return names;
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
