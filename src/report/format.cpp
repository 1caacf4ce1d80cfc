#include "report/format.hpp"

#include <cmath>

#include <algorithm>
#include <cstring>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "diag/diagnostic.hpp"
#include "report/io_reporter.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen::report {

namespace {

using nlohmann::json;




// The request latency the way bpftrace draws a hist(), in powers of two of ns.
std::string latency_view(const MapSnapshot& map) {
  Histogram h = power_of_two_buckets(latency_histogram(map));
  std::uint64_t most = 0;
  for (const auto& b : h) most = std::max(most, b.count);
  std::string out = "@request_latency (log2 buckets of the log-linear histogram):\n";
  for (const auto& b : h) {
    auto bar = most == 0 ? 0 : static_cast<std::size_t>(b.count * 52 / most);
    std::string label = fmt::format("[{}, {})", human_ns(static_cast<double>(*b.min)), human_ns(static_cast<double>(*b.max + 1)));
    out += fmt::format("{:<20} {:>8} |{:<52}|\n", label, b.count, std::string(bar, '@'));
  }
  return out;
}

std::string iso_time(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(seconds), ms % 1000);
}

std::string clock_time(Clock::time_point t) {
  return fmt::format("{:%H:%M:%S}", fmt::localtime(Clock::to_time_t(t)));
}

double unix_seconds(Clock::time_point t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }


std::string histogram_text(const Histogram& h) {
  std::uint64_t most = 0;
  for (const auto& b : h) most = std::max(most, b.count);
  std::string out;
  for (const auto& b : h) {
    auto bar = most == 0 ? 0 : static_cast<std::size_t>(b.count * 52 / most);
    out += fmt::format("{:<16} {:>8} |{:<52}|\n", bucket_label(b), b.count, std::string(bar, '@'));
  }
  return out;
}

// p50, p90 and p99 of a histogram, interpolated inside the buckets that hold them.
std::optional<Percentiles> percentiles_of(const Histogram& h) {
  Percentiles p;
  for (const auto& b : h) p.count += b.count;
  if (p.count == 0) return std::nullopt;
  p.p50 = *percentile(h, 0.5);
  p.p90 = *percentile(h, 0.9);
  p.p99 = *percentile(h, 0.99);
  return p;
}

// Four significant digits, never an exponent (95230, not 9.523e+04).
std::string figure_text(double x) {
  return std::abs(x) >= 1000 ? fmt::format("{:.0f}", x) : fmt::format("{:.4g}", x);
}

std::string value_text(const Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* s = std::get_if<Stats>(&v)) {
    return fmt::format("count {}, average {}, total {}", s->count,
                       s->count ? s->total / static_cast<std::int64_t>(s->count) : 0, s->total);
  }
  const auto& h = std::get<Histogram>(v);
  std::string out = "\n" + histogram_text(h);
  if (auto p = percentiles_of(h))
    out += fmt::format("p50 {}, p90 {}, p99 {} (within the buckets above, of {} value{})\n", figure_text(p->p50),
                       figure_text(p->p90), figure_text(p->p99), p->count, p->count == 1 ? "" : "s");
  return out;
}

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

