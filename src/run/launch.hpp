// Launching the command of a `command` target: it starts in a cgroup v2
// leaf of its own, so the program traces it and everything it forks by the
// leaf's id, and it is held before its first instruction until bpftrace has
// attached every probe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ebpfgen::run {

class LaunchedCommand {
 public:
  // Makes the leaf under the cgroup v2 mount `cgroup2` and forks the command, held;
  // throws std::runtime_error.
  LaunchedCommand(const std::vector<std::string>& argv, const std::string& cgroup2);
  // Ends whatever is left in the leaf and removes it.
  ~LaunchedCommand();
  LaunchedCommand(const LaunchedCommand&) = delete;
  LaunchedCommand& operator=(const LaunchedCommand&) = delete;

  std::uint64_t cgroup_id() const { return cgroup_id_; }
  // Lets the command run.
  void release();
  // Waits for the command to end; says how ("exited with status 0").
  std::string wait();
  // Ends every process left in the leaf.
  void kill_all();

 private:
  std::string leaf_;
  std::uint64_t cgroup_id_ = 0;
  pid_t pid_ = -1;
  int go_fd_ = -1;  // writing to it releases the command
};

}  // namespace ebpfgen::run
