// The file a uprobe's "in" names: an absolute path, a shared library or a program.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ebpfgen::symbols {

// Where to look: the host, or a process's view of the files ("/proc/PID/root")
// whose memory maps and PATH then take part.
struct SearchRoot {
  std::string root = "/";
  std::optional<int> pid;
};

// The PATH used without a pid when ebpfgen has none, or under another root.
inline constexpr std::string_view default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The path of the binary, prefixed with the root. "/abs/path" must be a
// regular file; "libc", "libssl.so" or "libz.so.1" is looked up among the
// files the pid maps, then in the usual library directories; another bare name
// is a program on PATH: the pid's, or ebpfgen's own. Throws Error.
std::string find_binary(std::string_view name, const SearchRoot& root = {});

}  // namespace ebpfgen::symbols