std::string user_maps_text(const Window& w) {
  std::string out;
  for (const auto& [name, map] : w.maps)
    if (!is_request_map(name)) out += bpftrace_style(map);
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

std::string joined(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

std::string number(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

// The metric columns asked for: header, unit, and the value of a window.
struct Column {
  const char* name;
  std::function<std::string(const Window&, const RequestFigures&)> value;
};

std::vector<Column> columns(const RequestMetrics& m) {
  std::vector<Column> out;
  auto latency = [](double Percentiles::*p) {
    return [p](const Window&, const RequestFigures& f) {
      return f.latency_us ? fmt::format("{:.1f}", (*f.latency_us).*p) : std::string("-");
    };
  };
  if (m.has(Metric::rps)) out.push_back({"rps(1/s)", [](const Window&, const RequestFigures& f) { return number(f.rps, 1); }});
  if (m.has(Metric::responses)) {
    out.push_back({"responses", [](const Window&, const RequestFigures& f) {
                     return f.responses ? std::to_string(*f.responses) : std::string("-");
                   }});
    out.push_back({"resp(1/s)", [](const Window&, const RequestFigures& f) { return number(f.responses_per_s, 1); }});
  }
  if (m.has(Metric::saturation)) {
    out.push_back({"sat_var(us2)", [](const Window&, const RequestFigures& f) { return number(f.saturation_var_us2, 1); }});
  }
  if (m.has(Metric::slack)) out.push_back({"slack(us)", [](const Window&, const RequestFigures& f) { return number(f.slack_mean_us, 1); }});
  if (m.has(Metric::latency)) {
    out.push_back({"p50(us)", latency(&Percentiles::p50)});
    out.push_back({"p90(us)", latency(&Percentiles::p90)});
    out.push_back({"p99(us)", latency(&Percentiles::p99)});
  }
  return out;
}

class CsvReporter : public Reporter {
 public:
  CsvReporter(std::ostream& out, const CheckedSpec& spec)
      : out_(out), asked_(spec.metrics), columns_(columns(spec.metrics)) {
    out_ << "window,start,seconds,final";
    for (const auto& c : columns_) out_ << "," << c.name;
    out_ << ",lower_bounds\n" << std::flush;
  }
  void event(const std::string& /*line*/) override {}  // CSV has only windows
  void window(const Window& w, const RequestFigures& f) override {
    out_ << fmt::format("{},{},{:.3f},{}", w.index, iso_time(w.start), w.seconds(), w.final ? 1 : 0);
    for (const auto& c : columns_) {
      std::string v = c.value(w, f);
      out_ << "," << (v == "-" ? "" : v);
    }
    out_ << "," << joined(lower_bounds(w, asked_), " ") << "\n" << std::flush;  // names hold no ',' or ' '
  }
  void summary(const Window&, const RequestFigures&, const RunFacts&) override {}

 private:
  std::ostream& out_;
  const RequestMetrics& asked_;
  std::vector<Column> columns_;
};

class TableReporter : public Reporter {
 public:
  TableReporter(std::ostream& out, const CheckedSpec& spec) : out_(out), spec_(spec), columns_(columns(spec.metrics)) {}
  void event(const std::string& line) override { out_ << shown(line) << "\n" << std::flush; }
  void window(const Window& w, const RequestFigures& f) override {
    if (!columns_.empty()) {
      if (!header_printed_) {
        out_ << fmt::format("{:<9} {:>7}", "time", "len(s)");
        for (const auto& c : columns_) out_ << fmt::format(" {:>12}", c.name);
        out_ << "\n";
        header_printed_ = true;
      }
      out_ << fmt::format("{:<9} {:>7.2f}", clock_time(w.start), w.seconds());
      for (const auto& c : columns_) out_ << fmt::format(" {:>12}", c.value(w, f));
      out_ << (w.final && spec_.window_ms ? (is_partial(w) ? "  (last, partial)" : "  (last)") : "");
      auto low = lower_bounds(w, spec_.metrics);
      out_ << (low.empty() ? "" : "  (lower bounds: " + joined(low, ", ") + ")") << "\n";
    }
    // Per-window user results, when the spec has windows; a partial window is the part of
    // one that Ctrl-C or the target's end cut short.
    if (spec_.window_ms) {
      std::string maps = user_maps_text(w);
      if (!maps.empty()) {
        out_ << fmt::format("-- window {} ({}, {:.2f} s{})\n{}", w.index, clock_time(w.start), w.seconds(),
                            w.final ? (is_partial(w) ? ", last, partial" : ", last") : "", maps);
      }
    }
    out_ << std::flush;
  }
  // Shorter than a window by more than half a tick of the clock that cuts them.
  bool is_partial(const Window& w) const {
    double window = static_cast<double>(*spec_.window_ms) / 1000;
    return w.seconds() < window - std::min(window, 0.1) / 2;
  }
  void summary(const Window& run, const RequestFigures& f, const RunFacts& facts) override {
    out_ << fmt::format("\n== summary: {:.2f} s from {}", run.seconds(), clock_time(run.start));
    if (!facts.ended_by.empty()) out_ << " (" << facts.ended_by << ")";
    out_ << "\n";
    if (f.rps) out_ << fmt::format("throughput (socket sends, paper): {:.1f} requests/s over {} sends\n", *f.rps, *f.sends);
    if (f.responses) out_ << fmt::format("responses (receive -> send turns): {} = {:.1f}/s\n", *f.responses, f.responses_per_s.value_or(0));
    if (f.saturation_var_us2) {
      out_ << fmt::format("inter-receive gap: mean {:.1f} us, variance {:.1f} us^2 (saturation)\n", *f.inter_receive_mean_us,
                          *f.saturation_var_us2);
    }
    if (f.slack_mean_us) out_ << fmt::format("slack: mean wait {:.1f} us\n", *f.slack_mean_us);
    if (f.latency_us) {
      out_ << fmt::format("request latency: p50 {:.1f} us, p90 {:.1f} us, p99 {:.1f} us over {} requests\n",
                          f.latency_us->p50, f.latency_us->p90, f.latency_us->p99, f.latency_us->count);
      out_ << latency_view(run.maps.at(ref(RequestMap::request_latency_ns)));
    }
    out_ << user_maps_text(run);
    out_ << "tracer: " << facts.tracer << "\n";
    if (facts.lost_events) out_ << fmt::format("warning: bpftrace lost {} events\n", facts.lost_events);
    if (facts.skipped_runs) out_ << skipped_runs_warning(facts.skipped_runs) << "\n";
    for (const auto& m : facts.map_failures) out_ << map_failure_warning(m, spec_.map_key_limit()) << "\n";
    if (auto low = lower_bounds(run, spec_.metrics); !low.empty())
      out_ << "warning: these count too few (lower bounds; their means and percentiles miss what was lost): "
           << joined(low, ", ") << "\n";
    out_ << std::flush;
  }

 private:
  std::ostream& out_;
  const CheckedSpec& spec_;
  std::vector<Column> columns_;
  bool header_printed_ = false;
};

}  // namespace

// A time in ns, in the unit that keeps it short.
std::string human_ns(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3g}s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3g}ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3g}us", ns / 1e3);
  return fmt::format("{:.0f}ns", ns);
}

