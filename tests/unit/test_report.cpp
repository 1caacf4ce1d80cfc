#include <doctest/doctest.h>

#include "helpers.hpp"
#include "report/metrics.hpp"
#include "report/records.hpp"
#include "report/window.hpp"

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

TEST_CASE("records: printf, time, lost events, blank lines") {
  CHECK(parse_record(R"({"type": "printf", "data": "hi\n"})").text == "hi\n");
  CHECK(parse_record(R"({"type": "time", "data": "window_end x\n"})").kind == Record::Kind::Time);
  auto lost = parse_record(R"({"type": "lost_events", "data": {"events": 12}})");
  CHECK(lost.kind == Record::Kind::LostEvents);
  CHECK(lost.number == 12);
  CHECK(parse_record("").kind == Record::Kind::Blank);
  CHECK_THROWS(parse_record("not json"));
}

namespace {
Record time_mark(const char* text) {
  Record r;
  r.kind = Record::Kind::Time;
  r.text = text;
  return r;
}
Record count_map(const char* name, std::int64_t n) {
  Record r;
  r.kind = Record::Kind::Map;
  r.map = {name, {{"", n}}};
  return r;
}
Clock::time_point at(int ms) { return Clock::time_point(std::chrono::milliseconds(ms)); }
}  // namespace

TEST_CASE("windows: each time mark cuts, END's mark starts the partial last window") {
  std::vector<Window> got;
  WindowCollector c(at(0), [&](const Window& w) { got.push_back(w); });
  c.add(time_mark("window_end a\n"), at(1000));
  c.add(count_map("@responses", 10), at(1001));
  c.add(time_mark("window_end b\n"), at(2000));
  c.add(count_map("@responses", 20), at(2001));
  c.add(time_mark("run_end c\n"), at(2500));
  c.add(Record{Record::Kind::Blank}, at(2600));
  c.add(count_map("@responses", 5), at(2601));
  c.finish(at(2700));
  REQUIRE(got.size() == 3);
  CHECK(got[0].index == 1);
  CHECK(got[0].seconds() == doctest::Approx(1.0));
  CHECK(std::get<std::int64_t>(got[1].maps.at("@responses").entries.at("")) == 20);
  CHECK(got[2].final);
  CHECK(got[2].seconds() == doctest::Approx(0.5));
  CHECK(std::get<std::int64_t>(got[2].maps.at("@responses").entries.at("")) == 5);
}

TEST_CASE("windows: a run without windows is one final window") {
  std::vector<Window> got;
  WindowCollector c(at(0), [&](const Window& w) { got.push_back(w); });
  c.add(time_mark("run_end x\n"), at(3000));
  c.add(count_map("@count", 7), at(3100));
  c.finish(at(3200));
  REQUIRE(got.size() == 1);
  CHECK(got[0].final);
  CHECK(got[0].seconds() == doctest::Approx(3.0));
}

TEST_CASE("windows: after Ctrl-C the open window ends at the interrupt; later output is not counted") {
  std::vector<Window> got;
  WindowCollector c(at(0), [&](const Window& w) { got.push_back(w); });
  c.add(time_mark("window_end a\n"), at(1000));
  c.add(count_map("@responses", 10), at(1001));
  c.stop_at(at(1400));
  c.add(time_mark("window_end b\n"), at(2000));  // fired while bpftrace was leaving
  c.add(count_map("@responses", 4), at(2001));
  c.add(time_mark("run_end c\n"), at(3000));
  c.add(count_map("@responses", 1), at(3001));
  c.finish(at(3100));
  REQUIRE(got.size() == 2);
  CHECK(got[1].seconds() == doctest::Approx(0.4));
  CHECK(got[1].final);
  CHECK(std::get<std::int64_t>(got[1].maps.at("@responses").entries.at("")) == 4);
}

TEST_CASE("merging windows adds counts and histograms, keeps first and last timestamps") {
  Window a, b;
  a.start = at(0);
  a.end = at(1000);
  b.start = at(1000);
  b.end = at(2000);
  a.maps["@rps_first_ns"] = {"@rps_first_ns", {{"", std::int64_t{100}}}};
  b.maps["@rps_first_ns"] = {"@rps_first_ns", {{"", std::int64_t{900}}}};
  a.maps["@rps_sends"] = {"@rps_sends", {{"", std::int64_t{3}}}};
  b.maps["@rps_sends"] = {"@rps_sends", {{"", std::int64_t{4}}}};
  a.maps["@h"] = {"@h", {{"", Histogram{{4, 7, 1}}}}};
  b.maps["@h"] = {"@h", {{"", Histogram{{4, 7, 2}, {8, 15, 1}}}}};
  auto spec = test::checked("metrics rps");
  Window m = merge_windows({a, b}, [&](const std::string& n) { return merge_rule(spec, n); });
  CHECK(m.seconds() == doctest::Approx(2.0));
  CHECK(std::get<std::int64_t>(m.maps["@rps_first_ns"].entries[""]) == 100);
  CHECK(std::get<std::int64_t>(m.maps["@rps_sends"].entries[""]) == 7);
  CHECK(std::get<Histogram>(m.maps["@h"].entries[""]) == Histogram{{4, 7, 3}, {8, 15, 1}});
}

TEST_CASE("metrics: the paper's throughput, saturation, slack") {
  Window w;
  w.start = at(0);
  w.end = at(1000);
  auto set = [&](const char* name, Value v) { w.maps[name] = {name, {{"", v}}}; };
  set("@rps_sends", std::int64_t{101});
  set("@rps_first_ns", std::int64_t{1'000'000'000});
  set("@rps_last_ns", std::int64_t{1'500'000'000});
  set("@responses", std::int64_t{100});
  set("@sat_gaps", std::int64_t{4});
  set("@sat_gap_sum_us", std::int64_t{40});       // gaps 5, 5, 15, 15
  set("@sat_gap_sumsq_us2", std::int64_t{500});   // 25 + 25 + 225 + 225
  set("@slack_wait_us", Stats{4, 1000});
  RequestMetrics all;
  all.rps = all.responses = all.saturation = all.slack = all.latency = true;
  auto f = request_figures(w, all);
  CHECK(*f.rps == doctest::Approx(200.0));  // 100 gaps in 0.5 s
  CHECK(*f.responses == 100);
  CHECK(*f.responses_per_s == doctest::Approx(100.0));
  CHECK(*f.inter_receive_mean_us == doctest::Approx(10.0));
  CHECK(*f.saturation_var_us2 == doctest::Approx(25.0));
  CHECK(*f.slack_mean_us == doctest::Approx(250.0));
  CHECK_FALSE(f.latency_us.has_value());
}

TEST_CASE("metrics: one send has no rate") {
  Window w;
  w.maps["@rps_sends"] = {"@rps_sends", {{"", std::int64_t{1}}}};
  RequestMetrics rps;
  rps.rps = true;
  CHECK_FALSE(request_figures(w, rps).rps.has_value());
}

TEST_CASE("percentiles interpolate inside the bucket") {
  Histogram h{{0, 0, 0}, {8, 15, 50}, {16, 31, 50}};
  CHECK(*percentile(h, 0.5) == doctest::Approx(16.0));   // the end of [8, 16)
  CHECK(*percentile(h, 0.25) == doctest::Approx(12.0));  // halfway into [8, 16)
  CHECK(*percentile(h, 0.99) == doctest::Approx(31.68));
  CHECK(*percentile(Histogram{{100, std::nullopt, 3}}, 0.5) == doctest::Approx(100.0));
  CHECK_FALSE(percentile(Histogram{}, 0.5).has_value());
}
