#include "run/bpftrace.hpp"

#include <signal.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <cstring>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

#include "run/tracer_maps.hpp"

namespace ebpfgen::run {

namespace bp = boost::process;

namespace {

std::atomic<pid_t> child_pid{0};
std::atomic<bool> forwarded{false};
std::atomic<std::int64_t> forwarded_at_ns{0};
std::atomic<int> stop_pipe{-1};  // write end, when the run is ended through its stop map
std::atomic<bool> finishing{false};  // the tracer printed run_end: no more SIGINTs

// Resends SIGINT every half second, once one was forwarded, until the tracer begins to end
// or `done` (see tracer_finishing).
class SignalResender {
 public:
  explicit SignalResender(pid_t tracer)
      : thread_([this, tracer] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return done_; })) {
            if (forwarded && !finishing) ::kill(tracer, SIGINT);
          }
        }) {}
  ~SignalResender() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: it starts once the rest is made
};

void forward_signal(int /*signal*/) {
  pid_t pid = child_pid.load();
  if (pid > 0) {
    if (!forwarded.exchange(true)) {
      struct timespec now {};
      clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe; the kernel's clock, as nsecs
      forwarded_at_ns = std::int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
    }
    if (int fd = stop_pipe.load(); fd >= 0) {
      [[maybe_unused]] auto n = ::write(fd, "s", 1);  // the stopper thread sets the map
    } else {
      ::kill(pid, SIGINT);  // bpftrace ends on SIGINT and prints its maps
    }
  }
}

// Waits for a stop request, then sets the tracer's stop map; SIGINT if that fails.
void stop_through_map(int read_end, pid_t tracer, std::vector<std::string>& errors) {
  char what = 0;
  while (::read(read_end, &what, 1) == 1 && what == 's') {
    std::string error = set_stop_map(tracer);
    if (error.empty()) continue;
    errors.push_back("ERROR: cannot end the run through its stop map: " + error);
    ::kill(tracer, SIGINT);
  }
}

void no_op(int /*signal*/) {}

}  // namespace

InterruptHandling::InterruptHandling() {
  struct sigaction action {};
  action.sa_handler = forward_signal;  // with no tracer running, it only notes the signal
  action.sa_flags = SA_RESTART;        // keep reading bpftrace's output
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  // A closed stdout makes writes fail (EPIPE) instead of killing us mid-report. A handler
  // rather than SIG_IGN: handlers do not pass to the programs we start, ignored signals would.
  action.sa_handler = no_op;
  sigaction(SIGPIPE, &action, &old_pipe_);
}

InterruptHandling::~InterruptHandling() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  sigaction(SIGPIPE, &old_pipe_, nullptr);
}

std::int64_t interrupted_at_ns() { return forwarded_at_ns.load(); }

void stop_bpftrace() { forward_signal(SIGINT); }

void tracer_finishing() { finishing = true; }

int running_tracer() { return child_pid.load(); }

bool is_noise(const std::string& line) {
  return line.empty() || line.find("RLIMIT_MEMLOCK") != std::string::npos || line.rfind("Attaching ", 0) == 0;
}

BpftraceExit run_bpftrace(const std::string& bpftrace, const std::vector<std::string>& args,
                          const std::function<void(const std::string&)>& on_line, StopBy stop_by,
                          const std::map<std::string, std::string>& environment) {
  BpftraceExit result;
  bp::ipstream out, err;
  InterruptHandling forwarding;  // also when the caller holds one: ours gives it back
  forwarded = false;
  forwarded_at_ns = 0;
  finishing = false;
  auto env = boost::this_process::environment();
  for (const auto& [name, value] : environment) env[name] = value;
  // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on once.
  bp::child child(bp::search_path(bpftrace).empty() ? boost::filesystem::path(bpftrace) : bp::search_path(bpftrace),
                  bp::args(args), env, bp::std_out > out, bp::std_err > err, bp::std_in < bp::null,
                  bp::extend::on_exec_setup = [](auto&) {
                    ::setpgid(0, 0);
                    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives ebpfgen, even a killed one
                  });
  child_pid = child.id();
  std::optional<SignalResender> resender;
  if (stop_by == StopBy::Signal) resender.emplace(child.id());
  int pipe_ends[2] = {-1, -1};
  std::vector<std::string> stop_errors;
  std::thread stopper;
  if (stop_by == StopBy::StopMap && ::pipe2(pipe_ends, O_CLOEXEC) == 0) {
    stopper = std::thread(stop_through_map, pipe_ends[0], child.id(), std::ref(stop_errors));
    stop_pipe = pipe_ends[1];
  }

  std::thread stderr_reader([&] {
    std::string line;
    bool after_warning = false;  // a warning's source line and underline follow it
    while (std::getline(err, line)) {
      if (is_noise(line)) continue;
      bool error = line.find("ERROR:") != std::string::npos;
      if (line.find("WARNING:") != std::string::npos) after_warning = true;
      else if (error) after_warning = false;
      (after_warning && !error ? result.warnings : result.errors).push_back(line);
    }
  });
  std::string line;
  std::exception_ptr failure;
  try {
    while (std::getline(out, line)) on_line(line);
  } catch (...) {
    // Our failure ends the tracer too, and no thread is left running.
    failure = std::current_exception();
    ::kill(child.id(), SIGKILL);
  }
  resender.reset();  // its stdout is closed: it has ended, or is about to
  child.wait();
  stderr_reader.join();
  child_pid = 0;
  if (stopper.joinable()) {
    stop_pipe = -1;
    [[maybe_unused]] auto n = ::write(pipe_ends[1], "q", 1);
    stopper.join();
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    result.errors.insert(result.errors.end(), stop_errors.begin(), stop_errors.end());
  }
  if (failure) std::rethrow_exception(failure);
  int raw = child.native_exit_code();
  result.status = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) result.errors.push_back(fmt::format("ERROR: bpftrace was killed by signal {} ({})", WTERMSIG(raw), strsignal(WTERMSIG(raw))));
  result.interrupted = forwarded;
  return result;
}

}  // namespace ebpfgen::run
