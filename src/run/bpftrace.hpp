// Running bpftrace: started with Boost.Process from an argument vector (no
// shell), its stdout read line by line as it streams, its stderr kept,
// and Ctrl-C / SIGTERM forwarded so that it prints its final maps.
#pragma once

#include <signal.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ebpfgen::run {

// Ctrl-C and SIGTERM passed on to the running tracer (once), and only noted
// while none runs, so that a second one cannot cut a report short; SIGPIPE
// made a failed write. For the life of the object.
class InterruptHandling {
 public:
  InterruptHandling();
  ~InterruptHandling();
  InterruptHandling(const InterruptHandling&) = delete;
  InterruptHandling& operator=(const InterruptHandling&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {}, old_pipe_ {};
};

// When a forwarded Ctrl-C / SIGTERM arrived, on CLOCK_MONOTONIC (bpftrace's nsecs) in ns (0: none yet).
std::int64_t interrupted_at_ns();

struct BpftraceExit {
  int status = 0;            // exit status, or 128 + signal
  bool interrupted = false;  // we forwarded SIGINT/SIGTERM to it
  std::vector<std::string> errors;    // stderr lines that matter
  std::vector<std::string> warnings;  // stderr noise worth showing with -v
};

// How a run is asked to end: SIGINT (bpftrace runs END and prints), or, for
// bpftrace-aotrt, which SIGINT kills without END, by setting the program's
// stop map (clock_maps::stop), which its clock polls (run/tracer_maps.hpp).
enum class StopBy { Signal, StopMap };

// Runs `bpftrace ARGS...` with `environment` added to ours; `on_line` gets each line of its stdout.
BpftraceExit run_bpftrace(const std::string& bpftrace, const std::vector<std::string>& args,
                          const std::function<void(const std::string&)>& on_line, StopBy stop_by = StopBy::Signal,
                          const std::map<std::string, std::string>& environment = {});

// Asks the running bpftrace to end, as Ctrl-C does.
void stop_bpftrace();

// The running tracer has begun to end (its END or its clock printed run_end): a SIGINT
// is no longer resent. bpftrace 0.17 acts on SIGINT only when the signal interrupts its
// epoll_wait; one that lands while it reads events is lost, and the run would never end
// (a launched command that exits at once is stopped exactly then). So under
// StopBy::Signal the request is resent every half second until this is called.
void tracer_finishing();

// The running tracer's pid, 0 when none runs.
int running_tracer();

// Whether a stderr line is bpftrace's harmless start-up chatter.
bool is_noise(const std::string& line);

}  // namespace ebpfgen::run
