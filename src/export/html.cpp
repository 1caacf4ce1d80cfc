#include "export/html.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "check/fields.hpp"
#include "codegen/codegen.hpp"
#include "target/description.hpp"
#include "export/html_text.hpp"
#include "export/svg.hpp"
#include "report/metrics.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen::exporter {

namespace {

using report::Bucket;
using report::bucket_label;
using report::human_ns;
using report::Clock;
using report::Histogram;
using report::MapSnapshot;
using report::Stats;
using report::Value;
using report::Window;
using svg::Bar;
using svg::BarChart;
using svg::Line;
using svg::LineChart;
using svg::bar_chart;
using svg::line_chart;

// ---------------------------------------------------------------- the run's series

std::optional<double> as_number(const Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<Stats>(&v))
    if (s->count) return static_cast<double>(s->total) / static_cast<double>(s->count);
  return std::nullopt;
}

const MapSnapshot* find_map(const Window& w, const std::string& name) {
  auto it = w.maps.find(name);
  return it == w.maps.end() ? nullptr : &it->second;
}

// "The spec's count 'reads'": what a chart of a spec aggregation shows.
struct SpecAggregation {
  const CheckedAggregation* agg;
  std::string map;   // with '@'
  std::string unit;  // "" when not a time
  std::string fn;    // as the spec names it
};

std::vector<SpecAggregation> spec_aggregations(const CheckedSpec& spec) {
  std::vector<SpecAggregation> out;
  for (const auto& block : spec.blocks)
    for (const auto* agg : block.aggregations())
      out.push_back({agg, "@" + agg->map, agg->value ? agg->value->unit : "", std::string(info_of(agg->function).name)});
  return out;
}

bool is_histogram(const SpecAggregation& s) { return info_of(s.agg->function).exported == ExportedAs::Histogram; }

// The keys of a keyed map, largest first by `size`; at most html_keys_shown, the rest in `left_out`.
template <typename Size>
std::vector<std::string> largest_keys(const MapSnapshot* run_map, Size size, std::vector<std::string>& left_out) {
  std::vector<std::pair<double, std::string>> keys;
  if (run_map)
    for (const auto& [key, value] : run_map->entries) keys.emplace_back(size(value), key);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> shown;
  for (const auto& [size_of, key] : keys) (shown.size() < html_keys_shown ? shown : left_out).push_back(key);
  return shown;
}

std::string left_out_note(const std::vector<std::string>& left_out, const std::string& what) {
  if (left_out.empty()) return "";
  std::string names;
  for (std::size_t i = 0; i < left_out.size() && i < 20; ++i) names += (i ? ", " : "") + short_text(left_out[i], 40);
  if (left_out.size() > 20) names += fmt::format(", and {} more", left_out.size() - 20);
  return fmt::format("Not shown: {} smaller key{} of {} ({} keys shown, the largest over the run): {}.", left_out.size(),
                     left_out.size() == 1 ? "" : "s", entities(what), html_keys_shown, names);
}

