// The named groups of syscalls a spec can use in place of a syscall name
// (send, recv, wait, io): one table, read by the checker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ebpfgen {

// Members of a syscall group, or nullptr when `name` is not a group.
const std::vector<std::string>* syscall_group(std::string_view name);
std::vector<std::string> syscall_group_names();

}  // namespace ebpfgen
