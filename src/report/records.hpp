// Reading bpftrace 0.17's `-f json` output: one JSON object per line,
// {"type": T, "data": D}. Maps are turned into typed values: integers,
// stats (count/average/total) and histograms, keyed or not.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ebpfgen::report {

// One histogram bucket; bpftrace leaves out `min` below zero and `max` in
// the overflow bucket of lhist.
struct Bucket {
  std::optional<std::int64_t> min, max;
  std::uint64_t count = 0;
  bool operator==(const Bucket&) const = default;
};
using Histogram = std::vector<Bucket>;

struct Stats {
  std::uint64_t count = 0;
  std::int64_t total = 0;
  bool operator==(const Stats&) const = default;
};

using Value = std::variant<std::int64_t, Stats, Histogram>;

// A printed map: "" is the key of a map without keys.
struct MapSnapshot {
  std::string name;  // with its '@'
  std::map<std::string, Value> entries;
  std::map<std::string, std::string> raw;  // values that are strings or tuples, as their JSON text
};

struct Record {
  // Cut: a mark the generated program prints, "run_start NS", "window_end NS" or "run_end NS".
  enum class Kind { Map, Printf, Cut, Time, LostEvents, Attached, HelperError, Blank, Other };
  Kind kind = Kind::Other;
  std::string text;          // printf and time text, the cut's name, helper error message
  std::uint64_t number = 0;  // lost events, attached probes, a cut's kernel time (ns)
  MapSnapshot map;
  // A helper error (`bpftrace -k`): the helper (text), its return value, and
  // where in the program the failing call is.
  std::int64_t error = 0;
  int line = 0, column = 0;
};

// Parses one line of output; throws std::runtime_error on lines that are not bpftrace JSON.
Record parse_record(const std::string& line);

}  // namespace ebpfgen::report
