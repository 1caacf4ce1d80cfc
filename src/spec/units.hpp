// The units a time is shown in, in one table: a spec's `in ms`, the default
// units of a latency and of a timestamp, and the exporters' conversion to seconds.
#pragma once

#include <cstdint>
#include <string_view>

namespace ebpfgen {

struct TimeUnit {
  std::string_view name;     // as a spec writes it
  std::uint64_t ns;          // nanoseconds in one
  int seconds_digits;        // one is 10^-digits seconds
};

inline constexpr TimeUnit time_units[] = {{"ns", 1, 9}, {"us", 1'000, 6}, {"ms", 1'000'000, 3}, {"s", 1'000'000'000, 0}};

inline const TimeUnit* find_time_unit(std::string_view name) {
  for (const auto& u : time_units)
    if (u.name == name) return &u;
  return nullptr;
}

// Latencies and span durations default to microseconds (bpftrace's log2 histograms stop at
// 2^31); timestamps and other times to nanoseconds.
inline constexpr std::string_view duration_default_unit = "us";
inline constexpr std::string_view time_default_unit = "ns";

}  // namespace ebpfgen
