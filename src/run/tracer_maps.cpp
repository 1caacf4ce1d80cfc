#include "run/tracer_maps.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
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

// Calls `visit(fd, info)` for each of the tracer's maps; stops when it returns true.
template <typename Visit>
void for_each_map(pid_t tracer, Visit visit) {
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
    bool done = bpf(BPF_OBJ_GET_INFO_BY_FD, get) == 0 && visit(fd, info);
    ::close(fd);
    if (done) return;
  }
}

std::string set_stop_map(pid_t tracer, std::string_view name) {
  const std::string wanted = "AT_" + std::string(name);  // bpftrace's name for @name (at most 15 characters)
  std::optional<std::string> outcome;
  for_each_map(tracer, [&](int fd, const bpf_map_info& info) {
    if (wanted != info.name) return false;
    if (info.key_size != 8 || info.value_size != 8) {
      outcome = fmt::format("map {} has keys of {} and values of {} bytes, not 8", wanted, info.key_size, info.value_size);
      return true;
    }
    std::uint64_t key = 0, value = 1;  // bpftrace keys a map without keys by 0
    union bpf_attr update {};
    update.map_fd = static_cast<std::uint32_t>(fd);
    update.key = reinterpret_cast<std::uint64_t>(&key);
    update.value = reinterpret_cast<std::uint64_t>(&value);
    update.flags = BPF_ANY;
    outcome = bpf(BPF_MAP_UPDATE_ELEM, update) == 0 ? "" : fmt::format("cannot set {}: {}", wanted, std::strerror(errno));
    return true;
  });
  return outcome.value_or(fmt::format("the tracer (pid {}) holds no map {}", tracer, wanted));
}

std::vector<FullMap> full_maps(pid_t tracer) {
  std::vector<FullMap> full;
  for_each_map(tracer, [&](int fd, const bpf_map_info& info) {
    bool hash = info.type == BPF_MAP_TYPE_HASH || info.type == BPF_MAP_TYPE_PERCPU_HASH;
    if (!hash || std::string_view(info.name).rfind("AT_", 0) != 0 || info.max_entries <= 1) return false;
    // Count the keys, up to the limit.
    std::vector<unsigned char> key(info.key_size), next(info.key_size);
    std::uint32_t keys = 0;
    union bpf_attr walk {};
    walk.map_fd = static_cast<std::uint32_t>(fd);
    walk.key = 0;  // the first key
    walk.next_key = reinterpret_cast<std::uint64_t>(next.data());
    while (keys < info.max_entries && bpf(BPF_MAP_GET_NEXT_KEY, walk) == 0) {
      ++keys;
      key.swap(next);
      walk.key = reinterpret_cast<std::uint64_t>(key.data());
      walk.next_key = reinterpret_cast<std::uint64_t>(next.data());
    }
    if (keys >= info.max_entries) full.push_back({info.name, info.max_entries});
    return false;
  });
  return full;
}

}  // namespace ebpfgen::run
