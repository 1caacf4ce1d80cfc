// The syscall catalogue: which syscalls exist and what their arguments are
// called, from the running kernel's tracefs or, when it is not mounted, a
// built-in x86-64 table. kernel::Facts reads it once (kernel/facts.hpp).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfgen {

// One field of a tracepoint's record, as its format file states it.
struct EventField {
  std::string name;
  std::string type;  // C type, e.g. "const char *", "unsigned int"
};

struct SyscallInfo {
  std::string name;
  std::vector<EventField> args;  // in call order
};

class SyscallCatalog {
 public:
  static SyscallCatalog builtin();
  // Reads events/syscalls/sys_enter_*/format below a tracefs mount.
  static std::optional<SyscallCatalog> from_tracefs(const std::filesystem::path& tracefs);

  const SyscallInfo* find(std::string_view name) const;
  std::vector<std::string> names() const;
  const std::string& origin() const { return origin_; }
  // Whether the kernel has the socket tracepoints the request metrics use
  // (sock:sock_send_length, sock:sock_recv_length, sock:inet_sock_set_state;
  // Linux 6.4 and later). The built-in table assumes such a kernel.
  bool socket_tracepoints() const { return socket_tracepoints_; }

 private:
  std::map<std::string, SyscallInfo, std::less<>> syscalls_;
  std::string origin_;
  bool socket_tracepoints_ = true;
};

// The fields of one tracepoint's record (common_* fields left out), or
// nothing when tracefs is not mounted or the tracepoint is unknown.
std::optional<std::vector<EventField>> read_event_format(const std::filesystem::path& format_file);

}  // namespace ebpfgen
