#include <nlohmann/json.hpp>

#include "report/report_text.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen::report {

namespace {

using nlohmann::json;

json value_json(const Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* s = std::get_if<Stats>(&v)) {
    json j = {{"count", s->count}, {"total", s->total}};
    j["mean"] = s->count ? json(static_cast<double>(s->total) / static_cast<double>(s->count)) : json(nullptr);
    return j;
  }
  json buckets = json::array();
  for (const auto& b : std::get<Histogram>(v)) {
    json bucket = {{"count", b.count}};
    if (b.min) bucket["min"] = *b.min;
    if (b.max) bucket["max"] = *b.max;
    buckets.push_back(bucket);
  }
  return buckets;
}

template <typename T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json figures_json(const RequestFigures& f, const RequestMetrics& asked) {
  json j = json::object();
  if (asked.has(Metric::rps)) {
    j["rps"] = optional_json(f.rps);
    j["sends"] = optional_json(f.sends);
  }
  if (asked.has(Metric::responses)) {
    j["responses"] = optional_json(f.responses);
    j["responses_per_s"] = optional_json(f.responses_per_s);
  }
  if (asked.has(Metric::saturation)) {
    j["saturation_var_us2"] = optional_json(f.saturation_var_us2);
    j["inter_receive_mean_us"] = optional_json(f.inter_receive_mean_us);
  }
  if (asked.has(Metric::slack)) j["slack_mean_us"] = optional_json(f.slack_mean_us);
  if (asked.has(Metric::latency)) {
    j["latency_us"] = f.latency_us ? json{{"p50", f.latency_us->p50},
                                          {"p90", f.latency_us->p90},
                                          {"p99", f.latency_us->p99},
                                          {"count", f.latency_us->count}}
                                   : json(nullptr);
  }
  return j;
}

json user_maps_json(const Window& w) {
  json maps = json::object();
  for (const auto& [name, map] : w.maps) {
    if (is_request_map(name)) continue;
    auto single = map.entries.find("");
    if (map.entries.size() == 1 && single != map.entries.end()) {
      maps[name] = value_json(single->second);
    } else {
      json keyed = json::object();
      for (const auto& [key, value] : map.entries) keyed[key] = value_json(value);
      maps[name] = keyed;
    }
  }
  return maps;
}

// Every histogram of the spec's own maps, by map and key: its percentiles.
json percentiles_json(const Window& w) {
  json out = json::object();
  for (const auto& [name, map] : w.maps) {
    if (is_request_map(name)) continue;
    json keyed = json::object();
    for (const auto& [key, value] : map.entries) {
      const auto* h = std::get_if<Histogram>(&value);
      auto p = h ? percentiles_of(*h) : std::nullopt;
      if (p) keyed[key] = {{"p50", p->p50}, {"p90", p->p90}, {"p99", p->p99}, {"count", p->count}};
    }
    if (keyed.empty()) continue;
    out[name] = keyed.size() == 1 && keyed.contains("") ? keyed[""] : keyed;
  }
  return out;
}

class JsonReporter : public Reporter {
 public:
  JsonReporter(std::ostream& out, const CheckedSpec& spec) : out_(out), spec_(spec) {}
  void event(const std::string& line) override {
    out_ << json{{"schema", json_schema_version}, {"event", line}}.dump() << "\n" << std::flush;
  }
  void window(const Window& w, const RequestFigures& f) override {
    json j = {{"schema", json_schema_version}, {"window", w.index}, {"start", iso_time(w.start)}, {"start_unix", unix_seconds(w.start)},
              {"seconds", w.seconds()}, {"final", w.final}};
    j.update(figures_json(f, spec_.metrics));
    j["maps"] = user_maps_json(w);
    j["percentiles"] = percentiles_json(w);
    j["lower_bounds"] = lower_bounds(w, spec_.metrics);
    out_ << j.dump() << "\n" << std::flush;
  }
  void summary(const Window& run, const RequestFigures& f, const RunFacts& facts) override {
    json j = {{"schema", json_schema_version}, {"summary", true}, {"start", iso_time(run.start)}, {"seconds", run.seconds()},
              {"lost_events", facts.lost_events}, {"skipped_probe_runs", facts.skipped_runs},
              {"interrupted", facts.interrupted}};
    if (!facts.ended_by.empty()) j["ended_by"] = facts.ended_by;
    j["tracer"] = facts.tracer;
    j.update(figures_json(f, spec_.metrics));
    j["maps"] = user_maps_json(run);
    j["percentiles"] = percentiles_json(run);
    j["lower_bounds"] = lower_bounds(run, spec_.metrics);
    json failures = json::array();
    for (const auto& m : facts.map_failures) {
      json one = {{"map", m.map}, {"count", m.count}};
      if (m.helper.empty()) one["full_at"] = m.limit;
      else one.update({{"helper", m.helper}, {"error", m.error}});
      failures.push_back(one);
    }
    j["map_failures"] = failures;
    out_ << j.dump() << "\n" << std::flush;
  }

 private:
  std::ostream& out_;
  const CheckedSpec& spec_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out, const CheckedSpec& spec) {
  return std::make_unique<JsonReporter>(out, spec);
}

}  // namespace ebpfgen::report
