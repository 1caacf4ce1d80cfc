// What bpftrace prints, read as it streams: BEGIN's line (every probe is
// attached), the cuts that end each window, the program's events, lost events
// and failed map updates. Windows go to the reporter and the exports as they
// end; the run's facts (skipped probe runs, full maps) are gathered on the way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "export/export.hpp"
#include "report/format.hpp"
#include "report/window.hpp"
#include "run/map_failures.hpp"

namespace ebpfgen::run {

class TracerOutput {
 public:
  struct Hooks {
    std::function<void()> started;       // BEGIN's line came: the command may run, the target be watched
    std::function<void()> after_output;  // something was written: the caller checks its stream
  };
  // `compiled`: the ahead-of-time runtime runs it, whose full maps are found only by looking.
  TracerOutput(const CheckedSpec& spec, const std::string& program, report::Reporter& reporter,
               exporter::Exporter* exports, bool compiled, Hooks hooks);

  void line(const std::string& line);
  // The run is over: the last window ends now.
  void finish();

  bool collected() const { return collector_.has_value(); }  // BEGIN's run_start came
  const std::vector<report::Window>& windows() const { return windows_; }
  report::RunFacts& facts() { return facts_; }
  std::vector<report::MapFailure> map_failures() const { return map_failures_.failures(); }

 private:
  const CheckedSpec& spec_;
  report::Reporter& reporter_;
  exporter::Exporter* exports_;
  bool compiled_;
  Hooks hooks_;
  const report::KernelClock clock_ = report::KernelClock::now();
  MapFailureLog map_failures_;
  report::RunFacts facts_;
  std::vector<report::Window> windows_;
  std::optional<report::WindowCollector> collector_;
  bool started_ = false, skips_read_ = false, bad_output_ = false;
};

}  // namespace ebpfgen::run