std::vector<std::string> per_window_charts(const CheckedSpec& spec, const std::vector<Window>& windows, const Window& run) {
  const RequestMetrics& asked = spec.metrics;
  std::vector<report::RequestFigures> figures;
  for (const auto& w : windows) figures.push_back(report::request_figures(w, asked));
  auto low = report::lower_bounds(run, asked);
  auto is_low = [&](const std::string& name) { return std::find(low.begin(), low.end(), name) != low.end(); };
  auto series = [&](auto value) {
    Line line;
    for (const auto& f : figures) line.y.push_back(value(f));
    return line;
  };
  std::vector<LineChart> charts;
  if (asked.has(Metric::rps)) {
    charts.push_back({"rps", "Observed throughput (rps): 1 / the mean time between socket sends", "requests/s", "requests/s",
                      {series([](const auto& f) { return f.rps; })}, "", is_low("rps")});
  }
  if (asked.has(Metric::responses)) {
    charts.push_back({"responses_per_s", "Responses per second: receive -> send turns", "responses/s", "responses/s",
                      {series([](const auto& f) { return f.responses_per_s; })}, "", is_low("responses")});
  }
  if (asked.has(Metric::latency)) {
    LineChart c{"latency_us", "Request latency p50, p90, p99: first receive -> response", "us", "us", {}, "", is_low("latency")};
    for (const auto& percentile : {std::pair{"p50", &report::Percentiles::p50}, {"p90", &report::Percentiles::p90},
                                   {"p99", &report::Percentiles::p99}}) {
      auto p = percentile.second;  // a copy to capture: clang 14 captures no structured binding
      Line line = series([p](const auto& f) { return f.latency_us ? std::optional<double>((*f.latency_us).*p) : std::nullopt; });
      line.name = percentile.first;
      c.lines.push_back(line);
    }
    charts.push_back(c);
  }
  if (asked.has(Metric::saturation)) {
    charts.push_back({"saturation_var_us2", "Saturation: the variance of the time between receives", "us\u00b2", "us\u00b2",
                      {series([](const auto& f) { return f.saturation_var_us2; })}, "", is_low("saturation")});
  }
  if (asked.has(Metric::slack)) {
    charts.push_back({"slack_mean_us", "Slack: the mean time in the wait syscall", "us", "us",
                      {series([](const auto& f) { return f.slack_mean_us; })}, "", is_low("slack")});
  }
  for (const auto& s : spec_aggregations(spec)) {
    const std::string& fn = s.fn;
    if (is_histogram(s)) continue;
    bool adds = info_of(s.agg->function).exported == ExportedAs::Counter;  // a window without the map counted nothing
    auto value_in = [&](const Window& w, const std::string& key) -> std::optional<double> {
      const MapSnapshot* m = find_map(w, s.map);
      if (m)
        if (auto e = m->entries.find(key); e != m->entries.end()) return as_number(e->second);
      return adds ? std::optional<double>(0) : std::nullopt;
    };
    std::string shown_fn = fn == "stats" ? "mean (of stats)" : fn;
    LineChart c{s.map, fmt::format("{}: {} per window", s.map, shown_fn),
                s.unit.empty() ? shown_fn : fmt::format("{} ({})", shown_fn, s.unit), s.unit, {}, "", is_low(s.map)};
    if (s.agg->keys.empty()) {
      Line line;
      for (const auto& w : windows) line.y.push_back(value_in(w, ""));
      c.lines.push_back(line);
    } else {
      std::vector<std::string> left_out;
      auto keys = largest_keys(find_map(run, s.map), [](const Value& v) { return as_number(v).value_or(0); }, left_out);
      for (const auto& key : keys) {
        Line line{key, {}};
        for (const auto& w : windows) line.y.push_back(value_in(w, key));
        c.lines.push_back(line);
      }
      c.note = left_out_note(left_out, s.map);
    }
    charts.push_back(c);
  }
  std::vector<std::string> out;
  double run_seconds = windows.empty() ? 0 : run.seconds();
  for (const auto& c : charts) out.push_back(line_chart(c, windows, run.start, run_seconds));
  return out;
}

