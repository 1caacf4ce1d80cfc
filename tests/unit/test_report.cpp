#include <doctest/doctest.h>

#include "helpers.hpp"
#include "report/format.hpp"
#include "report/metrics.hpp"
#include "report/records.hpp"
#include "report/window.hpp"
#include "spec/request_metrics.hpp"

#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

using namespace ebpfgen;
using namespace ebpfgen::report;

TEST_CASE("records: scalar, keyed and multi-key maps") {
  auto r = parse_record(R"({"type": "map", "data": {"@count": 42}})");
  CHECK(r.kind == Record::Kind::Map);
  CHECK(r.map.name == "@count");
  CHECK(std::get<std::int64_t>(r.map.entries.at("")) == 42);
  auto keyed = parse_record(R"({"type": "map", "data": {"@c": {"bash": 3, "sshd,12": 7}}})");
  CHECK(keyed.map.entries.size() == 2);
  CHECK(std::get<std::int64_t>(keyed.map.entries.at("sshd,12")) == 7);
}

TEST_CASE("records: histograms with the negative and the overflow bucket") {
  auto r = parse_record(
      R"({"type": "hist", "data": {"@h": [{"max": -1, "count": 2}, {"min": 0, "max": 0, "count": 1}, {"min": 100, "count": 4}]}})");
  const auto& h = std::get<Histogram>(r.map.entries.at(""));
  REQUIRE(h.size() == 3);
  CHECK(h[0] == Bucket{std::nullopt, -1, 2});
  CHECK(h[1] == Bucket{0, 0, 1});
  CHECK(h[2] == Bucket{100, std::nullopt, 4});
  auto keyed = parse_record(R"({"type": "hist", "data": {"@h": {"nginx": [{"min": 4, "max": 7, "count": 9}]}}})");
  CHECK(std::get<Histogram>(keyed.map.entries.at("nginx"))[0].count == 9);
}

TEST_CASE("records: stats, keyed or not, and avg's bare average") {
  auto r = parse_record(R"({"type": "stats", "data": {"@s": {"count": 4, "average": 5, "total": 21}}})");
  CHECK(std::get<Stats>(r.map.entries.at("")) == Stats{4, 21});
  auto keyed = parse_record(R"({"type": "stats", "data": {"@s": {"count": {"count": 1, "average": 2, "total": 2}}}})");
  CHECK(std::get<Stats>(keyed.map.entries.at("count")) == Stats{1, 2});
}

TEST_CASE("records: printf, cut marks, lost events, blank lines") {
  CHECK(parse_record(R"({"type": "printf", "data": "hi\n"})").text == "hi\n");
  auto cut = parse_record(R"({"type": "printf", "data": "window_end 18446744073709551615\n"})");
  CHECK(cut.kind == Record::Kind::Cut);
  CHECK(cut.text == "window_end");
  CHECK(cut.number == 18446744073709551615ULL);
  // A user's print that only looks like a mark stays a print.
  CHECK(parse_record(R"({"type": "printf", "data": "window_end soon\n"})").kind == Record::Kind::Printf);
  CHECK(parse_record(R"({"type": "time", "data": "12:00:00\n"})").kind == Record::Kind::Time);
  auto lost = parse_record(R"({"type": "lost_events", "data": {"events": 12}})");
  CHECK(lost.kind == Record::Kind::LostEvents);
  CHECK(lost.number == 12);
  CHECK(parse_record("").kind == Record::Kind::Blank);
  CHECK_THROWS(parse_record("not json"));
}

namespace {
constexpr std::int64_t ms = 1'000'000;  // kernel ns
Record cut(const char* name, std::int64_t ns) {
  Record r;
  r.kind = Record::Kind::Cut;
  r.text = name;
  r.number = static_cast<std::uint64_t>(ns);
  return r;
}
Record count_map(const char* name, std::int64_t n) {
  Record r;
  r.kind = Record::Kind::Map;
  r.map = {name, {{"", n}}};
  return r;
}
Record keyed_map(const char* name, std::map<std::string, Value> entries) {
  Record r;
  r.kind = Record::Kind::Map;
  r.map = {name, std::move(entries)};
  return r;
}
std::int64_t value(const Window& w, const char* map, const char* key = "") {
  return std::get<std::int64_t>(w.maps.at(map).entries.at(key));
}
// Kernel time 0 is the wall clock's 1000 s.
const KernelClock test_clock{1000 * 1000 * ms};
Clock::time_point wall_ms(std::int64_t t) { return Clock::time_point(std::chrono::milliseconds(1'000'000 + t)); }
}  // namespace

