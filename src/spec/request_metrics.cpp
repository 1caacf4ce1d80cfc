#include "spec/request_metrics.hpp"

#include <algorithm>
#include <bit>

namespace ebpfgen {

const std::vector<MapContract>& request_maps() {
  static const std::vector<MapContract> maps = {
#define EBPFGEN_X(name, kind, key, meaning) {#name, MapKind::kind, key, "", meaning},
      EBPFGEN_REQUEST_MAPS(EBPFGEN_X)
#undef EBPFGEN_X
  };
  return maps;
}

const MapContract& contract_of(RequestMap map) { return request_maps()[static_cast<std::size_t>(map)]; }
std::string_view name_of(RequestMap map) { return contract_of(map).name; }
std::string ref(RequestMap map) { return "@" + std::string(name_of(map)); }

bool is_request_map(std::string_view name) {
  if (name.starts_with('@')) name.remove_prefix(1);
  const auto& all = request_maps();
  return std::any_of(all.begin(), all.end(), [&](const MapContract& m) { return m.name == name; });
}

const std::vector<MetricInfo>& request_metric_catalogue() {
  using enum RequestMap;
  static const std::vector<MetricInfo> catalogue = {
      {Metric::rps, "rps", "observed throughput (paper): 1 / mean time between socket sends",
       {Hook::send}, {rps_sends, rps_first_ns, rps_last_ns}, {}},
      {Metric::responses, "responses", "receive -> send turns per connection: one per request, unless a client pipelines",
       {Hook::send, Hook::recv, Hook::turns}, {RequestMap::responses}, {}},
      {Metric::saturation, "saturation", "variance of the time between receives (paper): it jumps near saturation",
       {Hook::recv}, {sat_gaps, sat_gap_sum_us, sat_gap_sumsq_us2}, {_recv_prev_ns}},
      {Metric::slack, "slack", "mean time in the wait syscall (paper): it falls as the load rises",
       {Hook::wait}, {slack_waits, slack_wait_ns}, {}},
      {Metric::latency, "latency", "first receive -> first send per turn: p50, p90, p99 from a log-linear histogram",
       {Hook::send, Hook::recv, Hook::turns}, {request_latency_ns}, {}},
  };
  return catalogue;
}

const MetricInfo* find_metric(std::string_view name) {
  const auto& all = request_metric_catalogue();
  auto it = std::find_if(all.begin(), all.end(), [&](const MetricInfo& m) { return m.name == name; });
  return it == all.end() ? nullptr : &*it;
}

const MetricInfo& info_of(Metric metric) { return request_metric_catalogue()[static_cast<std::size_t>(metric)]; }

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& metric : request_metric_catalogue()) out.emplace_back(metric.name);
    return out;
  }();
  return names;
}

std::vector<RequestMap> hook_helpers(Hook hook, bool syscall_probes) {
  switch (hook) {
    case Hook::send: return syscall_probes ? std::vector{RequestMap::_send_fd} : std::vector<RequestMap>{};
    case Hook::recv: return syscall_probes ? std::vector{RequestMap::_recv_fd} : std::vector<RequestMap>{};
    case Hook::turns: return {RequestMap::_turn_start_ns};
    case Hook::wait: return {RequestMap::_wait_start_ns};
  }
  return {};
}

bool MetricSet::needs(Hook hook) const {
  for (const auto& m : request_metric_catalogue())
    if (has(m.id) && std::find(m.hooks.begin(), m.hooks.end(), hook) != m.hooks.end()) return true;
  return false;
}

std::vector<std::string> MetricSet::names() const {
  std::vector<std::string> out;
  for (const auto& m : request_metric_catalogue())
    if (has(m.id)) out.emplace_back(m.name);
  return out;
}

namespace {

// The results a metric is read from, as asked alongside the others.
std::vector<RequestMap> results_of(const MetricSet& asked, const MetricInfo& m) {
  if (m.id == Metric::responses && asked.responses_from_latency()) return {RequestMap::request_latency_ns};
  return m.maps;
}

// The maps a metric's values depend on: its results, its helpers and its hooks' (both probe styles').
std::vector<RequestMap> read_by(const MetricSet& asked, const MetricInfo& m) {
  std::vector<RequestMap> out = results_of(asked, m);
  out.insert(out.end(), m.helpers.begin(), m.helpers.end());
  for (Hook hook : m.hooks) {
    auto more = hook_helpers(hook, true);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::vector<RequestMap> in_map_order(std::vector<RequestMap> maps) {
  std::sort(maps.begin(), maps.end());
  maps.erase(std::unique(maps.begin(), maps.end()), maps.end());
  return maps;
}

}  // namespace

std::vector<RequestMap> MetricSet::printed() const {
  std::vector<RequestMap> out;
  for (const auto& m : request_metric_catalogue()) {
    if (!has(m.id)) continue;
    auto maps = results_of(*this, m);
    out.insert(out.end(), maps.begin(), maps.end());
  }
  return in_map_order(out);
}

std::vector<RequestMap> MetricSet::helpers(bool syscall_probes) const {
  std::vector<RequestMap> out;
  for (const auto& m : request_metric_catalogue()) {
    if (!has(m.id)) continue;
    out.insert(out.end(), m.helpers.begin(), m.helpers.end());
    for (Hook hook : m.hooks) {
      auto more = hook_helpers(hook, syscall_probes);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  return in_map_order(out);
}

std::vector<std::string> MetricSet::reading(std::string_view map) const {
  if (map.starts_with('@')) map.remove_prefix(1);
  std::vector<std::string> out;
  for (const auto& m : request_metric_catalogue()) {
    if (!has(m.id)) continue;
    auto maps = read_by(*this, m);
    if (std::any_of(maps.begin(), maps.end(), [&](RequestMap r) { return name_of(r) == map; })) out.emplace_back(m.name);
  }
  return out;
}

long long latency_bucket_width(long long low) {
  if (low < (1LL << latency_subbucket_bits)) return 1;
  int exponent = std::bit_width(static_cast<unsigned long long>(low)) - 1;
  return 1LL << (exponent - latency_subbucket_bits);
}

}  // namespace ebpfgen
