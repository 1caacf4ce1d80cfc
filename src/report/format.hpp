// Writing windows and the run's summary: a live table for terminals, JSON
// (one object per window, then a summary) or CSV (one row per window); one
// reporter per file (table_reporter.cpp, json_reporter.cpp, csv_reporter.cpp,
// io_reporter.cpp), their shared text in report_text.hpp.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "report/metrics.hpp"
#include "report/window.hpp"
#include "target/mounts.hpp"

namespace ebpfgen::report {

enum class Format { Table, Json, Csv, Darshan };  // Darshan: darshan-parser's text, for io posix

// The version of --format json's objects (docs/EXPORT.md): raised when a field
// changes meaning or goes away, not when one is added.
inline constexpr int json_schema_version = 1;

// Calls on one map that failed in the kernel (bpftrace -k), or a map found full
// at the end (under bpftrace-aotrt, which cannot count them).
struct MapFailure {
  std::string map;           // with its '@'
  std::string helper;        // "map_update_elem", ...; "" when found full
  std::int64_t error = 0;    // the helper's return value (-7: E2BIG, the map is full)
  std::uint64_t count = 0;   // failed calls
  std::uint64_t limit = 0;   // the map's key limit, when found full
};

// What happened to the run, for the summary.
struct RunFacts {
  std::vector<MapFailure> map_failures;
  std::uint64_t lost_events = 0;
  std::uint64_t skipped_runs = 0;  // probe runs the kernel skipped (recursion_misses)
  bool interrupted = false;
  std::string ended_by;  // "" when the run ended as planned
  std::string tracer;    // which program ran it, and why
  // io posix: each record's process's mount table, by pid (target/mounts.hpp reads them).
  std::map<std::int64_t, std::vector<target::Mount>> mounts;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void event(const std::string& line) = 0;  // a per-event print
  virtual void window(const Window& window, const RequestFigures& figures) = 0;
  virtual void summary(const Window& run, const RequestFigures& figures, const RunFacts& facts) = 0;
};

std::unique_ptr<Reporter> make_reporter(Format format, std::ostream& out, const CheckedSpec& spec);

// What the summary says about one map's failures.
std::string map_failure_warning(const MapFailure& failure, std::uint64_t map_keys);

// What the summary says when the kernel skipped probe runs.
std::string skipped_runs_warning(std::uint64_t skipped);

// A time in ns in the unit that keeps it short ("4.1us", "2.1ms").
std::string human_ns(double ns);
// A hist or lhist bucket the way bpftrace labels it ("[4, 8)", "[1K, 2K)").
std::string bucket_label(const Bucket& b);

// A map the way bpftrace prints it (histograms with bars).
std::string bpftrace_style(const MapSnapshot& map);

}  // namespace ebpfgen::report