TEST_CASE("windows: cut by the kernel's marks; cumulative maps become each window's growth") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 0, [&](const Window& w) { got.push_back(w); });
  c.add(cut("window_end", 1000 * ms));
  c.add(count_map("@responses", 10));        // cumulative: 10 so far
  c.add(count_map("@user_count", 3));         // a spec's own map, cleared at every cut
  c.add(cut("window_end", 2050 * ms));        // a late tick: the window is 1.05 s long
  c.add(count_map("@responses", 30));
  c.add(count_map("@user_count", 4));
  c.add(cut("run_end", 2500 * ms));
  c.add(count_map("@responses", 35));
  c.add(Record{Record::Kind::Blank});         // bpftrace's dump at exit: not counted
  c.add(count_map("@responses", 99));
  c.finish(2700 * ms);
  REQUIRE(got.size() == 3);
  CHECK(got[0].index == 1);
  CHECK(got[0].start == wall_ms(0));
  CHECK(got[0].end == wall_ms(1000));
  CHECK(value(got[0], "@responses") == 10);
  CHECK(got[1].start == wall_ms(1000));  // no gap, no overlap
  CHECK(got[1].seconds() == doctest::Approx(1.05));
  CHECK(value(got[1], "@responses") == 20);
  CHECK(value(got[1], "@user_count") == 4);
  CHECK(got[2].final);
  CHECK(got[2].seconds() == doctest::Approx(0.45));
  CHECK(value(got[2], "@responses") == 5);
}

TEST_CASE("windows: keyed counters grow key by key; Last maps keep their value at the start") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 0, [&](const Window& w) { got.push_back(w); });
  c.add(cut("window_end", 1000 * ms));
  c.add(keyed_map("@request_latency_ns", {{"4096", std::int64_t{5}}, {"8192", std::int64_t{1}}}));
  c.add(count_map("@rps_last_ns", 900 * ms));
  c.add(cut("window_end", 2000 * ms));
  c.add(keyed_map("@request_latency_ns", {{"4096", std::int64_t{5}}, {"8192", std::int64_t{4}}, {"512", std::int64_t{2}}}));
  c.add(count_map("@rps_last_ns", 1900 * ms));
  c.finish(2100 * ms);
  REQUIRE(got.size() == 2);
  CHECK(got[1].maps.at("@request_latency_ns").entries ==
        std::map<std::string, Value>{{"512", std::int64_t{2}}, {"8192", std::int64_t{3}}});
  CHECK(value(got[1], "@rps_last_ns") == 1900 * ms);
  CHECK(std::get<std::int64_t>(got[1].before.at("@rps_last_ns").entries.at("")) == 900 * ms);
  CHECK(got[0].before.empty());
}

TEST_CASE("windows: growth of a 64-bit sum that wrapped around is still exact") {
  MapSnapshot before{"@sat_gap_sumsq_us2", {{"", std::numeric_limits<std::int64_t>::max() - 5}}};
  MapSnapshot now{"@sat_gap_sumsq_us2", {{"", std::numeric_limits<std::int64_t>::min() + 4}}};  // wrapped
  CHECK(std::get<std::int64_t>(growth(now, &before).entries.at("")) == 10);
}

TEST_CASE("windows: a run without windows is one final window") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 500 * ms, [&](const Window& w) { got.push_back(w); });
  c.add(cut("run_end", 3500 * ms));
  c.add(count_map("@count", 7));
  c.finish(3600 * ms);
  REQUIRE(got.size() == 1);
  CHECK(got[0].final);
  CHECK(got[0].seconds() == doctest::Approx(3.0));
  CHECK(value(got[0], "@count") == 7);
}

