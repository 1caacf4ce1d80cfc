// The report's charts as plain SVG: a line per series over the windows, bars
// per histogram bucket. Every value is in the markup (data-x, data-y and a
// tooltip), so the page needs no script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/window.hpp"

namespace ebpfgen::exporter::svg {

struct Line {
  std::string name;                     // "" for a chart of one line
  std::vector<std::optional<double>> y;  // one per window; none where the window has no value
};

struct LineChart {
  std::string series;  // data-series: the JSON stream's name of the value
  std::string title, y_title, unit;  // unit: in the points' tooltips
  std::vector<Line> lines;
  std::string note;  // under the chart, already HTML
  bool lower_bound = false;
};

struct Bar {
  std::string label;  // under the bar
  std::string x, x_max;  // the bucket's bounds (inclusive), as numbers
  std::uint64_t count = 0;
};

struct BarChart {
  std::string series, title, x_title;
  std::vector<Bar> bars;
  std::string note;
  bool lower_bound = false;
};

// One line per series name, points at each window's end (seconds since the run started).
std::string line_chart(const LineChart& c, const std::vector<report::Window>& windows, report::Clock::time_point start,
                       double run_seconds);
// Bars of counts, one per bucket, labelled under them (at most 16 labels).
std::string bar_chart(const BarChart& c);

}  // namespace ebpfgen::exporter::svg
