// What /proc says about processes: the facts a target resolves to.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebpfgen::target {

bool process_exists(pid_t pid);
// The process's name as the kernel keeps it (comm), or "" when it is gone.
std::string process_comm(pid_t pid);
// The inode of one of its namespaces ("mnt", "pid"), the number bpftrace reads
// from curtask->nsproxy; nullopt when the process is gone.
std::optional<std::uint64_t> namespace_inode(pid_t pid, const std::string& kind);
// Its cgroup v2 path relative to the cgroup2 mount ("/system.slice/x.scope").
std::optional<std::string> cgroup_path(pid_t pid);
// Every process now running, ascending.
std::vector<pid_t> all_processes();
// Those in one namespace / with one comm.
std::vector<pid_t> processes_in_namespace(const std::string& kind, std::uint64_t inode);
std::vector<pid_t> processes_named(const std::string& comm);
// The processes whose name starts with `prefix`.
std::vector<pid_t> processes_named_from(const std::string& prefix);
// Its children, their children and so on, `generations` deep, ascending.
std::vector<pid_t> descendants_of(pid_t pid, int generations);
// The processes of a cgroup v2 directory (its cgroup.procs).
std::vector<pid_t> cgroup_processes(const std::string& dir);

}  // namespace ebpfgen::target

namespace ebpfgen::target {

// Waits until the process exits (true) or `give_up` is set (false).
bool wait_for_exit(pid_t pid, const std::atomic<bool>& give_up);

}  // namespace ebpfgen::target
