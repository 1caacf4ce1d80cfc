#include <fmt/format.h>

#include "diag/diagnostic.hpp"
#include "report/report_text.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen::report {

namespace {

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

std::unique_ptr<Reporter> make_table_reporter(std::ostream& out, const CheckedSpec& spec) {
  return std::make_unique<TableReporter>(out, spec);
}

}  // namespace ebpfgen::report