std::string bucket_label(const Bucket& b) {
  auto human = [](std::int64_t v) {
    if (v != 0 && v % (1LL << 30) == 0) return fmt::format("{}G", v >> 30);
    if (v != 0 && v % (1LL << 20) == 0) return fmt::format("{}M", v >> 20);
    if (v != 0 && v % (1LL << 10) == 0) return fmt::format("{}K", v >> 10);
    return std::to_string(v);
  };
  if (!b.min) return fmt::format("(..., {})", *b.max + 1);
  if (!b.max) return fmt::format("[{}, ...)", human(*b.min));
  if (*b.min == *b.max) return fmt::format("[{}]", human(*b.min));
  return fmt::format("[{}, {})", human(*b.min), human(*b.max + 1));
}

std::string skipped_runs_warning(std::uint64_t skipped) {
  return fmt::format("warning: the kernel skipped {} run{} of this program's probes (it skips a probe that fires "
                     "while another BPF program runs on that CPU): counts may be low by as many",
                     skipped, skipped == 1 ? "" : "s");
}

std::string map_failure_warning(const MapFailure& m, std::uint64_t map_keys) {
  if (m.helper.empty()) {
    return fmt::format("warning: {} was full at the end ({} keys, bpftrace's limit per map): updates past the "
                       "limit are lost uncounted under bpftrace-aotrt (option map_keys raises the limit)",
                       m.map, m.limit);
  }
  std::string why = m.error == -7 ? fmt::format("the map is full: bpftrace's limit of {} keys per map; option map_keys "
                                                "raises it", map_keys)
                                  : fmt::format("error {}: {}", m.error, std::strerror(static_cast<int>(-m.error)));
  return fmt::format("warning: {} call{} of {} on {} failed ({})", m.count, m.count == 1 ? "" : "s", m.helper, m.map, why);
}

std::string bpftrace_style(const MapSnapshot& map) {
  std::string out;
  for (const auto& [key, value] : map.entries) {
    std::string name = key.empty() ? map.name : fmt::format("{}[{}]", map.name, shown_lines(key));
    out += name + ": " + value_text(value) + "\n";
  }
  return out;
}

std::unique_ptr<Reporter> make_reporter(Format format, std::ostream& out, const CheckedSpec& spec) {
  std::unique_ptr<Reporter> reporter;
  switch (format) {
    case Format::Json: reporter = std::make_unique<JsonReporter>(out, spec); break;
    case Format::Csv: reporter = std::make_unique<CsvReporter>(out, spec); break;
    case Format::Table: reporter = std::make_unique<TableReporter>(out, spec); break;
    case Format::Darshan: break;  // io posix's alone
  }
  if (spec.io) return make_io_reporter(format, out, spec, std::move(reporter));
  return reporter;
}

}  // namespace ebpfgen::report
