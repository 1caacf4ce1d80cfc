#include "kernel/syscalls.hpp"

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
#include "kernel/syscall_table.inc"
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

const SyscallInfo* SyscallCatalog::find(std::string_view name) const {
  auto it = syscalls_.find(name);
  return it == syscalls_.end() ? nullptr : &it->second;
}

std::vector<std::string> SyscallCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : syscalls_) out.push_back(name);
  return out;
}

}  // namespace ebpfgen