TEST_CASE("windows: after Ctrl-C the open window ends at the interrupt; later output is not counted") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 0, [&](const Window& w) { got.push_back(w); });
  c.add(cut("window_end", 1000 * ms));
  c.add(count_map("@responses", 10));
  c.stop_at(1400 * ms);
  c.add(cut("window_end", 2000 * ms));  // fired while bpftrace was leaving
  c.add(count_map("@responses", 14));
  c.add(cut("run_end", 3000 * ms));
  c.add(count_map("@responses", 15));
  c.finish(3100 * ms);
  REQUIRE(got.size() == 2);
  CHECK(got[1].seconds() == doctest::Approx(0.4));
  CHECK(got[1].final);
  CHECK(value(got[1], "@responses") == 4);
}

TEST_CASE("windows: a duration that is a multiple of the window leaves no empty last window") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 0, [&](const Window& w) { got.push_back(w); });
  c.add(cut("window_end", 1000 * ms));
  c.add(count_map("@responses", 10));
  c.add(cut("run_end", 1000 * ms));
  c.add(count_map("@responses", 10));
  c.add(cut("run_end", 1300 * ms));  // END's, while leaving
  c.add(count_map("@responses", 12));
  c.finish(1400 * ms);
  REQUIRE(got.size() == 1);
  CHECK(value(got[0], "@responses") == 10);
}

TEST_CASE("windows: a short last window with data is kept, however short") {
  std::vector<Window> got;
  WindowCollector c(test_clock, 0, [&](const Window& w) { got.push_back(w); });
  c.add(cut("window_end", 1000 * ms));
  c.add(count_map("@responses", 10));
  c.add(cut("run_end", 1030 * ms));  // the target exited 30 ms after the cut
  c.add(count_map("@responses", 17));
  c.finish(1100 * ms);
  REQUIRE(got.size() == 2);
  CHECK(got[1].final);
  CHECK(got[1].seconds() == doctest::Approx(0.03));
  CHECK(value(got[1], "@responses") == 7);
}

TEST_CASE("merging windows adds counters and histograms, keeps the first and the latest timestamps") {
  Window a, b;
  a.start = wall_ms(0);
  a.end = wall_ms(1000);
  b.start = wall_ms(1000);
  b.end = wall_ms(2000);
  a.maps["@rps_first_ns"] = {"@rps_first_ns", {{"", std::int64_t{100}}}};
  b.maps["@rps_first_ns"] = {"@rps_first_ns", {{"", std::int64_t{100}}}};
  a.maps["@rps_last_ns"] = {"@rps_last_ns", {{"", std::int64_t{800}}}};
  b.maps["@rps_last_ns"] = {"@rps_last_ns", {{"", std::int64_t{1900}}}};
  b.before["@rps_last_ns"] = a.maps["@rps_last_ns"];
  a.maps["@rps_sends"] = {"@rps_sends", {{"", std::int64_t{3}}}};
  b.maps["@rps_sends"] = {"@rps_sends", {{"", std::int64_t{4}}}};
  a.maps["@h"] = {"@h", {{"", Histogram{{4, 7, 1}}}}};
  b.maps["@h"] = {"@h", {{"", Histogram{{4, 7, 2}, {8, 15, 1}}}}};
  auto spec = test::checked("metrics rps");
  Window m = merge_windows({a, b}, [&](const std::string& n) { return merge_rule(spec, n); });
  CHECK(m.seconds() == doctest::Approx(2.0));
  CHECK(value(m, "@rps_first_ns") == 100);
  CHECK(value(m, "@rps_last_ns") == 1900);
  CHECK(m.before.empty());
  CHECK(value(m, "@rps_sends") == 7);
  CHECK(std::get<Histogram>(m.maps["@h"].entries[""]) == Histogram{{4, 7, 3}, {8, 15, 1}});
}

TEST_CASE("merging a spec's min and max keeps zero and negative values") {
  auto spec = test::checked("on syscall read { min args.count as lo\n max ret as hi }");
  Window a, b;
  a.maps["@lo"] = {"@lo", {{"", std::int64_t{0}}}};
  b.maps["@lo"] = {"@lo", {{"", std::int64_t{7}}}};
  a.maps["@hi"] = {"@hi", {{"", std::int64_t{-9}}}};
  b.maps["@hi"] = {"@hi", {{"", std::int64_t{-4}}}};
  Window m = merge_windows({a, b}, [&](const std::string& n) { return merge_rule(spec, n); });
  CHECK(value(m, "@lo") == 0);
  CHECK(value(m, "@hi") == -4);
}

