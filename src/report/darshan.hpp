// `io posix`'s report: the file records the program printed, read back into
// Darshan's POSIX counters (spec/io_counters.hpp), written as darshan-parser's
// text (--format darshan), one JSON object per record (--format json), or a
// summary a person reads (the default table).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "report/format.hpp"
#include "report/window.hpp"
#include "spec/io_counters.hpp"

namespace ebpfgen::report {

// The records in a window's maps (@io_file, @io_reads, ...), ordered by process and path;
// `t0` is set to the run's start (kernel ns) when @io_t0 was printed.
std::vector<io::Record> io_records(const std::map<std::string, MapSnapshot>& maps, std::int64_t& t0);

// A mount table entry (/proc/PID/mountinfo).
struct Mount {
  std::string point, fs_type;
};
std::vector<Mount> parse_mountinfo(const std::string& text);
// The mount a path lies on: the longest mount point that is a whole-component prefix of it.
const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path);

// What the header says about the run.
struct IoRun {
  std::string exe;
  std::int64_t start_unix = 0, end_unix = 0;
  double seconds = 0;
  std::int64_t t0 = 0;
  // Each record's mount table, by pid (a process that has exited: ebpfgen's own).
  std::map<std::int64_t, std::vector<Mount>> mounts;
};

// darshan-parser's text for the records.
std::string darshan_text(const std::vector<io::Record>& records, const IoRun& run);
// The value of a counter as darshan-parser prints it ("-1" when not collected).
std::string counter_text(const io::Counter& counter, const io::Record& record, std::int64_t t0);

// Wraps `inner` (which reports everything but io posix's maps) for a spec with io posix.
std::unique_ptr<Reporter> make_io_reporter(Format format, std::ostream& out, const CheckedSpec& spec,
                                           std::unique_ptr<Reporter> inner);

}  // namespace ebpfgen::report
