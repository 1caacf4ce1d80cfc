#include "run/launch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "diag/exit_status.hpp"
#include <thread>

#include <fmt/format.h>


namespace ebpfgen::run {

namespace {

bool write_file(const std::string& path, const char* text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
  ::close(fd);
  return ok;
}

}  // namespace

LaunchedCommand::LaunchedCommand(const std::vector<std::string>& argv, const std::string& cgroup2) {
  if (argv.empty()) throw std::runtime_error("the command is empty");
  leaf_ = fmt::format("{}/ebpfgen-{}", cgroup2, ::getpid());
  if (::mkdir(leaf_.c_str(), 0755) != 0 && errno != EEXIST) {
    throw std::runtime_error(fmt::format("cannot make the cgroup {}: {}", leaf_, std::strerror(errno)));
  }
  struct stat st {};
  ::stat(leaf_.c_str(), &st);
  cgroup_id_ = st.st_ino;  // a cgroup v2 directory's inode number is the cgroup id bpftrace sees

  int go[2];
  if (::pipe2(go, O_CLOEXEC) != 0) throw std::runtime_error("cannot make a pipe");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string procs = leaf_ + "/cgroup.procs";
  // Made before the fork: the child writes them with write(2) alone, and nothing from the
  // command line reaches the terminal unescaped.
  const std::string cannot_enter = error_line("cannot enter the cgroup " + leaf_) + "\n";
  const std::string cannot_run = error_line("cannot run " + argv.front()) + ": ";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("cannot fork");
  if (pid_ == 0) {  // the command: join the leaf, wait for the go, become the program
    ::close(go[1]);
    if (!write_file(procs, "0")) {
      (void)!::write(2, cannot_enter.data(), cannot_enter.size());
      ::_exit(127);
    }
    char byte;
    if (::read(go[0], &byte, 1) != 1) ::_exit(127);  // ebpfgen gave up before tracing started
    ::execvp(args[0], args.data());
    const char* why = std::strerror(errno);
    (void)!::write(2, cannot_run.data(), cannot_run.size());
    (void)!::write(2, why, std::strlen(why));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::close(go[0]);
  go_fd_ = go[1];
}

void LaunchedCommand::release() {
  if (go_fd_ < 0) return;
  (void)!::write(go_fd_, "g", 1);
  ::close(go_fd_);
  go_fd_ = -1;
}

std::string LaunchedCommand::wait() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

void LaunchedCommand::kill_all() {
  if (go_fd_ >= 0) {
    ::close(go_fd_);  // a command never released ends by itself
    go_fd_ = -1;
  }
  write_file(leaf_ + "/cgroup.kill", "1");
}

LaunchedCommand::~LaunchedCommand() {
  kill_all();
  if (pid_ > 0) wait();
  // The leaf can be removed once its processes are gone.
  for (int i = 0; i < 100 && ::rmdir(leaf_.c_str()) != 0 && errno == EBUSY; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace ebpfgen::run