namespace {
Window window_of(std::map<std::string, Value> maps, double seconds = 1.0) {
  Window w;
  w.start = wall_ms(0);
  w.end = wall_ms(static_cast<std::int64_t>(seconds * 1000));
  for (auto& [name, v] : maps) w.maps[name] = {name, {{"", v}}};
  return w;
}
RequestMetrics all_metrics() {
  RequestMetrics all;
  for (const auto& m : request_metric_catalogue()) all.asked.add(m.id);
  return all;
}
}  // namespace

TEST_CASE("metrics: the paper's throughput, saturation, slack") {
  Window w = window_of({{"@rps_sends", std::int64_t{101}},
                        {"@rps_first_ns", std::int64_t{1'000'000'000}},
                        {"@rps_last_ns", std::int64_t{1'500'000'000}},
                        {"@sat_gaps", std::int64_t{4}},
                        {"@sat_gap_sum_us", std::int64_t{40}},       // gaps 5, 5, 15, 15
                        {"@sat_gap_sumsq_us2", std::int64_t{500}},   // 25 + 25 + 225 + 225
                        {"@slack_waits", std::int64_t{4}},
                        {"@slack_wait_ns", std::int64_t{1'000'000}}});
  w.maps["@request_latency_ns"] = {"@request_latency_ns", {{"4096", std::int64_t{60}}, {"5120", std::int64_t{40}}}};
  auto f = request_figures(w, all_metrics());
  CHECK(*f.rps == doctest::Approx(200.0));  // the first send's window: 100 gaps in 0.5 s
  CHECK(*f.sends == 101);
  CHECK(*f.responses == 100);                // the latency histogram's total
  CHECK(*f.responses_per_s == doctest::Approx(100.0));
  CHECK(*f.inter_receive_mean_us == doctest::Approx(10.0));
  CHECK(*f.saturation_var_us2 == doctest::Approx(25.0));
  CHECK(*f.slack_mean_us == doctest::Approx(250.0));
  REQUIRE(f.latency_us.has_value());
  CHECK(f.latency_us->count == 100);
  // [4096, 4352) holds 60: the median is 50/60 of the way in.
  CHECK(f.latency_us->p50 * 1000 == doctest::Approx(4096 + 256.0 * 50 / 60));
  // [5120, 5376) holds the last 40: p90 is 30/40 of the way in.
  CHECK(f.latency_us->p90 * 1000 == doctest::Approx(5120 + 256.0 * 30 / 40));
}

TEST_CASE("metrics: later windows take the gaps from the latest send before them") {
  Window w = window_of({{"@rps_sends", std::int64_t{50}},
                        {"@rps_first_ns", std::int64_t{1'000'000'000}},
                        {"@rps_last_ns", std::int64_t{3'000'000'000}}});
  w.before["@rps_last_ns"] = {"@rps_last_ns", {{"", std::int64_t{2'750'000'000}}}};
  RequestMetrics rps;
  rps.asked.add(Metric::rps);
  CHECK(*request_figures(w, rps).rps == doctest::Approx(200.0));  // 50 gaps in 0.25 s
}

TEST_CASE("metrics: one send has no rate") {
  Window w = window_of({{"@rps_sends", std::int64_t{1}}, {"@rps_first_ns", std::int64_t{5}}, {"@rps_last_ns", std::int64_t{5}}});
  RequestMetrics rps;
  rps.asked.add(Metric::rps);
  CHECK_FALSE(request_figures(w, rps).rps.has_value());
}

TEST_CASE("metrics: the variance is exact where doubles would lose it") {
  // Three gaps of 1e9, 1e9 + 1, 1e9 + 2 us: variance 2/3; E[x^2] - E[x]^2 in doubles is off by hundreds.
  std::int64_t a = 1'000'000'000;
  std::int64_t sum = 3 * a + 3;
  std::int64_t sumsq = 3 * a * a + 6 * a + 5;
  CHECK(*exact_variance(3, sum, sumsq) == doctest::Approx(2.0 / 3.0));
  CHECK_FALSE(exact_variance(1, 5, 25).has_value());
}

TEST_CASE("latency buckets: 16 per power of two, keyed by their lower bound in ns") {
  CHECK(latency_bucket_width(0) == 1);
  CHECK(latency_bucket_width(15) == 1);
  CHECK(latency_bucket_width(16) == 1);
  CHECK(latency_bucket_width(31) == 1);
  CHECK(latency_bucket_width(32) == 2);
  CHECK(latency_bucket_width(4096) == 256);
  CHECK(latency_bucket_width(7936) == 256);  // the last of [4096, 8192)
  MapSnapshot m{"@request_latency_ns", {{"7936", std::int64_t{1}}, {"4096", std::int64_t{2}}, {"8192", std::int64_t{3}}}};
  CHECK(latency_histogram(m) == Histogram{{4096, 4351, 2}, {7936, 8191, 1}, {8192, 8703, 3}});
  CHECK(power_of_two_buckets(latency_histogram(m)) == Histogram{{4096, 8191, 3}, {8192, 16383, 3}});
}

TEST_CASE("percentiles interpolate inside the bucket") {
  Histogram h{{0, 0, 0}, {8, 15, 50}, {16, 31, 50}};
  CHECK(*percentile(h, 0.5) == doctest::Approx(16.0));   // the end of [8, 16)
  CHECK(*percentile(h, 0.25) == doctest::Approx(12.0));  // halfway into [8, 16)
  CHECK(*percentile(h, 0.99) == doctest::Approx(31.68));
  CHECK(*percentile(Histogram{{100, std::nullopt, 3}}, 0.5) == doctest::Approx(100.0));
  CHECK_FALSE(percentile(Histogram{}, 0.5).has_value());
}

TEST_CASE("failed map updates mark the metrics that read the map, and the spec's own maps") {
  RequestMetrics asked;
  for (Metric m : {Metric::responses, Metric::latency, Metric::slack}) asked.asked.add(m);
  Window w;
  w.failed_maps = {"@_turn_start_ns", "@calls"};
  CHECK(lower_bounds(w, asked) == std::vector<std::string>{"responses", "latency", "@calls"});
  w.failed_maps = {"@request_latency_ns"};  // responses are the latency histogram's total here
  CHECK(lower_bounds(w, asked) == std::vector<std::string>{"responses", "latency"});
  w.failed_maps = {"@_wait_start_ns"};
  CHECK(lower_bounds(w, asked) == std::vector<std::string>{"slack"});
  w.failed_maps = {"@_recv_prev_ns"};  // saturation's, not asked
  CHECK(lower_bounds(w, asked).empty());
  asked.asked.remove(Metric::latency);
  w.failed_maps = {"@request_latency_ns"};
  CHECK(lower_bounds(w, asked).empty());
}

TEST_CASE("every histogram of the spec gets its window's p50, p90 and p99, worked out by hand") {
  auto spec = test::checked("window 1s on syscall read { hist ret as sizes\nhist ret by comm as by_comm }");
  Window w;
  w.index = 1;
  // Ten values in [10, 20): the 50th percentile is half-way, 10 + 0.5 * 10; the 90th at 19, the 99th at 19.9.
  w.maps["@sizes"] = {"@sizes", {{"", Histogram{{10, 19, 10}}}}};
  w.maps["@by_comm"] = {"@by_comm", {{"bash", Histogram{{0, 0, 4}}}}};
  std::ostringstream out;
  make_reporter(Format::Json, out, spec)->window(w, request_figures(w, spec.metrics));
  auto j = nlohmann::json::parse(out.str());
  CHECK(j["percentiles"]["@sizes"] == nlohmann::json{{"p50", 15.0}, {"p90", 19.0}, {"p99", 19.9}, {"count", 10}});
  CHECK(j["percentiles"]["@by_comm"]["bash"]["p50"] == 0.0);
  std::ostringstream table;
  make_reporter(Format::Table, table, spec)->window(w, request_figures(w, spec.metrics));
  CHECK(table.str().find("p50 15, p90 19, p99 19.9 (within the buckets above, of 10 values)\n") != std::string::npos);
}
