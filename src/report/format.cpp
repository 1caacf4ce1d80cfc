#include "report/format.hpp"

#include "report/io_reporter.hpp"
#include "report/report_text.hpp"

namespace ebpfgen::report {

std::unique_ptr<Reporter> make_reporter(Format format, std::ostream& out, const CheckedSpec& spec) {
  std::unique_ptr<Reporter> reporter;
  switch (format) {
    case Format::Json: reporter = make_json_reporter(out, spec); break;
    case Format::Csv: reporter = make_csv_reporter(out, spec); break;
    case Format::Table: reporter = make_table_reporter(out, spec); break;
    case Format::Darshan: break;  // io posix's alone
  }
  if (spec.io) return make_io_reporter(format, out, spec, std::move(reporter));
  return reporter;
}

}  // namespace ebpfgen::report
