#include <doctest/doctest.h>

#include "export/html.hpp"
#include "helpers.hpp"
#include "report/format.hpp"
#include "report/metrics.hpp"

#include <map>
#include <regex>
#include <sstream>

using namespace ebpfgen;
using report::Histogram;
using report::MapSnapshot;
using report::Stats;
using report::Window;

namespace {

const std::string spec_text =
    "window 1s duration 3s\n"
    "metrics rps, responses, saturation, slack, latency\n"
    "on syscall read where ret > 0 {\n"
    "  count as reads\n"
    "  max ret as biggest\n"
    "  mean ret as avg_read\n"
    "  count by comm as by_comm\n"
    "  hist ret as sizes\n"
    "}\n";

// A key from the system that would be markup, a quote, a control byte and a byte that is not UTF-8.
const std::string hostile = "<script>alert(\"x\")</script>&'\x01\xff";

void put(Window& w, const std::string& name, std::map<std::string, report::Value> entries) {
  w.maps[name] = MapSnapshot{name, std::move(entries)};
}

// Three windows of 1 s: the third has no sends (no rps) and no @biggest (no max).
std::vector<Window> three_windows() {
  auto t0 = report::Clock::time_point(std::chrono::seconds(1'800'000'000));
  std::vector<Window> out;
  for (int i = 0; i < 3; ++i) {
    Window w;
    w.index = i + 1;
    w.start = t0 + std::chrono::seconds(i);
    w.end = t0 + std::chrono::seconds(i + 1);
    w.final = i == 2;
    // Latency buckets [992, 1023] ns three times and [2048, 2175] ns i + 1 times: 4, 5, 6 responses.
    put(w, "@request_latency_ns", {{"992", std::int64_t{3}}, {"2048", std::int64_t{i + 1}}});
    if (i == 0) put(w, "@rps_first_ns", {{"", std::int64_t{1'000'000'000}}});
    if (i < 2) {
      put(w, "@rps_sends", {{"", std::int64_t{5 * (i + 1)}}});
      put(w, "@rps_last_ns", {{"", std::int64_t{1'500'000'000} + i * 1'000'000'000}});
    }
    if (i == 1) w.before["@rps_last_ns"] = MapSnapshot{"@rps_last_ns", {{"", std::int64_t{1'500'000'000}}}};
    // Gaps 10 and 20 us: variance 25 us^2.
    put(w, "@sat_gaps", {{"", std::int64_t{2}}});
    put(w, "@sat_gap_sum_us", {{"", std::int64_t{30}}});
    put(w, "@sat_gap_sumsq_us2", {{"", std::int64_t{500}}});
    put(w, "@slack_waits", {{"", std::int64_t{4}}});
    put(w, "@slack_wait_ns", {{"", std::int64_t{4000 * (i + 1)}}});
    if (i < 2) put(w, "@reads", {{"", std::int64_t{7 + i}}});  // the third window read nothing
    if (i < 2) put(w, "@biggest", {{"", std::int64_t{100 * (i + 1)}}});
    put(w, "@avg_read", {{"", Stats{4, 40 * (i + 1)}}});
    // 12 keys: the hostile one the largest, "k0" and "k1" the smallest.
    std::map<std::string, report::Value> by_comm = {{hostile, std::int64_t{1000 + i}}};
    for (int k = 0; k < 11; ++k) by_comm["k" + std::to_string(k)] = std::int64_t{10 * k + i};
    put(w, "@by_comm", by_comm);
    put(w, "@sizes", {{"", Histogram{{0, 0, 1}, {1, 1, 2}, {4, 7, std::uint64_t(5 + i)}}}});
    out.push_back(w);
  }
  return out;
}

Window merged(const CheckedSpec& spec, const std::vector<Window>& windows) {
  return report::merge_windows(windows, [&](const std::string& name) { return report::merge_rule(spec, name); });
}

// Every chart of the page by its data-series: the text of its <svg>.
std::map<std::string, std::string> charts(const std::string& page) {
  std::map<std::string, std::string> out;
  static const std::regex chart(R"re(<svg class="chart" data-series="([^"]*)")re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), chart); it != std::sregex_iterator(); ++it) {
    auto from = static_cast<std::size_t>(it->position(0));
    auto to = page.find("</svg>", from);
    CHECK(out.emplace((*it)[1].str(), page.substr(from, to - from)).second);  // one chart per series
  }
  return out;
}

// The values of attribute `attr` of each `element` in `svg`, in order (of one line when given).
std::vector<std::string> values(const std::string& svg, const std::string& element, const std::string& attr,
                                const std::string& line = "") {
  std::string part = svg;
  if (!line.empty()) {
    auto from = svg.find("<g class=\"line\" data-line=\"" + line + "\">");
    REQUIRE(from != std::string::npos);
    part = svg.substr(from, svg.find("</g>", from) - from);
  }
  std::vector<std::string> out;
  std::regex one("<" + element + " [^>]*" + attr + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(part.begin(), part.end(), one); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

std::vector<double> numbers(const std::vector<std::string>& texts) {
  std::vector<double> out;
  for (const auto& t : texts) out.push_back(std::stod(t));
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("html report: one chart per series, a point per window that has a value, the values themselves") {
  auto spec = test::checked(spec_text);
  auto windows = three_windows();
  auto run = merged(spec, windows);
  report::RunFacts facts;
  facts.tracer = "bpftrace-aotrt (compiled ahead of time)";
  std::string page = exporter::html_report(spec, test::source(spec_text), windows, run, facts);
  auto all = charts(page);
  std::vector<std::string> names;
  for (const auto& [name, svg] : all) names.push_back(name);
  CHECK(names == std::vector<std::string>{"@avg_read", "@biggest", "@by_comm", "@reads", "@sizes", "latency_us",
                                          "request_latency", "responses_per_s", "rps", "saturation_var_us2",
                                          "slack_mean_us"});
  // Points at each window's end, in seconds since the run started.
  CHECK(values(all["responses_per_s"], "circle", "data-x") == std::vector<std::string>{"1", "2", "3"});
  CHECK(numbers(values(all["responses_per_s"], "circle", "data-y")) == std::vector<double>{4, 5, 6});
  // rps: 4 gaps in 0.5 s, then 10 sends in 1 s after the previous one; the third window sent nothing.
  CHECK(numbers(values(all["rps"], "circle", "data-y")) == std::vector<double>{8, 10});
  CHECK(values(all["rps"], "circle", "data-window") == std::vector<std::string>{"1", "2"});
  CHECK(numbers(values(all["saturation_var_us2"], "circle", "data-y")) == std::vector<double>{25, 25, 25});
  CHECK(numbers(values(all["slack_mean_us"], "circle", "data-y")) == std::vector<double>{1, 2, 3});
  // Latency: three lines, each with a point per window, the figures the other formats print.
  for (auto [line, p] : {std::pair{"p50", &report::Percentiles::p50}, {"p90", &report::Percentiles::p90},
                         {"p99", &report::Percentiles::p99}}) {
    std::vector<double> expected;
    for (const auto& w : windows) expected.push_back((*report::request_figures(w, spec.metrics).latency_us).*p);
    CHECK(numbers(values(all["latency_us"], "circle", "data-y", line)) == expected);
  }
  CHECK(count(all["latency_us"], "<circle ") == 9);
  // The spec's own: a count is 0 in a window that counted nothing; a max has no value there.
  CHECK(numbers(values(all["@reads"], "circle", "data-y")) == std::vector<double>{7, 8, 0});
  CHECK(numbers(values(all["@biggest"], "circle", "data-y")) == std::vector<double>{100, 200});
  CHECK(numbers(values(all["@avg_read"], "circle", "data-y")) == std::vector<double>{10, 20, 30});
  // A keyed map: the 10 largest keys, a line each; the two smallest named under the chart.
  CHECK(count(all["@by_comm"], "<g class=\"line\"") == 10);
  CHECK(count(all["@by_comm"], "<circle ") == 30);
  CHECK(numbers(values(all["@by_comm"], "circle", "data-y", "k10")) == std::vector<double>{100, 101, 102});
  CHECK(page.find("Not shown: 2 smaller keys of @by_comm (10 keys shown, the largest over the run): k1, k0.") !=
        std::string::npos);
  // Histograms over the run: a bar per bucket, its count in data-y.
  CHECK(values(all["@sizes"], "rect", "data-y") == std::vector<std::string>{"3", "6", "18"});
  CHECK(values(all["@sizes"], "rect", "data-x") == std::vector<std::string>{"0", "1", "4"});
  CHECK(values(all["@sizes"], "rect", "data-x-max") == std::vector<std::string>{"0", "1", "7"});
  // The request latency in powers of two of ns: [512, 1023] 9 times, none in [1024, 2047], [2048, 4095] 6 times.
  CHECK(values(all["request_latency"], "rect", "data-y") == std::vector<std::string>{"9", "0", "6"});
  CHECK(values(all["request_latency"], "rect", "data-x") == std::vector<std::string>{"512", "1024", "2048"});
  CHECK(values(all["request_latency"], "rect", "data-x-max") == std::vector<std::string>{"1023", "2047", "4095"});
  // Each chart has a title, and axes with tick labels and units.
  for (const auto& [name, svg] : all) {
    CHECK_MESSAGE(svg.find("<text class=\"title\"") != std::string::npos, name);
    CHECK_MESSAGE(count(svg, "text-anchor=\"end\">") >= 2, name);  // y tick labels (and a bar chart's bucket labels)
  }
  CHECK(all["rps"].find("requests/s</text>") != std::string::npos);
  CHECK(all["rps"].find(">1 s</text>") != std::string::npos);
  CHECK(all["saturation_var_us2"].find("us\u00b2</text>") != std::string::npos);
}

TEST_CASE("html report: the summary as the table prints it, and the spec's text") {
  auto spec = test::checked(spec_text);
  auto windows = three_windows();
  auto run = merged(spec, windows);
  report::RunFacts facts;
  facts.tracer = "bpftrace (asked for with --no-aot)";
  facts.lost_events = 3;
  facts.ended_by = "interrupted";
  facts.map_failures = {{"@by_comm", "map_update_elem", -7, 5, 0}};
  run.failed_maps = {"@by_comm"};
  std::string page = exporter::html_report(spec, test::source(spec_text), windows, run, facts);
  // Each request metric's line of the table's summary, as a row of the page.
  std::ostringstream table;
  report::make_reporter(report::Format::Table, table, spec)->summary(run, report::request_figures(run, spec.metrics), facts);
  int rows = 0;
  std::istringstream lines(table.str());
  for (std::string line; std::getline(lines, line);) {
    for (const char* name : {"throughput (socket sends, paper)", "responses (receive -> send turns)", "inter-receive gap",
                             "slack", "request latency"}) {
      if (line.rfind(std::string(name) + ": ", 0) != 0) continue;
      std::string value = line.substr(std::string(name).size() + 2);
      CHECK_MESSAGE(page.find("<tr><th>" + exporter::html_text(name) + "</th><td>" + exporter::html_text(value) + "</td></tr>") !=
                        std::string::npos,
                    line);
      ++rows;
    }
  }
  CHECK(rows == 5);
  CHECK(page.find("<tr><th>lost events</th><td>3</td></tr>") != std::string::npos);
  CHECK(page.find("<tr><th>ended by</th><td>interrupted</td></tr>") != std::string::npos);
  CHECK(page.find("<tr><th>tracer</th><td>bpftrace (asked for with --no-aot)</td></tr>") != std::string::npos);
  CHECK(page.find("<tr><th>target</th><td>the whole system</td></tr>") != std::string::npos);
  CHECK(page.find("5 calls of map_update_elem on @by_comm failed") != std::string::npos);
  CHECK(page.find("<tr><th>lower bounds</th><td><span class=\"warning\">@by_comm (") != std::string::npos);
  CHECK(page.find("lower bound: map updates failed") != std::string::npos);  // on the chart of @by_comm
  CHECK(page.find("<tr><th>length</th><td>3.00 s in 3 windows of 1 s; duration 3 s</td></tr>") != std::string::npos);
  CHECK(page.find("<pre class=\"spec\">window 1s duration 3s\nmetrics rps, responses, saturation, slack, latency\n"
                  "on syscall read where ret &gt; 0 {\n  count as reads\n") != std::string::npos);
}

TEST_CASE("html report: strings from the system are escaped everywhere; nothing is fetched from elsewhere") {
  auto spec = test::checked(spec_text);
  auto windows = three_windows();
  auto run = merged(spec, windows);
  report::RunFacts facts;
  facts.tracer = "bpftrace";
  facts.ended_by = "the command <b>\"x\"</b> exited";
  std::string page = exporter::html_report(spec, {"<i>&.obs", spec_text}, windows, run, facts);
  std::string escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\\x01\\xff";
  CHECK(exporter::html_text(hostile) == escaped);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("<i>") == std::string::npos);
  CHECK(page.find("&lt;i&gt;&amp;.obs") != std::string::npos);
  CHECK(page.find("the command &lt;b&gt;&quot;x&quot;&lt;/b&gt; exited") != std::string::npos);
  // The key as a line's name, in the legend and in its points' tooltips, and in the spec's results.
  auto all = charts(page);
  CHECK(all["@by_comm"].find("<g class=\"line\" data-line=\"" + escaped + "\">") != std::string::npos);
  CHECK(numbers(values(all["@by_comm"], "circle", "data-y", escaped)) == std::vector<double>{1000, 1001, 1002});
  CHECK(all["@by_comm"].find("<title>" + escaped + ", window 1 (1.00 s): 1000</title>") != std::string::npos);
  CHECK(page.find("@by_comm[" + escaped + "]: 3003\n") != std::string::npos);
  // No byte that is not UTF-8, no control byte but newlines.
  std::size_t bad = 0;
  for (char c : page) {
    auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\n') || b == 0x7f || b == 0xff) ++bad;
  }
  CHECK(bad == 0);
  // Self-contained: no address, no script, no style sheet, font or image from anywhere.
  for (const char* outside : {"http://", "https://", "//", "<script", "<link", "<img", "<iframe", "src=", "href=", "url(",
                              "@import", "<object", "<embed"})
    CHECK_MESSAGE(page.find(outside) == std::string::npos, outside);
  // Text made printable: control bytes, invalid UTF-8 and the bidirectional overrides as escapes; UTF-8 kept.
  CHECK(exporter::html_text("a\tb\nc\x7f") == "a\\x09b\\x0ac\\x7f");
  CHECK(exporter::html_text("a\tb\nc", true) == "a\tb\nc");
  CHECK(exporter::html_text("caf\xc3\xa9 \xe2\x80\xae \xc0\xaf \xed\xa0\x80") == "caf\xc3\xa9 \\u202e \\xc0\\xaf \\xed\\xa0\\x80");
}

TEST_CASE("html report: a run without windows still says what happened") {
  auto spec = test::checked("metrics rps\non syscall read { count }");
  report::RunFacts facts;
  facts.tracer = "bpftrace";
  facts.ended_by = "bpftrace stopped with an error";
  std::string page = exporter::html_report(spec, test::source("metrics rps"), {}, Window{}, facts);
  CHECK(page.find("none: the run reported no window") != std::string::npos);
  CHECK(page.find("<svg") == std::string::npos);
  CHECK(page.find("bpftrace stopped with an error") != std::string::npos);
  CHECK(page.rfind("</html>\n") == page.size() - 8);
}
