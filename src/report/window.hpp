// Cutting bpftrace's output into windows: a `time` record ("window_end ...")
// starts the maps of the window that just ended. The first "run_end" record
// (the duration's, or END's after Ctrl-C), or else the blank lines bpftrace
// prints at exit, starts the partial window since the last cut; a second
// "run_end" ends the run: what follows was counted while bpftrace was leaving.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "report/records.hpp"

namespace ebpfgen::report {

using Clock = std::chrono::system_clock;

struct Window {
  int index = 0;  // 1-based
  Clock::time_point start, end;
  bool final = false;  // printed when the run ended: partial, or the whole run without windows
  std::map<std::string, MapSnapshot> maps;

  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
};

class WindowCollector {
 public:
  using Sink = std::function<void(const Window&)>;
  WindowCollector(Clock::time_point start, Sink sink);

  void add(const Record& record, Clock::time_point now);
  // The run was stopped at `at` (Ctrl-C): the window open then ends there,
  // and what bpftrace prints while it leaves is not counted.
  void stop_at(Clock::time_point at) { stop_at_ = at; }
  // The output ended: hands over what is still open.
  void finish(Clock::time_point now);
  int windows_emitted() const { return emitted_; }

 private:
  void emit(Window& w);
  void emit_final();

  Sink sink_;
  Clock::time_point last_cut_;
  std::optional<Window> open_;   // a window whose maps are being printed
  std::optional<Window> final_;  // the dump at exit
  std::optional<Clock::time_point> stop_at_;
  bool closed_ = false;  // nothing more belongs to the run
  int next_index_ = 1;
  int emitted_ = 0;
};

// How a map's values combine across windows.
enum class Merge { Add, Min, Max };

// One window covering `windows`, their maps merged (for the run's summary).
Window merge_windows(const std::vector<Window>& windows, const std::function<Merge(const std::string&)>& merge_of);

}  // namespace ebpfgen::report
