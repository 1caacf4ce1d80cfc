// What the reporters share (report/format.hpp is their interface): times and
// numbers as the table and CSV print them, histograms drawn as bpftrace draws
// them, and the metric columns asked for. One reporter per file:
// table_reporter.cpp, json_reporter.cpp, csv_reporter.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "report/format.hpp"

namespace ebpfgen::report {

// The request latency the way bpftrace draws a hist(), in powers of two of ns.
std::string latency_view(const MapSnapshot& map);
std::string iso_time(Clock::time_point t);    // 2026-12-07T14:01:00.123Z
std::string clock_time(Clock::time_point t);  // 14:01:00, local
double unix_seconds(Clock::time_point t);
// p50, p90 and p99 of a histogram, interpolated inside the buckets that hold them.
std::optional<Percentiles> percentiles_of(const Histogram& h);
// Four significant digits, never an exponent (95230, not 9.523e+04).
std::string figure_text(double x);
// The spec's own maps of a window, as bpftrace prints them.
std::string user_maps_text(const Window& w);
std::string joined(const std::vector<std::string>& names, const char* separator);
// A value with `decimals` decimals, "-" when there is none.
std::string number(const std::optional<double>& v, int decimals);

// The metric columns asked for: header, and the value of a window.
struct Column {
  const char* name;
  std::function<std::string(const Window&, const RequestFigures&)> value;
};
std::vector<Column> columns(const RequestMetrics& m);

std::unique_ptr<Reporter> make_table_reporter(std::ostream& out, const CheckedSpec& spec);
std::unique_ptr<Reporter> make_json_reporter(std::ostream& out, const CheckedSpec& spec);
std::unique_ptr<Reporter> make_csv_reporter(std::ostream& out, const CheckedSpec& spec);

}  // namespace ebpfgen::report
