#include "target/resolve.hpp"

#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "target/process.hpp"

namespace ebpfgen::target {

namespace fs = std::filesystem;

namespace {

constexpr long cgroup2_magic = 0x63677270;  // CGROUP2_SUPER_MAGIC
constexpr std::size_t listed_processes = 8;

// "1234 nginx, 1240 nginx, ... (12 in all)"
std::string process_list(const std::vector<pid_t>& pids) {
  if (pids.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < pids.size() && i < listed_processes; ++i) {
    out += fmt::format("{}{} {}", i ? ", " : "", pids[i], process_comm(pids[i]));
  }
  if (pids.size() > listed_processes) out += fmt::format(", ... ({} in all)", pids.size());
  return out;
}

std::string cgroup_fact(pid_t pid) {
  auto path = cgroup_path(pid);
  return "cgroup: " + (path ? *path : std::string("unknown"));
}

Resolved resolve_pid(const ast::Target& t) {
  pid_t pid = static_cast<pid_t>(std::stol(t.value));
  if (!process_exists(pid)) throw TargetError(fmt::format("no process {}: it has ended, or never was", pid));
  Resolved r;
  std::size_t threads = 0;
  std::error_code ec;
  for ([[maybe_unused]] const auto& task : fs::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) ++threads;
  r.facts = {fmt::format("process {} ({}), {} thread{}", pid, process_comm(pid), threads, threads == 1 ? "" : "s"),
             cgroup_fact(pid)};
  if (t.descendants) {
    r.facts.push_back("its descendants now: " + process_list(descendants_of(pid, ast::descendant_generations)));
  }
  r.watched = pid;
  r.watched_name = fmt::format("process {}", pid);
  return r;
}

Resolved resolve_comm(const ast::Target& t) {
  auto pids = t.prefix ? processes_named_from(t.value) : processes_named(t.value);
  return {std::nullopt,
          {fmt::format("processes {} '{}' running now: {}", t.prefix ? "whose name starts with" : "named", t.value,
                       process_list(pids)),
           "processes that take this name later are traced too"},
          std::nullopt,
          ""};
}

std::string no_cgroup(const std::string& path, const std::string& dir) {
  return fmt::format("cgroup '{}' does not exist: no directory {}", path, dir);
}

Resolved resolve_cgroup(const ast::Target& t, const std::string& cgroup2) {
  std::string dir = cgroup_directory(t.value, cgroup2);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw TargetError(no_cgroup(t.value, dir));
  struct statfs fs_info {};
  if (::statfs(dir.c_str(), &fs_info) != 0 || fs_info.f_type != cgroup2_magic) {
    throw TargetError(fmt::format("{} is not a cgroup v2 directory (cgroup v2 is mounted at {})", dir, cgroup2));
  }
  Resolved r;
  r.facts = {fmt::format("cgroup v2 directory {}, id {}", dir, st.st_ino),
             "processes now: " + process_list(cgroup_processes(dir))};
  std::vector<std::string> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) children.push_back(entry.path().filename().string());
  }
  if (!children.empty()) {
    std::sort(children.begin(), children.end());
    std::string names;
    for (const auto& c : children) names += (names.empty() ? "" : ", ") + c;
    r.facts.push_back("not traced: its child cgroups " + names);
  }
  return r;
}

Resolved resolve_container(const ast::Target& t) {
  Container c = find_container(t.value, t.runtime);
  auto mount_ns = namespace_inode(c.pid, "mnt");
  if (!mount_ns) throw TargetError(fmt::format("container '{}' ({}) ended while it was looked up", t.value, c.runtime));
  if (mount_ns == namespace_inode(::getpid(), "mnt")) {
    throw TargetError(fmt::format("container '{}' shares this machine's mount namespace, so it cannot be told apart "
                                  "by it; trace its cgroup with --cgroup instead",
                                  t.value));
  }
  Resolved r;
  r.parameter = *mount_ns;
  r.facts = {fmt::format("container '{}' ({}, id {}), first process {} ({})", t.value, c.runtime, c.id.substr(0, 12),
                         c.pid, process_comm(c.pid)),
             fmt::format("mount namespace {}: every process in the container, also those started later", *mount_ns),
             "processes now: " + process_list(processes_in_namespace("mnt", *mount_ns)), cgroup_fact(c.pid)};
  r.watched = c.pid;
  r.watched_name = fmt::format("container '{}'", t.value);
  return r;
}

}  // namespace

std::string cgroup_directory(const std::string& path, const std::string& cgroup2) {
  if (path == "/sys/fs/cgroup" || path.starts_with("/sys/fs/cgroup/")) return path;
  std::string relative = path;
  while (relative.starts_with("/")) relative.erase(0, 1);
  return relative.empty() ? cgroup2 : cgroup2 + "/" + relative;
}

std::string missing_cgroup(const std::string& path, const std::string& cgroup2) {
  std::string dir = cgroup_directory(path, cgroup2);
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return "";
  return no_cgroup(path, dir);
}

symbols::SearchRoot binaries_root(const Resolved& target) {
  if (!target.watched) return {};  // no one process: the whole system, a comm, a cgroup, a command
  pid_t pid = *target.watched;
  symbols::SearchRoot root;
  root.pid = pid;
  if (namespace_inode(pid, "mnt") != namespace_inode(::getpid(), "mnt")) root.root = fmt::format("/proc/{}/root", pid);
  return root;
}

Resolved resolve_target(const ast::Target& target, const kernel::Facts& facts) {
  switch (target.kind) {
    case ast::TargetKind::All: return {std::nullopt, {"the whole system"}, std::nullopt, ""};
    case ast::TargetKind::Pid: return resolve_pid(target);
    case ast::TargetKind::Comm: return resolve_comm(target);
    case ast::TargetKind::Cgroup: return resolve_cgroup(target, facts.cgroup2);
    case ast::TargetKind::Container: return resolve_container(target);
    case ast::TargetKind::Command:
      return {std::nullopt,
              {"a command ebpfgen launches in a cgroup v2 leaf of its own under " + facts.cgroup2,
               "it and every process it starts, from its first instruction"},
              std::nullopt,
              ""};
  }
  return {};
}

}  // namespace ebpfgen::target
