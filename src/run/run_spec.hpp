// `ebpfgen --run`: checks the machine, runs the generated program under
// bpftrace, and reports metrics per window and for the whole run.
#pragma once

#include <optional>
#include <string>

#include "check/check.hpp"
#include "diag/diagnostic.hpp"
#include "export/export.hpp"
#include "report/format.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::run {

struct RunOptions {
  report::Format format = report::Format::Table;
  std::string output_file;  // -o: written atomically when the run ends
  std::string report_file;  // --report: an HTML page of the run, written atomically when it ends
  std::string keep_file;    // --keep: where to save the generated program
  bool verbose = false;     // -v: show the bpftrace command and its warnings
  bool ahead_of_time = true;  // run under bpftrace-aotrt where the program allows it (run/aot.hpp)
  std::string bpftrace = "bpftrace";
  exporter::ExportOptions exports;  // --serve, --textfile
};

// Returns the exit status (see preflight.hpp). The target is resolved here unless the
// check stage already resolved it (spec.resolved).
int run_spec(const CheckedSpec& spec, const Source& source, const kernel::Facts& facts, const RunOptions& options);

// The spec line that produced line `line` of a generated program: the
// nearest "// file:N: text" comment above it, or "" when there is none.
std::string spec_origin(const std::string& program, std::size_t line);

}  // namespace ebpfgen::run
