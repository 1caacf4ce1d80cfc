#include "report/metrics.hpp"

namespace ebpfgen::report {

namespace {

std::optional<std::int64_t> scalar(const Window& w, const char* name) {
  auto it = w.maps.find(name);
  if (it == w.maps.end()) return std::nullopt;
  auto e = it->second.entries.find("");
  if (e == it->second.entries.end()) return std::nullopt;
  if (const auto* n = std::get_if<std::int64_t>(&e->second)) return *n;
  return std::nullopt;
}

const Value* single(const Window& w, const char* name) {
  auto it = w.maps.find(name);
  if (it == w.maps.end()) return nullptr;
  auto e = it->second.entries.find("");
  return e == it->second.entries.end() ? nullptr : &e->second;
}

}  // namespace

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
      double width = static_cast<double>(*b.max + 1 - *b.min);
      return static_cast<double>(*b.min) + (rank - seen) / static_cast<double>(b.count) * width;
    }
    seen += static_cast<double>(b.count);
  }
  const auto& last = histogram.back();
  return static_cast<double>(last.max.value_or(last.min.value_or(0)));
}

RequestFigures request_figures(const Window& w, const RequestMetrics& asked) {
  RequestFigures f;
  double seconds = w.seconds();
  if (asked.rps) {
    std::int64_t sends = scalar(w, "@rps_sends").value_or(0);
    f.sends = static_cast<std::uint64_t>(sends);
    auto first = scalar(w, "@rps_first_ns"), last = scalar(w, "@rps_last_ns");
    if (sends >= 2 && first && last && *last > *first) {
      f.rps = static_cast<double>(sends - 1) / (static_cast<double>(*last - *first) / 1e9);
    }
  }
  if (asked.responses) {
    f.responses = static_cast<std::uint64_t>(scalar(w, "@responses").value_or(0));
    if (seconds > 0) f.responses_per_s = static_cast<double>(*f.responses) / seconds;
  }
  if (asked.saturation) {
    double n = static_cast<double>(scalar(w, "@sat_gaps").value_or(0));
    if (n >= 2) {
      double mean = static_cast<double>(scalar(w, "@sat_gap_sum_us").value_or(0)) / n;
      double mean_sq = static_cast<double>(scalar(w, "@sat_gap_sumsq_us2").value_or(0)) / n;
      f.inter_receive_mean_us = mean;
      f.saturation_var_us2 = std::max(0.0, mean_sq - mean * mean);
    }
  }
  if (asked.slack) {
    if (const auto* v = single(w, "@slack_wait_us"); v && std::holds_alternative<Stats>(*v)) {
      const auto& s = std::get<Stats>(*v);
      if (s.count > 0) f.slack_mean_us = static_cast<double>(s.total) / static_cast<double>(s.count);
    }
  }
  if (asked.latency) {
    if (const auto* v = single(w, "@request_latency_us"); v && std::holds_alternative<Histogram>(*v)) {
      const auto& h = std::get<Histogram>(*v);
      if (auto p50 = percentile(h, 0.5)) {
        Percentiles p{*p50, *percentile(h, 0.9), *percentile(h, 0.99), 0};
        for (const auto& b : h) p.count += b.count;
        f.latency_us = p;
      }
    }
  }
  return f;
}

Merge merge_rule(const CheckedSpec& spec, const std::string& map_name) {
  if (map_name == "@rps_first_ns") return Merge::Min;
  if (map_name == "@rps_last_ns") return Merge::Max;
  for (const auto& block : spec.blocks) {
    for (std::size_t i = 0; i < block.map_names.size(); ++i) {
      if ("@" + block.map_names[i] != map_name) continue;
      const auto& fn = std::get<ast::Aggregation>(block.block.actions[i]).function.text;
      if (fn == "min") return Merge::Min;
      if (fn == "max") return Merge::Max;
    }
  }
  return Merge::Add;
}

}  // namespace ebpfgen::report
