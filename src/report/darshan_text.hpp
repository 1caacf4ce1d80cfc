// darshan-parser's text of `io posix`'s records (--format darshan): the job's
// header, the mount table, and every POSIX counter of every record.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "spec/io_counters.hpp"
#include "target/mounts.hpp"

namespace ebpfgen::report {

// What the header says about the run.
struct IoRun {
  std::string exe;
  std::int64_t start_unix = 0, end_unix = 0;
  double seconds = 0;
  std::int64_t t0 = 0;
  // Each record's mount table, by pid (target/mounts.hpp reads them).
  std::map<std::int64_t, std::vector<target::Mount>> mounts;
};

std::string darshan_text(const std::vector<io::Record>& records, const IoRun& run);
// The value of a counter as darshan-parser prints it ("-1" when not collected).
std::string counter_text(const io::Counter& counter, const io::Record& record, std::int64_t t0);
// The mount a record's path lies on, in its process's table ("UNKNOWN" when none is known).
target::Mount mount_for(const IoRun& run, const io::Record& r);

}  // namespace ebpfgen::report
