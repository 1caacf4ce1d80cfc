#include "report/report_text.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "diag/diagnostic.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen::report {

namespace {

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

std::string value_text(const Value& v);

}  // namespace

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


std::optional<Percentiles> percentiles_of(const Histogram& h) {
  Percentiles p;
  for (const auto& b : h) p.count += b.count;
  if (p.count == 0) return std::nullopt;
  p.p50 = *percentile(h, 0.5);
  p.p90 = *percentile(h, 0.9);
  p.p99 = *percentile(h, 0.99);
  return p;
}

std::string figure_text(double x) {
  return std::abs(x) >= 1000 ? fmt::format("{:.0f}", x) : fmt::format("{:.4g}", x);
}

namespace {

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

}  // namespace

std::string user_maps_text(const Window& w) {
  std::string out;
  for (const auto& [name, map] : w.maps)
    if (!is_request_map(name)) out += bpftrace_style(map);
  return out;
}

std::string joined(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

std::string number(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

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

}  // namespace ebpfgen::report