std::vector<std::string> histogram_charts(const CheckedSpec& spec, const Window& run) {
  std::vector<std::string> out;
  auto low = report::lower_bounds(run, spec.metrics);
  auto is_low = [&](const std::string& name) { return std::find(low.begin(), low.end(), name) != low.end(); };
  if (spec.metrics.has(Metric::latency)) {
    BarChart c{"request_latency", "Request latency over the whole run (log2 buckets of the log-linear histogram)",
               "request latency (each bar a power of two of ns)", {}, "", is_low("latency")};
    if (const MapSnapshot* m = find_map(run, ref(RequestMap::request_latency_ns))) {
      // Every power of two from the lowest to the highest, the empty ones too: a gap shows as one.
      auto buckets = report::power_of_two_buckets(report::latency_histogram(*m));
      for (std::size_t i = 0; i < buckets.size(); ++i) {
        const Bucket& b = buckets[i];
        c.bars.push_back({fmt::format("[{}, {})", human_ns(static_cast<double>(*b.min)), human_ns(static_cast<double>(*b.max + 1))),
                          std::to_string(*b.min), std::to_string(*b.max), b.count});
        if (i + 1 == buckets.size()) break;
        for (std::int64_t low = *b.max + 1; low > 0 && low < *buckets[i + 1].min; low *= 2)
          c.bars.push_back({fmt::format("[{}, {})", human_ns(static_cast<double>(low)), human_ns(static_cast<double>(2 * low))),
                            std::to_string(low), std::to_string(2 * low - 1), 0});
      }
    }
    out.push_back(bar_chart(c));
  }
  for (const auto& s : spec_aggregations(spec)) {
    const std::string& fn = s.fn;
    if (!is_histogram(s)) continue;
    const MapSnapshot* m = find_map(run, s.map);
    std::string x_title = s.unit.empty() ? "value" : "value (" + s.unit + ")";
    auto chart = [&](const std::string& series, const std::string& title, const Histogram* h) {
      BarChart c{series, title, x_title, {}, "", is_low(s.map)};
      if (h)
        for (const auto& b : *h)
          c.bars.push_back({bucket_label(b), b.min ? std::to_string(*b.min) : "-Infinity",
                            b.max ? std::to_string(*b.max) : "Infinity", b.count});
      return c;
    };
    auto total = [](const Value& v) {
      double n = 0;
      if (const auto* h = std::get_if<Histogram>(&v))
        for (const auto& b : *h) n += static_cast<double>(b.count);
      return n;
    };
    if (s.agg->keys.empty()) {
      const Histogram* h = nullptr;
      if (m)
        if (auto e = m->entries.find(""); e != m->entries.end()) h = std::get_if<Histogram>(&e->second);
      out.push_back(bar_chart(chart(s.map, fmt::format("{}: {} over the whole run", s.map, fn), h)));
      continue;
    }
    std::vector<std::string> left_out;
    auto keys = largest_keys(m, total, left_out);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto* h = std::get_if<Histogram>(&m->entries.at(keys[i]));
      std::string name = s.map + "[" + printable(keys[i], false) + "]";
      auto c = chart(s.map + "[" + keys[i] + "]", fmt::format("{}: {} over the whole run", name, fn), h);
      if (i + 1 == keys.size()) c.note = left_out_note(left_out, s.map);
      out.push_back(bar_chart(c));
    }
    if (keys.empty()) out.push_back(bar_chart(chart(s.map, fmt::format("{}: {} over the whole run", s.map, fn), nullptr)));
  }
  return out;
}

// ---------------------------------------------------------------- the page

std::string time_text(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%d %H:%M:%S} local time ({:%Y-%m-%dT%H:%M:%S}.{:03}Z)", fmt::localtime(seconds),
                     fmt::gmtime(seconds), ms % 1000);
}

std::string seconds_text(std::uint64_t ms) { return ms % 1000 == 0 ? fmt::format("{} s", ms / 1000) : fmt::format("{} ms", ms); }

std::string row(const std::string& name, const std::string& value_html) {
  return "<tr><th>" + entities(name) + "</th><td>" + value_html + "</td></tr>\n";
}

// The request metrics' summary lines, as the table's summary writes them.
std::vector<std::pair<std::string, std::string>> summary_lines(const report::RequestFigures& f) {
  std::vector<std::pair<std::string, std::string>> out;
  if (f.rps) out.emplace_back("throughput (socket sends, paper)", fmt::format("{:.1f} requests/s over {} sends", *f.rps, *f.sends));
  if (f.responses)
    out.emplace_back("responses (receive -> send turns)", fmt::format("{} = {:.1f}/s", *f.responses, f.responses_per_s.value_or(0)));
  if (f.saturation_var_us2)
    out.emplace_back("inter-receive gap",
                     fmt::format("mean {:.1f} us, variance {:.1f} us^2 (saturation)", *f.inter_receive_mean_us, *f.saturation_var_us2));
  if (f.slack_mean_us) out.emplace_back("slack", fmt::format("mean wait {:.1f} us", *f.slack_mean_us));
  if (f.latency_us)
    out.emplace_back("request latency", fmt::format("p50 {:.1f} us, p90 {:.1f} us, p99 {:.1f} us over {} requests",
                                                    f.latency_us->p50, f.latency_us->p90, f.latency_us->p99, f.latency_us->count));
  return out;
}

