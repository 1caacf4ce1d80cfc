#include "export/prometheus.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "check/fields.hpp"
#include "spec/request_metrics.hpp"
#include "spec/units.hpp"

namespace ebpfgen::exporter {

namespace {

using report::Histogram;
using report::MapSnapshot;
using report::Stats;
using report::Value;

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// One exposition: each family's # HELP and # TYPE once, then its samples.
class Text {
 public:
  explicit Text(std::string common) : common_(std::move(common)) {}
  void family(const std::string& name, const char* type, const std::string& help) {
    if (declared_.insert(name).second) out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  // `labels`: `name="value"` pairs joined by commas, already escaped ("" for none).
  void sample(const std::string& name, const std::string& labels, const std::string& value) {
    std::string all = labels.empty() ? common_ : common_.empty() ? labels : common_ + "," + labels;
    out_ += fmt::format("{}{{{}}} {}\n", name, all, value);
  }
  void sample(const std::string& name, const std::string& labels, double value) { sample(name, labels, number(value)); }
  const std::string& text() const { return out_; }

 private:
  std::string common_;
  std::string out_;
  std::set<std::string> declared_;
};

// `v` * 10^-digits written exactly in decimal ("0.000004095" for 4095 and 9).
std::string decimal(std::int64_t v, int digits) {
  bool negative = v < 0;
  auto magnitude = static_cast<unsigned long long>(v);
  std::string d = std::to_string(negative ? 0ULL - magnitude : magnitude);
  if (digits > 0) {
    if (static_cast<int>(d.size()) <= digits) d.insert(0, static_cast<std::size_t>(digits + 1) - d.size(), '0');
    d.insert(d.size() - static_cast<std::size_t>(digits), ".");
    while (d.back() == '0') d.pop_back();
    if (d.back() == '.') d.pop_back();
  }
  return (negative ? "-" : "") + d;
}

std::string label(const std::string& name, const std::string& value) {
  return fmt::format("{}=\"{}\"", name, label_value(value));
}

// A histogram's samples from buckets of inclusive integer ranges, cumulative,
// at the inclusive bounds `le` (in the buckets' unit), shown in the exported
// unit: the bound times 10^-digits.
void histogram_samples(Text& text, const std::string& name, const std::string& labels, const Histogram& h,
                       const std::vector<std::int64_t>& le, int digits, std::optional<double> sum) {
  std::uint64_t total = 0;
  for (const auto& b : h) total += b.count;
  std::string prefix = labels.empty() ? "" : labels + ",";
  for (std::int64_t bound : le) {
    std::uint64_t below = 0;
    for (const auto& b : h)
      if (b.max && *b.max <= bound) below += b.count;
    text.sample(name + "_bucket", prefix + label("le", decimal(bound, digits)), fmt::format("{}", below));
  }
  text.sample(name + "_bucket", prefix + "le=\"+Inf\"", fmt::format("{}", total));
  if (sum) text.sample(name + "_sum", labels, *sum);
  text.sample(name + "_count", labels, fmt::format("{}", total));
}

void request_metrics(Text& text, const CheckedSpec& spec, const RunState& state) {
  const RequestMetrics& asked = spec.metrics;
  auto totals = report::request_figures(state.totals, asked);
  if (totals.responses) {
    text.family("ebpfgen_responses_total", "counter",
                "Requests answered: receive -> send turns per connection, since the run started.");
    text.sample("ebpfgen_responses_total", "", fmt::format("{}", *totals.responses));
  }
  if (totals.sends) {
    text.family("ebpfgen_sends_total", "counter", "Socket sends of the target since the run started.");
    text.sample("ebpfgen_sends_total", "", fmt::format("{}", *totals.sends));
  }
  if (asked.has(Metric::latency)) {
    // Bounds just below the powers of two of ns, 1.024 us to 17.2 s: the log-linear buckets nest in
    // them, so every count is exact.
    Histogram h;
    double sum_ns = 0;
    if (auto it = state.totals.maps.find(ref(RequestMap::request_latency_ns)); it != state.totals.maps.end()) {
      h = report::latency_histogram(it->second);
      for (const auto& b : h) sum_ns += static_cast<double>(b.count) * (static_cast<double>(*b.min + *b.max) + 1) / 2;
    }
    std::vector<std::int64_t> le;  // 2^k - 1 ns: the requests of at most that many ns
    for (int k = 10; k <= 34; ++k) le.push_back((std::int64_t{1} << k) - 1);
    text.family("ebpfgen_request_duration_seconds", "histogram",
                "Request latency, first receive -> response, since the run started (the sum from each "
                "log-linear bucket's middle: within 3.2% of the exact sum).");
    histogram_samples(text, "ebpfgen_request_duration_seconds", "", h, le, 9, sum_ns / 1e9);
  }
  if (!state.last) return;
  auto last = report::request_figures(*state.last, asked);
  if (last.rps) {
    text.family("ebpfgen_observed_rps", "gauge",
                "Observed throughput of the latest window (paper): 1 / the mean time between socket sends.");
    text.sample("ebpfgen_observed_rps", "", *last.rps);
  }
  if (last.saturation_var_us2) {
    text.family("ebpfgen_saturation_variance_seconds2", "gauge",
                "Saturation of the latest window (paper): the variance of the time between receives, in s^2.");
    text.sample("ebpfgen_saturation_variance_seconds2", "", *last.saturation_var_us2 / 1e12);
    text.family("ebpfgen_inter_receive_mean_seconds", "gauge", "The mean time between receives in the latest window.");
    text.sample("ebpfgen_inter_receive_mean_seconds", "", *last.inter_receive_mean_us / 1e6);
  }
  if (last.slack_mean_us) {
    text.family("ebpfgen_slack_seconds", "gauge",
                "Slack of the latest window (paper): the mean time in the wait syscall (epoll_wait and others).");
    text.sample("ebpfgen_slack_seconds", "", *last.slack_mean_us / 1e6);
  }
  if (last.latency_us) {
    text.family("ebpfgen_window_request_duration_seconds", "gauge",
                "Request latency percentiles (p50, p90, p99) of the latest window, from its log-linear histogram.");
    for (auto [p, v] : {std::pair{"50", last.latency_us->p50}, {"90", last.latency_us->p90}, {"99", last.latency_us->p99}})
      text.sample("ebpfgen_window_request_duration_seconds", label("percentile", p), v / 1e6);
  }
}

// A `by` key as labels: one per key field; bpftrace joins several keys with ','.
std::string key_labels(const std::vector<std::string>& names, const std::string& key) {
  if (names.empty() || key.empty()) return "";
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    auto comma = key.find(',', from);
    if (comma == std::string::npos) break;
    parts.push_back(key.substr(from, comma - from));
    from = comma + 1;
  }
  parts.push_back(key.substr(from));
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i ? "," : "") + label(names[i], key == other_key ? other_key : i < parts.size() ? parts[i] : "");
  return out;
}

std::string label_name(const std::string& field) {
  std::string out;
  for (char c : field) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// One declared aggregation, with its key fields as labels.
void spec_aggregation(Text& text, const CheckedAggregation& agg, const MapSnapshot& map, SeriesLimit& limit) {
  const AggregateInfo& info = info_of(agg.function);
  const std::string fn(info.name);
  const std::string& map_name = agg.map;
  std::string unit = agg.value ? agg.value->unit : "";
  // To seconds: a value in `unit` times 10^-digits.
  const TimeUnit* time = find_time_unit(unit);
  int digits = time ? time->seconds_digits : 0;
  double scale = std::pow(10.0, -digits);
  std::string base = "ebpfgen_spec_" + map_name + (unit.empty() ? "" : "_seconds");
  std::vector<std::string> names;
  for (const auto& k : agg.keys) names.push_back(label_name(k.source.text));

  // Keys past the limit are added into one series.
  std::map<std::string, Value> series;
  for (const auto& [key, value] : map.entries) {
    std::string shown = limit.key_for(map.name, key);
    auto [it, fresh] = series.emplace(shown, value);
    if (fresh) continue;
    if (auto* n = std::get_if<std::int64_t>(&it->second)) {
      std::int64_t v = std::get<std::int64_t>(value);
      *n = info.merge == Merge::Min ? std::min(*n, v) : info.merge == Merge::Max ? std::max(*n, v) : *n + v;
    } else if (auto* s = std::get_if<Stats>(&it->second)) {
      s->count += std::get<Stats>(value).count;
      s->total += std::get<Stats>(value).total;
    } else {
      auto& h = std::get<Histogram>(it->second);
      for (const auto& b : std::get<Histogram>(value)) {
        auto same = std::find_if(h.begin(), h.end(), [&](const report::Bucket& x) { return x.min == b.min && x.max == b.max; });
        if (same == h.end()) h.push_back(b);
        else same->count += b.count;
      }
    }
  }

  if (info.exported == ExportedAs::Counter) {
    std::string name = base + "_total";
    text.family(name, "counter", fmt::format("The spec's {} '{}' since the run started.", fn, map_name));
    for (const auto& [key, v] : series) text.sample(name, key_labels(names, key), static_cast<double>(std::get<std::int64_t>(v)) * scale);
  } else if (info.exported == ExportedAs::Gauge) {
    text.family(base, "gauge", fmt::format("The spec's {} '{}' over the run so far.", fn, map_name));
    for (const auto& [key, v] : series) text.sample(base, key_labels(names, key), static_cast<double>(std::get<std::int64_t>(v)) * scale);
  } else if (info.exported == ExportedAs::Summary) {
    text.family(base, "summary", fmt::format("The spec's {} '{}' since the run started: its sum and count.", fn, map_name));
    for (const auto& [key, v] : series) {
      const auto& s = std::get<Stats>(v);
      text.sample(base + "_sum", key_labels(names, key), static_cast<double>(s.total) * scale);
      text.sample(base + "_count", key_labels(names, key), fmt::format("{}", s.count));
    }
  } else {  // hist, lhist
    text.family(base, "histogram", fmt::format("The spec's {} '{}' since the run started (no sum: the kernel "
                                               "keeps only the buckets).", fn, map_name));
    // lhist: every bound of its range; hist: powers of two up to the largest value seen.
    std::vector<std::int64_t> le;
    if (agg.function == Aggregate::lhist) {
      for (std::int64_t b = agg.low + agg.step; b <= agg.high; b += agg.step) le.push_back(b - 1);
    } else {
      std::int64_t top = 0;
      for (const auto& [key, v] : series)
        for (const auto& b : std::get<Histogram>(v))
          if (b.max) top = std::max(top, *b.max);
      le.push_back(-1);
      le.push_back(0);
      for (std::int64_t b = 1; b <= top && b > 0 && b < (std::int64_t{1} << 62); b *= 2) le.push_back(2 * b - 1);
    }
    for (const auto& [key, v] : series) histogram_samples(text, base, key_labels(names, key), std::get<Histogram>(v), le, digits, std::nullopt);
  }
}

void own_state(Text& text, const RunState& state) {
  text.family("ebpfgen_up", "gauge", "1 while ebpfgen traces, 0 once the run has ended.");
  text.sample("ebpfgen_up", "", state.running ? "1" : "0");
  text.family("ebpfgen_windows_total", "counter", "Windows reported since the run started.");
  text.sample("ebpfgen_windows_total", "", fmt::format("{}", state.windows));
  if (state.last) {
    text.family("ebpfgen_window_seconds", "gauge", "The latest window's length, from the kernel's clock.");
    text.sample("ebpfgen_window_seconds", "", state.last->seconds());
  }
  text.family("ebpfgen_lost_events_total", "counter", "Events bpftrace lost (its perf buffer was full).");
  text.sample("ebpfgen_lost_events_total", "", fmt::format("{}", state.facts.lost_events));
  text.family("ebpfgen_tracer_info", "gauge", "The program that runs the trace: bpftrace or bpftrace-aotrt.");
  std::string tracer = state.facts.tracer.substr(0, state.facts.tracer.find(' '));
  text.sample("ebpfgen_tracer_info", label("tracer", tracer), "1");
  if (!state.facts.map_failures.empty()) {
    text.family("ebpfgen_map_update_failures_total", "counter",
                "Map updates that failed in the kernel (counted under plain bpftrace, 0 for a map found full).");
    for (const auto& f : state.facts.map_failures) text.sample("ebpfgen_map_update_failures_total", label("map", f.map), fmt::format("{}", f.count));
  }
  if (!state.totals.failed_maps.empty()) {
    text.family("ebpfgen_lower_bound", "gauge", "1 for each metric or map whose values are too low: a map update failed.");
    for (const auto& name : state.totals.failed_maps) text.sample("ebpfgen_lower_bound", label("map", name), "1");
  }
}

}  // namespace

std::string label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string SeriesLimit::key_for(const std::string& metric, const std::string& key) {
  auto& shown = shown_[metric];
  if (shown.count(key)) return key;
  if (shown.size() < limit_) {
    shown.insert(key);
    return key;
  }
  return other_key;
}

std::string prometheus_text(const CheckedSpec& spec, const RunState& state, SeriesLimit& limit) {
  std::string common;
  if (!state.target.empty()) common += label("target", state.target);
  if (!state.node.empty()) common += (common.empty() ? "" : ",") + label("node", state.node);
  Text text(common);
  own_state(text, state);
  if (spec.metrics.any()) request_metrics(text, spec, state);
  for (const auto& block : spec.blocks) {
    for (const auto* agg : block.aggregations()) {
      auto map = state.totals.maps.find("@" + agg->map);
      if (map != state.totals.maps.end()) spec_aggregation(text, *agg, map->second, limit);
    }
  }
  return text.text();
}

}  // namespace ebpfgen::exporter
