#include "report/metrics.hpp"

#include <algorithm>
#include <bit>
#include <set>

#include "spec/request_metrics.hpp"

namespace ebpfgen::report {

namespace {

const Value* single_in(const std::map<std::string, MapSnapshot>& maps, RequestMap map) {
  auto it = maps.find(ref(map));
  if (it == maps.end()) return nullptr;
  auto e = it->second.entries.find("");
  return e == it->second.entries.end() ? nullptr : &e->second;
}

std::optional<std::int64_t> scalar_in(const std::map<std::string, MapSnapshot>& maps, RequestMap map) {
  if (const auto* v = single_in(maps, map))
    if (const auto* n = std::get_if<std::int64_t>(v)) return *n;
  return std::nullopt;
}

std::optional<std::int64_t> scalar(const Window& w, RequestMap map) { return scalar_in(w.maps, map); }

}  // namespace

std::vector<std::string> lower_bounds(const Window& window, const RequestMetrics& asked) {
  std::vector<std::string> names = asked.names();
  std::set<std::string> metrics;
  std::vector<std::string> out, maps;
  for (const auto& map : window.failed_maps) {
    auto reading = asked.reading(map);
    if (reading.empty() && !is_request_map(map)) maps.push_back(map);
    metrics.insert(reading.begin(), reading.end());
  }
  for (const auto& name : names)  // catalogue order
    if (metrics.count(name)) out.push_back(name);
  out.insert(out.end(), maps.begin(), maps.end());
  return out;
}

std::optional<double> percentile(const Histogram& histogram, double p) {
  std::uint64_t total = 0;
  for (const auto& b : histogram) total += b.count;
  if (total == 0) return std::nullopt;
  double rank = p * static_cast<double>(total);
  double seen = 0;
  for (const auto& b : histogram) {
    if (b.count == 0) continue;
    if (seen + static_cast<double>(b.count) >= rank) {
      if (!b.min) return static_cast<double>(*b.max);  // the negative bucket
      if (!b.max) return static_cast<double>(*b.min);  // lhist's overflow bucket: no upper bound
      if (*b.min == *b.max) return static_cast<double>(*b.min);  // one value: exactly it
      double width = static_cast<double>(*b.max + 1 - *b.min);
      return static_cast<double>(*b.min) + (rank - seen) / static_cast<double>(b.count) * width;
    }
    seen += static_cast<double>(b.count);
  }
  const auto& last = histogram.back();
  return static_cast<double>(last.max.value_or(last.min.value_or(0)));
}

Histogram latency_histogram(const MapSnapshot& map) {
  Histogram h;
  for (const auto& [key, value] : map.entries) {
    const auto* n = std::get_if<std::int64_t>(&value);
    if (!n || *n <= 0) continue;
    long long low = 0;
    try {
      low = std::stoll(key);
    } catch (const std::exception&) {
      continue;
    }
    if (low < 0) continue;
    h.push_back({low, low + latency_bucket_width(low) - 1, static_cast<std::uint64_t>(*n)});
  }
  std::sort(h.begin(), h.end(), [](const Bucket& a, const Bucket& b) { return *a.min < *b.min; });
  return h;
}

Histogram power_of_two_buckets(const Histogram& log_linear) {
  Histogram out;
  for (const auto& b : log_linear) {
    auto low = static_cast<std::uint64_t>(*b.min);
    std::int64_t from = low == 0 ? 0 : static_cast<std::int64_t>(std::bit_floor(low));
    std::int64_t to = low == 0 ? 0 : from * 2 - 1;
    if (!out.empty() && out.back().min == from) out.back().count += b.count;
    else out.push_back({from, to, b.count});
  }
  return out;
}

std::optional<double> exact_variance(std::uint64_t n, std::int64_t sum, std::int64_t sumsq) {
  if (n < 2) return std::nullopt;
  __int128 numerator = static_cast<__int128>(n) * sumsq - static_cast<__int128>(sum) * sum;
  if (numerator < 0) numerator = 0;  // cannot happen with consistent sums
  double nn = static_cast<double>(n);
  return static_cast<double>(numerator) / (nn * nn);
}

RequestFigures request_figures(const Window& w, const RequestMetrics& asked) {
  RequestFigures f;
  double seconds = w.seconds();
  using enum RequestMap;
  if (asked.has(Metric::rps)) {
    std::int64_t sends = scalar(w, rps_sends).value_or(0);
    f.sends = static_cast<std::uint64_t>(sends);
    // 1 / mean time between sends: the gaps that end in this window, from the
    // latest send before it (or from the first send of all).
    auto last = scalar(w, rps_last_ns);
    auto before = scalar_in(w.before, rps_last_ns).value_or(0);
    auto first = scalar(w, rps_first_ns).value_or(0);
    std::int64_t gaps = before > 0 ? sends : sends - 1;
    std::int64_t from = before > 0 ? before : first;
    if (gaps >= 1 && last && from > 0 && *last > from) {
      f.rps = static_cast<double>(gaps) / (static_cast<double>(*last - from) / 1e9);
    }
  }
  std::optional<Histogram> latency;
  if (asked.has(Metric::latency)) {
    auto it = w.maps.find(ref(request_latency_ns));
    latency = it == w.maps.end() ? Histogram{} : latency_histogram(it->second);
  }
  if (asked.has(Metric::responses)) {
    if (asked.responses_from_latency()) {
      std::uint64_t total = 0;
      for (const auto& b : *latency) total += b.count;
      f.responses = total;
    } else {
      f.responses = static_cast<std::uint64_t>(scalar(w, RequestMap::responses).value_or(0));
    }
    if (seconds > 0) f.responses_per_s = static_cast<double>(*f.responses) / seconds;
  }
  if (asked.has(Metric::saturation)) {
    auto n = static_cast<std::uint64_t>(scalar(w, sat_gaps).value_or(0));
    auto sum = scalar(w, sat_gap_sum_us).value_or(0);
    f.saturation_var_us2 = exact_variance(n, sum, scalar(w, sat_gap_sumsq_us2).value_or(0));
    if (f.saturation_var_us2) f.inter_receive_mean_us = static_cast<double>(sum) / static_cast<double>(n);
  }
  if (asked.has(Metric::slack)) {
    auto waits = scalar(w, slack_waits).value_or(0);
    if (waits > 0) f.slack_mean_us = static_cast<double>(scalar(w, slack_wait_ns).value_or(0)) / 1000.0 / static_cast<double>(waits);
  }
  if (latency && !latency->empty()) {
    Percentiles p{*percentile(*latency, 0.5) / 1000, *percentile(*latency, 0.9) / 1000, *percentile(*latency, 0.99) / 1000, 0};
    for (const auto& b : *latency) p.count += b.count;
    f.latency_us = p;
  }
  return f;
}

Merge merge_rule(const CheckedSpec& spec, const std::string& map_name) {
  if (auto kind = cut_kind(map_name)) return *kind == MapKind::Counter ? Merge::Add : Merge::Max;
  for (const auto& block : spec.blocks)
    for (const auto* agg : block.aggregations())
      if ("@" + agg->map == map_name) return info_of(agg->function).merge;
  return Merge::Add;
}

}  // namespace ebpfgen::report
