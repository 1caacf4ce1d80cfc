#include "check/syscalls.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

namespace ebpfgen {

namespace {

struct BuiltinEntry {
  const char* name;
  std::vector<EventField> args;
};

// x86-64, generated from a kernel's tracefs by scripts/gen-syscall-table.
const std::vector<BuiltinEntry>& builtin_table() {
  static const std::vector<BuiltinEntry> table = {
#include "check/syscall_table.inc"
  };
  return table;
}

}  // namespace

SyscallCatalog SyscallCatalog::builtin() {
  SyscallCatalog catalog;
  catalog.origin_ = "built-in x86-64 table";
  for (const auto& entry : builtin_table()) catalog.syscalls_[entry.name] = {entry.name, entry.args};
  return catalog;
}

std::optional<std::vector<EventField>> read_event_format(const std::filesystem::path& format_file) {
  std::ifstream in(format_file);
  if (!in) return std::nullopt;
  // e.g. "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;"
  static const std::regex field_line(R"(^\s*field:(.*[ *])([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?;\s*offset:)");
  std::vector<EventField> fields;
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (!std::regex_search(line, m, field_line)) continue;
    std::string type = m[1].str();
    while (!type.empty() && type.back() == ' ') type.pop_back();
    std::string name = m[2].str();
    if (name.starts_with("common_") || name == "__syscall_nr") continue;
    fields.push_back({name, type + m[3].str()});
  }
  return fields;
}

std::optional<std::filesystem::path> tracefs_root() {
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(dir) / "events", ec)) return dir;
  }
  return std::nullopt;
}

std::string cgroup2_mount() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, dir, type, rest;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2") return dir;
  }
  return "/sys/fs/cgroup";
}

namespace {
const std::vector<const char*> socket_tracepoint_names = {"sock_send_length", "sock_recv_length", "inet_sock_set_state"};
}  // namespace

std::optional<SyscallCatalog> SyscallCatalog::from_tracefs(const std::filesystem::path& tracefs) {
  std::error_code ec;
  std::filesystem::directory_iterator it(tracefs / "events" / "syscalls", ec);
  if (ec) return std::nullopt;
  SyscallCatalog catalog;
  catalog.origin_ = "kernel tracefs";
  for (const auto& entry : it) {
    std::string dir = entry.path().filename().string();
    if (!dir.starts_with("sys_enter_")) continue;
    std::string name = dir.substr(10);
    auto args = read_event_format(entry.path() / "format");
    if (args) catalog.syscalls_[name] = {name, *args};
  }
  if (catalog.syscalls_.empty()) return std::nullopt;
  catalog.socket_tracepoints_ = std::all_of(socket_tracepoint_names.begin(), socket_tracepoint_names.end(), [&](const char* name) {
    return std::filesystem::exists(tracefs / "events" / "sock" / name / "format", ec);
  });
  return catalog;
}

SyscallCatalog SyscallCatalog::load() {
  if (auto root = tracefs_root()) {
    if (auto catalog = from_tracefs(*root)) return *catalog;
  }
  return builtin();
}

const SyscallInfo* SyscallCatalog::find(std::string_view name) const {
  auto it = syscalls_.find(name);
  return it == syscalls_.end() ? nullptr : &it->second;
}

std::vector<std::string> SyscallCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : syscalls_) out.push_back(name);
  return out;
}

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
