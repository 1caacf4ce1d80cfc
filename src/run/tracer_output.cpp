#include "run/tracer_output.hpp"

#include <iostream>

#include "diag/diagnostic.hpp"
#include "report/records.hpp"
#include "run/bpftrace.hpp"
#include "run/tracer_maps.hpp"

namespace ebpfgen::run {

TracerOutput::TracerOutput(const CheckedSpec& spec, const std::string& program, report::Reporter& reporter,
                           exporter::Exporter* exports, bool compiled, Hooks hooks)
    : spec_(spec), reporter_(reporter), exports_(exports), compiled_(compiled), hooks_(std::move(hooks)),
      map_failures_(program) {}

void TracerOutput::line(const std::string& line) {
  // After Ctrl-C bpftrace takes a while to detach its probes: the run ended at the Ctrl-C.
  if (auto at = interrupted_at_ns(); at && collector_) collector_->stop_at(at);
  report::Record record;
  try {
    record = report::parse_record(line);
  } catch (const std::exception&) {
    if (!bad_output_) std::cerr << "ebpfgen: warning: unexpected bpftrace output: " << shown(line) << "\n";
    bad_output_ = true;
    return;
  }
  using Kind = report::Record::Kind;
  if (record.kind == Kind::Printf && !started_ && record.text.rfind("Tracing ", 0) == 0) {
    started_ = true;
    std::cerr << shown(record.text.substr(0, record.text.find_last_not_of('\n') + 1)) << "\n" << std::flush;
    hooks_.started();
  } else if (record.kind == Kind::Cut && record.text == "run_start" && !collector_) {
    // The first window starts at the kernel time BEGIN printed.
    collector_.emplace(clock_, static_cast<std::int64_t>(record.number), [this](const report::Window& cut) {
      windows_.push_back(cut);
      report::Window& w = windows_.back();
      w.failed_maps = map_failures_.take_recent();
      reporter_.window(w, report::request_figures(w, spec_.metrics));
      if (exports_) exports_->window(w);
      hooks_.after_output();
    });
  } else if (record.kind == Kind::Printf) {
    std::string text = record.text;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    reporter_.event(text);
    hooks_.after_output();
  } else if (record.kind == Kind::LostEvents) {
    facts_.lost_events += record.number;
    std::cerr << "ebpfgen: warning: bpftrace lost " << record.number << " events\n";
  } else if (record.kind == Kind::HelperError) {
    map_failures_.add(record);
  } else if (collector_) {
    if (record.kind == Kind::Cut && record.text == "run_end") {
      tracer_finishing();
      // The probes' skipped runs and full maps, read while the tracer still holds them.
      if (!skips_read_) {
        skips_read_ = true;
        if (int tracer = running_tracer()) {
          facts_.skipped_runs = skipped_program_runs(tracer);
          if (compiled_)
            for (const auto& full : full_maps(tracer)) map_failures_.add_full(full.kernel_name, full.max_entries);
        }
      }
    }
    collector_->add(record);
  }
}

void TracerOutput::finish() {
  if (collector_) collector_->finish(report::KernelClock::kernel_now_ns());
}

}  // namespace ebpfgen::run
