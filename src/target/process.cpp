#include "target/process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ebpfgen::target {

namespace fs = std::filesystem;

bool process_exists(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::string process_comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

std::optional<std::uint64_t> namespace_inode(pid_t pid, const std::string& kind) {
  struct stat st {};
  if (::stat(("/proc/" + std::to_string(pid) + "/ns/" + kind).c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

std::optional<std::string> cgroup_path(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);  // the v2 hierarchy's line
  }
  return std::nullopt;
}

std::vector<pid_t> all_processes() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(std::stoi(name));
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::vector<pid_t> processes_in_namespace(const std::string& kind, std::uint64_t inode) {
  std::vector<pid_t> pids;
  for (pid_t pid : all_processes()) {
    if (namespace_inode(pid, kind) == inode) pids.push_back(pid);
  }
  return pids;
}

std::vector<pid_t> processes_named(const std::string& comm) {
  std::vector<pid_t> pids;
  for (pid_t pid : all_processes()) {
    if (process_comm(pid) == comm) pids.push_back(pid);
  }
  return pids;
}

std::vector<pid_t> processes_named_from(const std::string& prefix) {
  std::vector<pid_t> pids;
  for (pid_t pid : all_processes()) {
    if (process_comm(pid).starts_with(prefix)) pids.push_back(pid);
  }
  return pids;
}

namespace {

// The parent's pid: the field after the parenthesised comm in /proc/PID/stat.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  pid_t parent = 0;
  rest >> state >> parent;
  return parent;
}

}  // namespace

std::vector<pid_t> descendants_of(pid_t pid, int generations) {
  std::vector<pid_t> found, level = {pid};
  auto everyone = all_processes();
  std::vector<std::pair<pid_t, pid_t>> parents;  // (process, its parent)
  for (pid_t p : everyone) parents.emplace_back(p, parent_of(p));
  for (int g = 0; g < generations && !level.empty(); ++g) {
    std::vector<pid_t> next;
    for (const auto& [child, parent] : parents) {
      if (std::find(level.begin(), level.end(), parent) != level.end()) next.push_back(child);
    }
    found.insert(found.end(), next.begin(), next.end());
    level = next;
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<pid_t> cgroup_processes(const std::string& dir) {
  std::vector<pid_t> pids;
  std::ifstream in(dir + "/cgroup.procs");
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  std::sort(pids.begin(), pids.end());
  return pids;
}

bool wait_for_exit(pid_t pid, const std::atomic<bool>& give_up) {
  // A pidfd becomes readable when the process exits; a pid could be reused, a pidfd cannot.
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {  // gone already, or a kernel without pidfds: ask every 100 ms
    while (!give_up) {
      if (!process_exists(pid)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  bool exited = false;
  while (!exited && !give_up) {
    struct pollfd p {fd, POLLIN, 0};
    exited = ::poll(&p, 1, 100) > 0;
  }
  ::close(fd);
  return exited;
}

}  // namespace ebpfgen::target
