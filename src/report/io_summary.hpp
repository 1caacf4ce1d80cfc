// `io posix`'s summary for a person (the default table): one block per file
// record, then the job's totals and darshan-parser --perf's figures.
#pragma once

#include <string>
#include <vector>

#include "report/darshan_text.hpp"

namespace ebpfgen::report {

// `not_collected`: the counters the program could not count and why, or "".
std::string io_summary_text(const std::vector<io::Record>& records, const IoRun& run, const std::string& not_collected);

}  // namespace ebpfgen::report
