#include "check/syscall_groups.hpp"

#include <map>

namespace ebpfgen {

namespace {

// The server loop of the paper: wait -> receive -> process -> send.
const std::map<std::string, std::vector<std::string>, std::less<>>& groups() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      {"send", {"write", "writev", "sendto", "sendmsg", "sendmmsg"}},
      {"recv", {"read", "readv", "recvfrom", "recvmsg", "recvmmsg"}},
      {"wait", {"epoll_wait", "epoll_pwait", "epoll_pwait2", "select", "pselect6", "poll", "ppoll"}},
      // File I/O as Darshan's POSIX module sees it.
      {"io", {"open", "openat", "creat", "close", "read", "write", "pread64", "pwrite64", "readv", "writev",
              "preadv", "pwritev", "preadv2", "pwritev2", "lseek", "fsync", "fdatasync"}},
  };
  return table;
}

}  // namespace

const std::vector<std::string>* syscall_group(std::string_view name) {
  auto it = groups().find(name);
  return it == groups().end() ? nullptr : &it->second;
}

std::vector<std::string> syscall_group_names() {
  std::vector<std::string> out;
  for (const auto& [name, members] : groups()) out.push_back(name);
  return out;
}

}  // namespace ebpfgen
