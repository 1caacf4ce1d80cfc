// The one driver behind every command of ebpfgen: this machine's kernel facts
// read once, then for a spec prepare (parse, the command line's replacements)
// -> check -> resolve (target/: the target and the binaries it names) ->
// codegen -> trace -> report, or one of the listings. main.cpp only turns the
// command line into a Request.
#pragma once

#include <optional>
#include <string>

#include "diag/diagnostic.hpp"
#include "kernel/facts.hpp"
#include "pipeline/prepare.hpp"
#include "run/options.hpp"
#include "spec/ast.hpp"

namespace ebpfgen::pipeline {

struct Request {
  Action action = Action::Check;
  Source source;  // empty with Targets and a target given on the command line
  Overrides overrides;
  kernel::ReadOptions kernel;
  run::RunOptions run;
};

// Returns ebpfgen's exit status (diag/exit_status.hpp).
int run(const Request& request);

// --list [PATTERN]: the probes a spec can name here, as `bpftrace -l` lists them.
int list_probes(const std::string& pattern, bool verbose);

// --symbols BINARY [PATTERN]: the functions a uprobe can name, demangled, with their
// mangled names; a PATTERN without wildcards matches anywhere in the name. A pid or
// container target says where the binary is seen.
int list_symbols(const std::string& binary, const std::optional<std::string>& pattern,
                 const std::optional<ast::Target>& target);

}  // namespace ebpfgen::pipeline
