// Cutting bpftrace's output into windows. The program marks every cut with
// the kernel's clock ("window_end NS"), then prints its results, then says
// they are out ("window_printed NS"), when the window is reported; "run_end NS"
// (the duration's, or END's after Ctrl-C) ends the last, partial window; what
// follows it was counted while bpftrace was leaving and is not used. Window
// boundaries are the kernel's cut times, mapped once to the wall clock, so
// windows never overlap or leave gaps, and their lengths are the kernel's.
// Cumulative result maps (spec/request_metrics.hpp) become each window's growth.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "report/records.hpp"
#include "spec/aggregations.hpp"
#include "spec/maps.hpp"

namespace ebpfgen::report {

using Clock = std::chrono::system_clock;

// The kernel's clock (bpftrace's nsecs: CLOCK_MONOTONIC) mapped to the wall clock.
struct KernelClock {
  std::int64_t wall_minus_kernel_ns = 0;
  static KernelClock now();  // reads both clocks once
  static std::int64_t kernel_now_ns();
  Clock::time_point wall(std::int64_t kernel_ns) const;
};

struct Window {
  int index = 0;  // 1-based
  Clock::time_point start, end;
  bool final = false;  // printed when the run ended: partial, or the whole run without windows
  std::map<std::string, MapSnapshot> maps;
  std::map<std::string, MapSnapshot> before;  // Last maps (spec/request_metrics.hpp) as they were at the start
  std::set<std::string> failed_maps;  // maps (with '@') an update of which failed: their values are low

  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
};

class WindowCollector {
 public:
  using Sink = std::function<void(const Window&)>;
  // `start_ns`: the kernel time BEGIN printed.
  WindowCollector(KernelClock clock, std::int64_t start_ns, Sink sink);

  void add(const Record& record);
  // The run was stopped at `kernel_ns` (Ctrl-C): the window open then ends there,
  // and what bpftrace prints after the next cut is not counted.
  void stop_at(std::int64_t kernel_ns) { stop_at_ = kernel_ns; }
  // The output ended at `kernel_ns`: hands over what is still open.
  void finish(std::int64_t kernel_ns);
  int windows_emitted() const { return emitted_; }

 private:
  Window window_to(std::int64_t end_ns, bool final) const;
  void emit(Window& w);
  void emit_final();

  KernelClock clock_;
  Sink sink_;
  std::int64_t last_cut_ns_;
  std::optional<Window> open_;   // a window whose maps are being printed
  std::optional<Window> final_;  // the last window, whose maps are being printed
  std::optional<std::int64_t> stop_at_;
  bool closed_ = false;  // nothing more belongs to the run
  int next_index_ = 1;
  int emitted_ = 0;
  std::map<std::string, MapSnapshot> printed_;  // cumulative maps as last printed
};

// How the windows read a map printed at every cut, by its contract (spec/maps.hpp): Counter,
// Last or First; nothing for the others, which each window takes as printed.
std::optional<MapKind> cut_kind(const std::string& name);

// One window covering `windows`, their maps merged (for the run's summary).
Window merge_windows(const std::vector<Window>& windows, const std::function<Merge(const std::string&)>& merge_of);

// `now - before`, key by key; integers wrap as the kernel's 64-bit sums do, so a
// difference is exact while it fits in 64 bits. Keys that did not grow are left out.
MapSnapshot growth(const MapSnapshot& now, const MapSnapshot* before);

}  // namespace ebpfgen::report
