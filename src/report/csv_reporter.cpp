#include <fmt/format.h>

#include "report/report_text.hpp"

namespace ebpfgen::report {

namespace {

class CsvReporter : public Reporter {
 public:
  CsvReporter(std::ostream& out, const CheckedSpec& spec)
      : out_(out), asked_(spec.metrics), columns_(columns(spec.metrics)) {
    out_ << "window,start,seconds,final";
    for (const auto& c : columns_) out_ << "," << c.name;
    out_ << ",lower_bounds\n" << std::flush;
  }
  void event(const std::string& /*line*/) override {}  // CSV has only windows
  void window(const Window& w, const RequestFigures& f) override {
    out_ << fmt::format("{},{},{:.3f},{}", w.index, iso_time(w.start), w.seconds(), w.final ? 1 : 0);
    for (const auto& c : columns_) {
      std::string v = c.value(w, f);
      out_ << "," << (v == "-" ? "" : v);
    }
    out_ << "," << joined(lower_bounds(w, asked_), " ") << "\n" << std::flush;  // names hold no ',' or ' '
  }
  void summary(const Window&, const RequestFigures&, const RunFacts&) override {}

 private:
  std::ostream& out_;
  const RequestMetrics& asked_;
  std::vector<Column> columns_;
};

}  // namespace

std::unique_ptr<Reporter> make_csv_reporter(std::ostream& out, const CheckedSpec& spec) {
  return std::make_unique<CsvReporter>(out, spec);
}

}  // namespace ebpfgen::report
