#include "run/stop_map.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace ebpfgen::run {

namespace {

long bpf(int command, union bpf_attr& attr) { return ::syscall(SYS_bpf, command, &attr, sizeof attr); }

// The values of one field ("map_id:", "recursion_misses:") over the fds a process holds, from /proc/PID/fdinfo.
std::vector<std::uint64_t> fdinfo_values(pid_t pid, const std::string& field) {
  std::vector<std::uint64_t> values;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/fdinfo", pid), ec)) {
    std::ifstream in(entry.path());
    std::string key;
    std::uint64_t value = 0;
    while (in >> key) {
      if (key == field && in >> value) values.push_back(value);
      else in.ignore(4096, '\n');
    }
  }
  return values;
}

}  // namespace

std::uint64_t skipped_program_runs(pid_t tracer) {
  std::uint64_t skipped = 0;
  for (auto misses : fdinfo_values(tracer, "recursion_misses:")) skipped += misses;
  return skipped;
}

std::string set_stop_map(pid_t tracer, const std::string& name) {
  const std::string wanted = "AT_" + name;  // bpftrace's name for @name (at most 15 characters)
  for (std::uint64_t id : fdinfo_values(tracer, "map_id:")) {
    union bpf_attr by_id {};
    by_id.map_id = static_cast<std::uint32_t>(id);
    int fd = static_cast<int>(bpf(BPF_MAP_GET_FD_BY_ID, by_id));
    if (fd < 0) continue;
    struct bpf_map_info info {};
    union bpf_attr get {};
    get.info.bpf_fd = static_cast<std::uint32_t>(fd);
    get.info.info_len = sizeof info;
    get.info.info = reinterpret_cast<std::uint64_t>(&info);
    bool found = bpf(BPF_OBJ_GET_INFO_BY_FD, get) == 0 && wanted == info.name;
    std::string error;
    if (found) {
      if (info.key_size != 8 || info.value_size != 8) {
        error = fmt::format("map {} has keys of {} and values of {} bytes, not 8", wanted, info.key_size, info.value_size);
      } else {
        std::uint64_t key = 0, value = 1;  // bpftrace keys a map without keys by 0
        union bpf_attr update {};
        update.map_fd = static_cast<std::uint32_t>(fd);
        update.key = reinterpret_cast<std::uint64_t>(&key);
        update.value = reinterpret_cast<std::uint64_t>(&value);
        update.flags = BPF_ANY;
        if (bpf(BPF_MAP_UPDATE_ELEM, update) != 0) error = fmt::format("cannot set {}: {}", wanted, std::strerror(errno));
      }
    }
    ::close(fd);
    if (found) return error;
  }
  return fmt::format("the tracer (pid {}) holds no map {}", tracer, wanted);
}

}  // namespace ebpfgen::run
