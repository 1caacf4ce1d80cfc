// The pipeline behind every command of ebpfgen: this machine's kernel facts
// read once, then parse -> check -> codegen -> run -> report for a spec, or
// one of the listings. main.cpp only turns the command line into a Request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "kernel/facts.hpp"
#include "run/run_spec.hpp"
#include "spec/ast.hpp"

namespace ebpfgen::pipeline {

enum class Action { Check, Emit, Run, Targets };

struct Request {
  Action action = Action::Check;
  Source source;  // empty with Targets and a target given on the command line
  // From the command line, replacing the spec's.
  std::optional<ast::Target> target;
  bool target_is_cgroup_option = false;  // --cgroup: a missing directory is a target not found
  std::optional<std::string> runtime;    // --runtime, for a container target
  bool descendants = false;              // --descendants, for a pid target
  std::optional<std::uint64_t> duration_ms;
  kernel::ReadOptions kernel;
  run::RunOptions run;
};

// Returns ebpfgen's exit status (run/preflight.hpp lists them).
int run(const Request& request);

// --list [PATTERN]: the probes a spec can name here, as `bpftrace -l` lists them.
int list_probes(const std::string& pattern, bool verbose);

// --symbols BINARY [PATTERN]: the functions a uprobe can name, demangled, with their
// mangled names; a PATTERN without wildcards matches anywhere in the name. A pid or
// container target says where the binary is seen.
int list_symbols(const std::string& binary, const std::optional<std::string>& pattern,
                 const std::optional<ast::Target>& target);

}  // namespace ebpfgen::pipeline
