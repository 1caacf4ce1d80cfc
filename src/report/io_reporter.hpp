// `io posix`'s reporter: it keeps the io maps of the windows and, at the end,
// writes the records as darshan-parser's text (--format darshan), one JSON
// object per record (--format json), or the summary (the default table).
#pragma once

#include <memory>
#include <ostream>

#include "report/format.hpp"

namespace ebpfgen::report {

// Wraps `inner` (which reports everything but io posix's maps) for a spec with io posix.
std::unique_ptr<Reporter> make_io_reporter(Format format, std::ostream& out, const CheckedSpec& spec,
                                           std::unique_ptr<Reporter> inner);

}  // namespace ebpfgen::report
