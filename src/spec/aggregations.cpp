#include "spec/aggregations.hpp"

#include <algorithm>

namespace ebpfgen {

const std::vector<AggregateInfo>& aggregates() {
  using enum Aggregate;
  static const std::vector<AggregateInfo> table = {
      {count, "count", "count", false, false, Merge::Add, ExportedAs::Counter},
      {sum, "sum", "sum", true, false, Merge::Add, ExportedAs::Counter},
      {min, "min", "min", true, false, Merge::Min, ExportedAs::Gauge},
      {max, "max", "max", true, false, Merge::Max, ExportedAs::Gauge},
      // `mean` keeps count and total (stats), so the mean is exact, not bpftrace's integer avg().
      {mean, "mean", "stats", true, true, Merge::Add, ExportedAs::Summary},
      {stats, "stats", "stats", true, true, Merge::Add, ExportedAs::Summary},
      {hist, "hist", "hist", true, true, Merge::Add, ExportedAs::Histogram},
      {lhist, "lhist", "lhist", true, true, Merge::Add, ExportedAs::Histogram},
  };
  return table;
}

const AggregateInfo& info_of(Aggregate a) { return aggregates()[static_cast<std::size_t>(a)]; }

const AggregateInfo* find_aggregate(std::string_view name) {
  const auto& all = aggregates();
  auto it = std::find_if(all.begin(), all.end(), [&](const AggregateInfo& a) { return a.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace ebpfgen
