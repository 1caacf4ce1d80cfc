// Map updates that failed in the kernel: counted from bpftrace's helper
// errors (`-k`), each traced back to the map its program line writes, or found
// afterwards as a map that is full (bpftrace-aotrt cannot report them).
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "report/format.hpp"
#include "report/records.hpp"

namespace ebpfgen::run {

class MapFailureLog {
 public:
  explicit MapFailureLog(std::string program) : program_(std::move(program)) {}
  // A helper error record: which map's call failed, by its place in the program.
  void add(const report::Record& helper_error);
  // A map the tracer holds full at the end, by its kernel name ("AT_..." cut to 15 characters).
  void add_full(const std::string& kernel_name, std::uint64_t limit);
  // The maps that failed since the last call (for the window that ends now).
  std::set<std::string> take_recent();
  std::vector<report::MapFailure> failures() const;

 private:
  std::string program_;
  std::map<std::tuple<std::string, std::string, std::int64_t>, std::uint64_t> counts_;  // (map, helper, error)
  std::vector<report::MapFailure> full_;
  std::set<std::string> recent_;
};

// The map (with '@') written by the statement at `line`:`column` of `program`
// (1-based, as bpftrace reports them), or "" when there is none.
std::string map_at(const std::string& program, int line, int column);

}  // namespace ebpfgen::run
