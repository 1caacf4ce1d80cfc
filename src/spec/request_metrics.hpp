// The request metrics' contract: one entry per metric and one per map, read by
// every stage. The checker takes the metric names and the hooks each needs
// from it, the generator the maps to write and print (templates name them as
// {{@map}}), the report how each printed map becomes a window's value and how
// windows add up, the exporters the maps they turn into series.
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "spec/maps.hpp"

namespace ebpfgen {

// Every map of the request program, in the order the program prints and clears them:
// X(name, kind, key, meaning).
#define EBPFGEN_REQUEST_MAPS(X)                                                                          \
  X(rps_sends, Counter, "", "socket sends of the target")                                                \
  X(rps_first_ns, First, "", "the kernel time of the first send")                                        \
  X(rps_last_ns, Last, "", "the kernel time of the latest send")                                          \
  X(responses, Counter, "", "receive -> send turns, when the latency histogram does not count them")    \
  X(sat_gaps, Counter, "", "gaps between receives")                                                      \
  X(sat_gap_sum_us, Counter, "", "their sum, in us")                                                     \
  X(sat_gap_sumsq_us2, Counter, "", "the sum of their squares, in us^2")                                 \
  X(slack_waits, Counter, "", "calls of the wait syscalls")                                              \
  X(slack_wait_ns, Counter, "", "the time in them, in ns")                                               \
  X(request_latency_ns, Counter, "a bucket's lower bound (ns)", "the log-linear latency histogram")     \
  X(_send_fd, Helper, "tid", "the fd + 1 of a thread's send on a socket (syscall probes)")               \
  X(_recv_fd, Helper, "tid", "the fd + 1 of a thread's receive on a socket (syscall probes)")            \
  X(_turn_start_ns, Helper, "connection", "when its open request's first receive came")                  \
  X(_recv_prev_ns, Helper, "", "the latest receive, forgotten at every cut")                             \
  X(_wait_start_ns, Helper, "tid", "when a thread's latest wait started")

enum class RequestMap : std::size_t {
#define EBPFGEN_X(name, kind, key, meaning) name,
  EBPFGEN_REQUEST_MAPS(EBPFGEN_X)
#undef EBPFGEN_X
};

// The request family's maps, in RequestMap's order.
const std::vector<MapContract>& request_maps();
const MapContract& contract_of(RequestMap map);
std::string_view name_of(RequestMap map);  // without '@'
std::string ref(RequestMap map);           // `@name`
bool is_request_map(std::string_view name);  // a result or helper map of the family, with or without '@'

enum class Metric : std::size_t { rps, responses, saturation, slack, latency };
inline constexpr std::size_t metric_count = 5;

// Which kernel events a metric is computed from.
enum class Hook : std::size_t {
  send,   // the target's socket sends
  recv,   // its socket receives
  turns,  // each connection's receives paired with its next send (and a connection's end)
  wait,   // its wait syscalls (epoll_wait, poll, select ...)
};
inline constexpr std::size_t hook_count = 4;

struct MetricInfo {
  Metric id;
  std::string_view name;     // as written in `metrics ...`
  std::string_view meaning;  // one line, for help and errors
  std::vector<Hook> hooks;
  std::vector<RequestMap> maps;     // the results it is computed from
  std::vector<RequestMap> helpers;  // the program's state it needs, besides its hooks'
};

// Every metric, in report order.
const std::vector<MetricInfo>& request_metric_catalogue();
const MetricInfo* find_metric(std::string_view name);
const MetricInfo& info_of(Metric metric);
// Every metric's name, in report order.
const std::vector<std::string>& metric_names();

// The maps a hook keeps: with syscall probes, a send's and a receive's fd; the turns' starts;
// the waits' starts.
std::vector<RequestMap> hook_helpers(Hook hook, bool syscall_probes);

// The metrics a spec asks for.
class MetricSet {
 public:
  void add(Metric m) { asked_.set(static_cast<std::size_t>(m)); }
  void remove(Metric m) { asked_.reset(static_cast<std::size_t>(m)); }
  bool has(Metric m) const { return asked_.test(static_cast<std::size_t>(m)); }
  bool any() const { return asked_.any(); }
  bool needs(Hook hook) const;
  std::vector<std::string> names() const;  // in report order
  // With latency asked, the responses are the latency histogram's total: the program keeps
  // no count of its own for them.
  bool responses_from_latency() const { return has(Metric::responses) && has(Metric::latency); }
  // The results the program prints, in RequestMap's order.
  std::vector<RequestMap> printed() const;
  // The helper maps the program keeps, in RequestMap's order.
  std::vector<RequestMap> helpers(bool syscall_probes) const;
  // The metrics asked whose values come from `map` (with or without '@'): when its updates
  // fail, they count too few.
  std::vector<std::string> reading(std::string_view map) const;

 private:
  std::bitset<metric_count> asked_;
};

// The request latency histogram is log-linear: 2^k sub-buckets per power
// of two (the layout of OpenTelemetry's base-2 exponential histograms at
// scale k), keyed by each bucket's lower bound in ns.
inline constexpr int latency_subbucket_bits = 4;  // 16 sub-buckets: at most 6.25% wide
// The width of the log-linear bucket whose lower bound is `low` (ns).
long long latency_bucket_width(long long low);

}  // namespace ebpfgen
