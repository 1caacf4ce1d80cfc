// The aggregations a spec can ask for, in one table: the word a spec writes,
// the bpftrace function it becomes, how its values combine across windows
// and processes, and how the exporters show it. Check, codegen, the stack
// estimate, the report and the exporters all read it.
#pragma once

#include <string_view>
#include <vector>

namespace ebpfgen {

enum class Aggregate { count, sum, min, max, mean, stats, hist, lhist };

// How a map's values combine across windows (and, for io posix, across ranks).
enum class Merge { Add, Min, Max };

// What a Prometheus exposition makes of it (docs/EXPORT.md).
enum class ExportedAs { Counter, Gauge, Summary, Histogram };

struct AggregateInfo {
  Aggregate id;
  std::string_view name;      // as a spec writes it
  std::string_view bpftrace;  // the function of bpftrace 0.17 it becomes
  bool takes_value;           // all but count aggregate a value
  bool buckets;               // its map holds buckets or a count and total (hist, lhist, stats, mean)
  Merge merge;
  ExportedAs exported;
};

const std::vector<AggregateInfo>& aggregates();
const AggregateInfo& info_of(Aggregate a);
const AggregateInfo* find_aggregate(std::string_view name);

}  // namespace ebpfgen
