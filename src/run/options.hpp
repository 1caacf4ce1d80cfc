// How `ebpfgen --run` runs: the report's format and files, the tracer to use.
#pragma once

#include <string>

#include "export/export.hpp"
#include "report/format.hpp"

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

}  // namespace ebpfgen::run
