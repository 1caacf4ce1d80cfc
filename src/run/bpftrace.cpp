#include "run/bpftrace.hpp"

#include <signal.h>
#include <unistd.h>

#include <sys/wait.h>
#include <time.h>

#include <cstring>

#include <atomic>
#include <thread>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

namespace ebpfgen::run {

namespace bp = boost::process;

namespace {

std::atomic<pid_t> child_pid{0};
std::atomic<bool> forwarded{false};
std::atomic<std::int64_t> forwarded_at_ns{0};

void forward_signal(int /*signal*/) {
  pid_t pid = child_pid.load();
  if (pid > 0) {
    if (!forwarded.exchange(true)) {
      struct timespec now {};
      clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe; the kernel's clock, as nsecs
      forwarded_at_ns = std::int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
    }
    ::kill(pid, SIGINT);  // bpftrace ends on SIGINT and prints its maps
  }
}

// Installs the forwarding handlers for the life of one run.
class SignalForwarding {
 public:
  SignalForwarding() {
    struct sigaction action {};
    action.sa_handler = forward_signal;
    action.sa_flags = SA_RESTART;  // keep reading bpftrace's output
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalForwarding() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace

std::int64_t interrupted_at_ns() { return forwarded_at_ns.load(); }

void stop_bpftrace() { forward_signal(SIGINT); }

bool is_noise(const std::string& line) {
  return line.empty() || line.find("RLIMIT_MEMLOCK") != std::string::npos || line.rfind("Attaching ", 0) == 0;
}

BpftraceExit run_bpftrace(const std::string& bpftrace, const std::vector<std::string>& args,
                          const std::function<void(const std::string&)>& on_line) {
  BpftraceExit result;
  bp::ipstream out, err;
  SignalForwarding forwarding;
  forwarded = false;
  forwarded_at_ns = 0;
  // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on once.
  bp::child child(bp::search_path(bpftrace).empty() ? boost::filesystem::path(bpftrace) : bp::search_path(bpftrace),
                  bp::args(args), bp::std_out > out, bp::std_err > err, bp::std_in < bp::null,
                  bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); });
  child_pid = child.id();

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
  while (std::getline(out, line)) on_line(line);
  child.wait();
  stderr_reader.join();
  child_pid = 0;
  int raw = child.native_exit_code();
  result.status = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) result.errors.push_back(fmt::format("ERROR: bpftrace was killed by signal {} ({})", WTERMSIG(raw), strsignal(WTERMSIG(raw))));
  result.interrupted = forwarded;
  return result;
}

}  // namespace ebpfgen::run
