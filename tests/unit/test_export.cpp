#include <doctest/doctest.h>

#include "export/export.hpp"
#include "export/prometheus.hpp"
#include "helpers.hpp"

#include <set>
#include <sstream>

using namespace ebpfgen;
using namespace ebpfgen::exporter;
using report::Histogram;
using report::MapSnapshot;

namespace {

MapSnapshot map(const std::string& name, std::map<std::string, report::Value> entries) {
  return {name, std::move(entries)};
}

// The lines of `text` that start with `prefix`.
std::string lines_of(const std::string& text, const std::string& prefix) {
  std::string out, line;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("request metrics in Prometheus's names and base units, counted by hand") {
  auto spec = test::checked("metrics responses, latency");
  RunState state;
  state.node = "n1";
  // Keys are the log-linear buckets' lower bounds: [992, 1023] ns three times, [2048, 2175] ns once.
  state.totals.maps["@request_latency_ns"] = map("@request_latency_ns", {{"992", std::int64_t{3}}, {"2048", std::int64_t{1}}});
  state.windows = 1;
  state.facts.tracer = "bpftrace-aotrt (compiled ahead of time)";
  SeriesLimit limit;
  std::string text = prometheus_text(spec, state, limit);
  CHECK(lines_of(text, "ebpfgen_responses_total") == "ebpfgen_responses_total{node=\"n1\"} 4\n");
  CHECK(lines_of(text, "# TYPE ebpfgen_request_duration_seconds") == "# TYPE ebpfgen_request_duration_seconds histogram\n");
  std::string buckets = lines_of(text, "ebpfgen_request_duration_seconds_bucket");
  CHECK(buckets.find("{node=\"n1\",le=\"0.000001023\"} 3\n") != std::string::npos);
  CHECK(buckets.find("{node=\"n1\",le=\"0.000002047\"} 3\n") != std::string::npos);
  CHECK(buckets.find("{node=\"n1\",le=\"0.000004095\"} 4\n") != std::string::npos);
  CHECK(buckets.find("{node=\"n1\",le=\"17.179869183\"} 4\n") != std::string::npos);
  CHECK(buckets.find("{node=\"n1\",le=\"+Inf\"} 4\n") != std::string::npos);
  // Bucket middles: 3 * 1008 + 2112 = 5136 ns.
  CHECK(lines_of(text, "ebpfgen_request_duration_seconds_sum") == "ebpfgen_request_duration_seconds_sum{node=\"n1\"} 5.136e-06\n");
  CHECK(lines_of(text, "ebpfgen_request_duration_seconds_count") == "ebpfgen_request_duration_seconds_count{node=\"n1\"} 4\n");
  CHECK(lines_of(text, "ebpfgen_up") == "ebpfgen_up{node=\"n1\"} 1\n");
  CHECK(lines_of(text, "ebpfgen_tracer_info") == "ebpfgen_tracer_info{node=\"n1\",tracer=\"bpftrace-aotrt\"} 1\n");
  // Each family's HELP and TYPE once.
  std::istringstream types(lines_of(text, "# TYPE "));
  std::set<std::string> seen;
  int families = 0;
  for (std::string line; std::getline(types, line); ++families) CHECK(seen.insert(line).second);
  CHECK(families == 6);  // up, windows, lost events, tracer, responses, duration (no latest window: no gauges)
}

TEST_CASE("a spec's aggregations: counts as counters, keys as escaped labels, times in seconds, bounded series") {
  auto spec = test::checked("on syscall read { count by comm as reads\nhist latency in us as read_us\nsum ret as bytes }");
  RunState state;
  state.target = "all \"quoted\"";
  state.totals.maps["@reads"] = map("@reads", {{"bash", std::int64_t{3}}, {"a\"b\\c", std::int64_t{2}}, {"x", std::int64_t{1}}});
  Histogram h = {{0, 0, 1}, {1, 1, 2}, {4, 7, 5}};
  state.totals.maps["@read_us"] = map("@read_us", {{"", h}});
  state.totals.maps["@bytes"] = map("@bytes", {{"", std::int64_t{4096}}});
  SeriesLimit limit(2);  // the third key goes into "_other"
  std::string text = prometheus_text(spec, state, limit);
  CHECK(lines_of(text, "ebpfgen_spec_reads_total") ==
        "ebpfgen_spec_reads_total{target=\"all \\\"quoted\\\"\",comm=\"_other\"} 1\n"
        "ebpfgen_spec_reads_total{target=\"all \\\"quoted\\\"\",comm=\"a\\\"b\\\\c\"} 2\n"
        "ebpfgen_spec_reads_total{target=\"all \\\"quoted\\\"\",comm=\"bash\"} 3\n");
  CHECK(lines_of(text, "ebpfgen_spec_read_us_seconds_bucket") ==
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"-0.000001\"} 0\n"
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"0\"} 1\n"
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"0.000001\"} 3\n"
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"0.000003\"} 3\n"
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"0.000007\"} 8\n"
        "ebpfgen_spec_read_us_seconds_bucket{target=\"all \\\"quoted\\\"\",le=\"+Inf\"} 8\n");
  CHECK(lines_of(text, "ebpfgen_spec_bytes_total") == "ebpfgen_spec_bytes_total{target=\"all \\\"quoted\\\"\"} 4096\n");
}

TEST_CASE("--serve's address and --textfile's name") {
  CHECK(listen_address("9464") == std::pair<std::string, int>{"127.0.0.1", 9464});
  CHECK(listen_address("0.0.0.0:9464") == std::pair<std::string, int>{"0.0.0.0", 9464});
  CHECK(listen_address("[::1]:80") == std::pair<std::string, int>{"::1", 80});
  for (const char* bad : {"", "0", "65536", "09464", "host:", ":80", "a b:80", "9464x", "$(id):80"}) {
    CHECK_THROWS_WITH_AS(listen_address(bad),
                         "--serve takes [ADDRESS:]PORT, a port from 1 to 65535 (e.g. 9464 or 0.0.0.0:9464)", ExportError);
  }
  CHECK(textfile_name_for("examples/request-metrics.obs") == "ebpfgen_request_metrics.prom");
  CHECK(textfile_name_for("<command-line>") == "ebpfgen__command_line_.prom");
}
