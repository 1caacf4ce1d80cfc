// The mount tables of processes (/proc/PID/mountinfo), for io posix's report:
// each record's mount point and file system type, as Darshan's log has them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ebpfgen::target {

struct Mount {
  std::string point, fs_type;
};

std::vector<Mount> parse_mountinfo(const std::string& text);
// The mount a path lies on: the longest mount point that is a whole-component prefix of it.
const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path);

// Each process's mount table, by pid; a process that has exited gets ebpfgen's own.
std::map<std::int64_t, std::vector<Mount>> mount_tables(const std::set<std::int64_t>& pids);

}  // namespace ebpfgen::target