std::string summary_section(const CheckedSpec& spec, const Source& source, const std::vector<Window>& windows,
                            const Window& run, const report::RunFacts& facts) {
  std::string out = "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"facts\">\n";
  out += row("spec", html_text(source.name));
  out += row("target", html_text(target::description(spec.target)));
  if (windows.empty()) {
    out += row("windows", "none: the run reported no window");
  } else {
    out += row("start", entities(time_text(run.start)));
    std::string length = fmt::format("{:.2f} s in {} window{}", run.seconds(), windows.size(), windows.size() == 1 ? "" : "s");
    if (spec.window_ms) length += " of " + seconds_text(*spec.window_ms);
    if (spec.duration_ms) length += "; duration " + seconds_text(*spec.duration_ms);
    out += row("length", entities(length));
  }
  out += row("tracer", html_text(facts.tracer));
  out += row("ended by", facts.ended_by.empty() ? (spec.duration_ms ? "its duration, as planned" : "as planned") : html_text(facts.ended_by));
  out += row("lost events", fmt::format("{}", facts.lost_events));
  out += row("skipped probe runs", facts.skipped_runs ? html_text(report::skipped_runs_warning(facts.skipped_runs))
                                                      : std::string("0"));
  std::string failures;
  for (const auto& m : facts.map_failures)
    failures += "<div class=\"warning\">" + html_text(report::map_failure_warning(m, spec.map_key_limit())) + "</div>";
  out += row("map failures", failures.empty() ? "none" : failures);
  std::string low;
  for (const auto& name : report::lower_bounds(run, spec.metrics)) low += (low.empty() ? "" : ", ") + html_text(name);
  out += row("lower bounds", low.empty() ? "none" : "<span class=\"warning\">" + low +
                                                         " (these count too few: their means and percentiles miss what was lost)</span>");
  out += "</table>\n";
  if (spec.metrics.any() && !windows.empty()) {
    out += "<h3>Request metrics over the whole run</h3>\n<table class=\"metrics\">\n";
    for (const auto& [name, value] : summary_lines(report::request_figures(run, spec.metrics))) out += row(name, entities(value));
    out += "</table>\n";
  }
  std::string results;
  for (const auto& [name, map] : run.maps)
    if (!is_request_map(name)) results += report::bpftrace_style(map);
  if (!results.empty()) out += "<h3>The spec's results over the whole run</h3>\n<pre class=\"results\">" + html_text(results, true) + "</pre>\n";
  out += "</section>\n";
  return out;
}

constexpr const char* style = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
       padding: 0 16px 32px; max-width: 940px; line-height: 1.4; }
h1 { font-size: 1.5em; margin: 20px 0 4px; } h2 { font-size: 1.25em; margin-top: 28px; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin-top: 18px; }
p.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 3px 12px 3px 0; }
th { font-weight: 600; white-space: nowrap; color: #444; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px 10px; overflow-x: auto; font-size: 12.5px; }
figure { margin: 16px 0; }
figcaption { font-size: 13px; color: #555; margin-top: 2px; }
svg.chart { display: block; width: 100%; max-width: 900px; height: auto; background: #fff; border: 1px solid #ddd; }
svg.chart text { font-size: 12px; fill: #333; }
svg.chart text.title { font-size: 14px; font-weight: 600; fill: #222; }
svg.chart text.axis-title { font-size: 12px; fill: #555; }
svg.chart text.warning, .warning { fill: #b00020; color: #b00020; }
svg.chart text.empty { fill: #888; font-size: 14px; }
svg.chart text.value { font-size: 11px; fill: #555; }
svg.chart line.grid { stroke: #e8e8e8; } svg.chart line.edge, svg.chart line.tick { stroke: #888; }
)";

}  // namespace

std::string html_report(const CheckedSpec& spec, const Source& source, const std::vector<Window>& windows,
                        const Window& run, const report::RunFacts& facts) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>ebpfgen run of " + html_text(source.name) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n";
  out += "<h1>ebpfgen run of " + html_text(source.name) + "</h1>\n";
  out += "<p class=\"lead\">Tracing " + html_text(target::description(spec.target));
  if (!windows.empty()) out += ", from " + entities(time_text(run.start)) + fmt::format(" for {:.2f} s", run.seconds());
  out += ". Hover a point or a bar to read its value.</p>\n";
  out += summary_section(spec, source, windows, run, facts);
  if (!windows.empty()) {
    auto lines = per_window_charts(spec, windows, run);
    if (!lines.empty()) {
      out += "<section id=\"windows\">\n<h2>Per window</h2>\n";
      for (const auto& chart : lines) out += chart;
      out += "</section>\n";
    }
    auto bars = histogram_charts(spec, run);
    if (!bars.empty()) {
      out += "<section id=\"histograms\">\n<h2>Histograms over the whole run</h2>\n";
      for (const auto& chart : bars) out += chart;
      out += "</section>\n";
    }
  }
  out += "<section id=\"spec\">\n<h2>The spec: " + html_text(source.name) + "</h2>\n<pre class=\"spec\">" +
         html_text(source.text, true) + "</pre>\n</section>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace ebpfgen::exporter
