// Which tracer runs a program, and how: bpftrace's ahead-of-time runtime where
// bpftrace 0.17 can compile the program so (a lean tracer that attaches at
// once), plain bpftrace otherwise, with the reason the summary gives.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "run/options.hpp"

namespace ebpfgen::run {

struct TracerRun {
  std::string tracer;  // bpftrace-aotrt, or RunOptions::bpftrace
  std::vector<std::string> args;  // the program's target parameter ($1) included, when it has one
  std::map<std::string, std::string> environment;
  bool compiled = false;
  std::string description;  // "bpftrace-aotrt (compiled ahead of time, ...)" or "bpftrace (why not)"
};

// `path` is the program's file; compiled programs are cached by `bpftrace_version`.
TracerRun choose_tracer(const CheckedSpec& spec, const std::string& program, const std::string& path,
                        const RunOptions& options, const std::string& bpftrace_version);

}  // namespace ebpfgen::run
