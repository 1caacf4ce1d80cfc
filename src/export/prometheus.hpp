// The Prometheus text format (version 0.0.4) of a run so far: the request
// metrics with Prometheus names and base units, every aggregation the spec
// declares, and ebpfgen's own state (docs/EXPORT.md).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "check/check.hpp"
#include "report/format.hpp"
#include "report/metrics.hpp"
#include "report/window.hpp"

namespace ebpfgen::exporter {

// What one exposition shows.
struct RunState {
  report::Window totals;               // every window so far, merged
  std::optional<report::Window> last;  // the latest window
  int windows = 0;
  report::RunFacts facts;
  bool running = true;
  std::string target, node;  // labels of every series
};

// Keeps each metric's label sets bounded: the first `limit` keys seen keep
// series of their own, later ones are added into one series whose labels say
// "_other", so that totals stay exact.
class SeriesLimit {
 public:
  explicit SeriesLimit(std::size_t limit = 1000) : limit_(limit) {}
  // The key to show for `key` of `metric`.
  std::string key_for(const std::string& metric, const std::string& key);

 private:
  std::size_t limit_;
  std::map<std::string, std::set<std::string>> shown_;
};

inline constexpr const char* other_key = "_other";

std::string prometheus_text(const CheckedSpec& spec, const RunState& state, SeriesLimit& limit);

// A label value as the text format writes it: \ " and newline escaped.
std::string label_value(const std::string& value);

}  // namespace ebpfgen::exporter
