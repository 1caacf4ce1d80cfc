#include "run/target_end.hpp"

#include "run/bpftrace.hpp"

namespace ebpfgen::run {

TargetEnd::~TargetEnd() { finish(); }

void TargetEnd::start() {
  thread_ = std::thread([this] {
    how_ = wait_(over_);
    if (!how_.empty() && !over_.exchange(true)) {
      ended_run_ = true;
      stop_bpftrace();
    }
  });
}

void TargetEnd::finish() {
  over_ = true;
  if (unblock_) unblock_();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> TargetEnd::ended_the_run() const {
  return ended_run_ ? std::optional<std::string>(how_) : std::nullopt;
}

}  // namespace ebpfgen::run
