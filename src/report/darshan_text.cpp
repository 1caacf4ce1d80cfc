#include "report/darshan_text.hpp"

#include <ctime>
#include <set>

#include <fmt/format.h>

#include "report/io_records.hpp"

namespace ebpfgen::report {

namespace {

std::string ctime_text(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  char buffer[64];
  return ctime_r(&t, buffer) ? std::string(buffer) : "\n";
}

std::string header(const std::vector<io::Record>& records, const IoRun& run, const std::map<std::int64_t, int>& rank_of) {
  std::string out;
  out += "# darshan log version: 3.41\n";
  out += "# compression method: NONE\n";
  out += fmt::format("# exe: {}\n", run.exe);
  out += fmt::format("# uid: {}\n", records.empty() ? -1 : records.front().uid);
  out += fmt::format("# jobid: {}\n", records.empty() ? 0 : records.front().pid);
  out += fmt::format("# start_time: {}\n", run.start_unix);
  out += "# start_time_asci: " + ctime_text(run.start_unix);
  out += fmt::format("# end_time: {}\n", run.end_unix);
  out += "# end_time_asci: " + ctime_text(run.end_unix);
  out += fmt::format("# nprocs: {}\n", std::max<std::size_t>(1, rank_of.size()));
  out += fmt::format("# run time: {:.4f}\n", run.seconds);
  out += "# metadata: lib_ver = ebpfgen (counted from syscall tracepoints; no Darshan log file)\n";
  for (const auto& [pid, rank] : rank_of) out += fmt::format("# metadata: rank {} = pid {}\n", rank, pid);
  out += "\n# log file regions\n# -------------------------------------------------------\n";
  out += "# none: the counters come from kernel events, not from a log file\n";
  out += "\n# mounted file systems (mount point and fs type)\n# -------------------------------------------------------\n";
  std::set<std::pair<std::string, std::string>> mounts;
  for (const auto& r : records) {
    target::Mount m = mount_for(run, r);
    if (m.point != "UNKNOWN") mounts.insert({m.point, m.fs_type});
  }
  for (const auto& [point, type] : mounts) out += fmt::format("# mount entry:\t{}\t{}\n", point, type);
  return out;
}

constexpr const char* columns =
    "\n# description of columns:\n"
    "#   <module>: module responsible for this I/O record.\n"
    "#   <rank>: MPI rank.  -1 indicates that the file is shared\n"
    "#      across all processes and statistics are aggregated.\n"
    "#   <record id>: hash of the record's file path\n"
    "#   <counter name> and <counter value>: statistical counters.\n"
    "#      A value of -1 indicates that Darshan could not monitor\n"
    "#      that counter, and its value should be ignored.\n"
    "#   <file name>: full file path for the record.\n"
    "#   <mount pt>: mount point that the file resides on.\n"
    "#   <fs type>: type of file system that the file resides on.\n";

}  // namespace

target::Mount mount_for(const IoRun& run, const io::Record& r) {
  auto it = run.mounts.find(r.pid);
  if (it != run.mounts.end())
    if (const target::Mount* m = target::mount_of(it->second, r.path)) return *m;
  return {"UNKNOWN", "UNKNOWN"};
}

std::string counter_text(const io::Counter& counter, const io::Record& record, std::int64_t t0) {
  auto v = counter.value(record, t0);
  if (!v) return "-1";
  if (counter.is_float) return fmt::format("{:.6f}", static_cast<double>(*v));
  return std::to_string(static_cast<std::int64_t>(*v));
}

std::string darshan_text(const std::vector<io::Record>& records, const IoRun& run) {
  auto rank_of = ranks(records);
  std::string out = header(records, run, rank_of) + columns;
  out += "\n# *******************************************************\n# POSIX module data\n"
         "# *******************************************************\n";
  out += "\n#<module>\t<rank>\t<record id>\t<counter>\t<value>\t<file name>\t<mount pt>\t<fs type>\n";
  for (const auto& r : records) {
    target::Mount m = mount_for(run, r);
    std::uint64_t id = io::record_id(r.path);
    for (const auto& c : io::posix_counters()) {
      out += fmt::format("POSIX\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", rank_of[r.pid], id, c.name, counter_text(c, r, run.t0),
                         r.path, m.point, m.fs_type);
    }
  }
  return out;
}

}  // namespace ebpfgen::report
