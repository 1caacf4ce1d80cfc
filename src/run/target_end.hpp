// The run ends when its target does: when the launched command exits, or the
// traced process (a container's first process) exits.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace ebpfgen::run {

class TargetEnd {
 public:
  // Blocks until the target ends and says how ("process 12 exited"), or returns
  // "" once `over` is set.
  using Wait = std::function<std::string(const std::atomic<bool>& over)>;

  // `unblock` makes `wait` return when it cannot watch `over` (it ends a launched command).
  explicit TargetEnd(Wait wait, std::function<void()> unblock = {})
      : wait_(std::move(wait)), unblock_(std::move(unblock)) {}
  ~TargetEnd();
  TargetEnd(const TargetEnd&) = delete;
  TargetEnd& operator=(const TargetEnd&) = delete;

  // From the moment tracing starts: when the target ends first, bpftrace is stopped.
  void start();
  // The run is over, whatever ended it: the target's end no longer matters.
  // Unblocks the watch and waits for it; also on the way out of an error.
  void finish();
  // How the target ended, when that ended the run.
  std::optional<std::string> ended_the_run() const;

 private:
  Wait wait_;
  std::function<void()> unblock_;
  std::thread thread_;
  std::atomic<bool> over_{false};
  std::atomic<bool> ended_run_{false};
  std::string how_;
};

}  // namespace ebpfgen::run
