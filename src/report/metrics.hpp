// The request-level metrics of one window, computed from the maps the
// generated program printed (spec/request_metrics.hpp, templates/, docs/LANGUAGE.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "report/window.hpp"

namespace ebpfgen::report {

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0;
  std::uint64_t count = 0;
};

struct RequestFigures {
  std::optional<double> rps;                    // paper: 1 / mean time between sends
  std::optional<std::uint64_t> sends;
  std::optional<std::uint64_t> responses;       // receive -> send turns
  std::optional<double> responses_per_s;        // responses / window length
  std::optional<double> saturation_var_us2;     // variance of the inter-receive gap
  std::optional<double> inter_receive_mean_us;
  std::optional<double> slack_mean_us;          // mean wait-syscall time
  std::optional<Percentiles> latency_us;        // first receive -> response
};

RequestFigures request_figures(const Window& window, const RequestMetrics& asked);

// The value below which a fraction p of the histogram's samples fall,
// interpolating linearly inside the bucket that holds it.
std::optional<double> percentile(const Histogram& histogram, double p);

// The log-linear latency histogram (keys: bucket lower bounds in ns) as buckets.
Histogram latency_histogram(const MapSnapshot& map);
// The same, summed into powers of two, for bpftrace's ASCII view.
Histogram power_of_two_buckets(const Histogram& log_linear);

// The variance of values from their count, sum and sum of squares, computed
// exactly in 128-bit integers: (n * sumsq - sum^2) / n^2.
std::optional<double> exact_variance(std::uint64_t n, std::int64_t sum, std::int64_t sumsq);

// What a window's failed map updates make low: the request metrics that read
// those maps, then the spec's own maps, by name (with '@').
std::vector<std::string> lower_bounds(const Window& window, const RequestMetrics& asked);

// How each map of a spec merges across windows (by its aggregation).
Merge merge_rule(const CheckedSpec& spec, const std::string& map_name);

}  // namespace ebpfgen::report
