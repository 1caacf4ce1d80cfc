#include "codegen/codegen.hpp"

#include <sstream>

#include <algorithm>

#include <fmt/format.h>

#include "codegen/io_posix.hpp"
#include "codegen/parts.hpp"
#include "codegen/plan.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"
#include "spec/limits.hpp"
#include "spec/maps.hpp"
#include "target/description.hpp"

namespace ebpfgen {

namespace codegen {

std::string origin_comment(const ProgramContext& program, const Location& where) {
  std::istringstream lines(program.source.text);
  std::string line;
  for (std::size_t n = 0; n < where.line && std::getline(lines, line); ++n) {
  }
  auto first = line.find_first_not_of(" \t");
  line = first == std::string::npos ? "" : line.substr(first);
  return fmt::format("// {}:{}: {}", comment_text(program.source.name), where.line, comment_text(line));
}

std::string render_probes(const ProgramContext& program, const std::vector<std::string>& points,
                          const std::function<std::string(const std::string& attach)>& render) {
  std::vector<std::string> together;
  std::vector<std::string> probes;
  for (const auto& p : points) {
    if (program.shared_points.contains(p)) probes.push_back(render(p));
    else together.push_back(p);
  }
  if (!together.empty()) probes.insert(probes.begin(), render(join_points(together)));
  std::string out;
  for (const auto& probe : probes) out += (out.empty() ? "" : "\n") + probe;
  return out;
}

std::string predicate(const std::vector<std::string>& conditions) {
  std::string out;
  for (const auto& c : conditions) {
    if (c.empty()) continue;
    out += out.empty() ? c : " && (" + c + ")";
  }
  return out.empty() ? "" : "/" + out + "/";
}

namespace {

std::string target_filter(const CheckedSpec& spec) {
  const ast::Target& t = spec.target;
  switch (t.kind) {
    case ast::TargetKind::All: return "";
    case ast::TargetKind::Pid: {
      if (!t.descendants) return "pid == " + t.value;
      // Its descendants by their parent chain, read where the probe fires: processes
      // forked before and after tracing started alike, and no map to keep.
      std::string filter = "pid == " + t.value, parent = "curtask";
      for (int generation = 1; generation <= ast::descendant_generations; ++generation) {
        parent += "->real_parent";
        filter += fmt::format(" || {}->tgid == {}", parent, t.value);
      }
      return "(" + filter + ")";  // predicates join it to other conditions with &&
    }
    case ast::TargetKind::Comm:
      if (t.prefix) return fmt::format("strncmp(comm, {}, {}) == 0", string_literal(t.value), t.value.size());
      return "comm == " + string_literal(t.value);
    case ast::TargetKind::Cgroup: return "cgroup == cgroupid(" + string_literal(spec.cgroup_directory) + ")";
    // Known when the program is run: bpftrace's first positional parameter.
    // A container by its mount namespace: every runtime gives each container one, and
    // unlike its cgroup it holds processes in nested cgroups and on cgroup v1 hosts too.
    case ast::TargetKind::Container: return "curtask->nsproxy->mnt_ns->ns.inum == $1";
    case ast::TargetKind::Command: return "cgroup == $1";
  }
  return "";
}


std::string human_duration(std::uint64_t ms) {
  if (ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string clear_statements(const std::vector<std::string>& maps) {
  std::string out;
  for (const auto& m : maps) out += fmt::format("  clear(@{});\n", m);
  return out;
}

// What every cut prints: cumulative maps as they are, the others cleared after printing.
struct Results {
  std::vector<std::string> cleared, cumulative, at_cut;
  std::string prints(const char* indent) const {
    std::string out;
    for (const auto& m : cumulative) out += fmt::format("{0}print(@{1});\n", indent, m);
    for (const auto& m : cleared) out += fmt::format("{0}print(@{1}); clear(@{1});\n", indent, m);
    return out;
  }
};

// One short interval probe cuts the windows and ends the run.
std::string clock_probe(const CheckedSpec& spec, const Results& results) {
  std::uint64_t tick = 100;
  for (auto ms : {spec.window_ms, spec.duration_ms})
    if (ms) tick = std::min(tick, *ms);
  std::string window, duration;
  if (spec.window_ms) {
    std::string prints = results.prints("    ");
    for (const auto& statement : results.at_cut) prints += "    " + statement + "\n";
    std::string note =
        results.cumulative.empty()
            ? "\n  // Each map is cleared right after its print: bpftrace does both\n"
              "  // asynchronously, and an event between the two is lost."
        : results.cleared.empty()
            ? "\n  // They are never cleared: the report takes each window's growth, and an event\n"
              "  // between a print and a clear cannot be lost."
            : "\n  // The request metrics are never cleared (the report takes each window's growth);\n"
              "  // the others are cleared right after their print (an event between the two is lost).";
    window = templates::render(
        "clock_window", {{"window", human_duration(*spec.window_ms)}, {"window_ns", *spec.window_ms * 1'000'000},
                         {"prints", prints}, {"cumulative_note", note},
                         // The run's end cuts the last window itself: no empty window after it.
                         {"unless_ending", spec.duration_ms ? " && $now < " + map_ref(clock_maps::end_ns) : ""}});
  }
  if (spec.duration_ms) {
    duration = templates::render("clock_duration",
                                 {{"duration", human_duration(*spec.duration_ms)}, {"prints", results.prints("    ")}});
  }
  return templates::render("clock", {{"tick", human_duration(tick)}, {"attach", fmt::format("interval:ms:{}", tick)},
                                     {"window", window}, {"duration", duration}});
}

// The header comments: where the program came from, its target and what it rests on.
std::string header_text(const CheckedSpec& spec, const Source& source) {
  std::string out = templates::render(
      "header", {{"source", comment_text(source.name)}, {"target", comment_text(target::description(spec.target))}});
  for (const auto& fact : spec.target_facts) out += "//   " + comment_text(fact) + "\n";
  if (spec.metrics.any()) {
    out += fmt::format("// Request metrics from {}: {}.\n",
                       spec.metrics.probes == RequestProbes::Socket ? "the socket tracepoints" : "the socket syscalls",
                       comment_text(spec.metrics.probes_reason));
  }
  if (spec.map_keys) {
    out += fmt::format("// Run with BPFTRACE_MAP_KEYS_MAX={0}: every map holds up to {0} keys (option map_keys;\n"
                       "// bpftrace's default is {1}).\n",
                       *spec.map_keys, default_map_keys);
  }
  return out;
}

// BEGIN: windows and the run count from here, once every probe is attached.
std::string begin_text(const CheckedSpec& spec) {
  std::string start;
  if (spec.window_ms) start += fmt::format("  {} = $now + {};\n", map_ref(clock_maps::next_window_ns), *spec.window_ms * 1'000'000);
  if (spec.duration_ms) start += fmt::format("  {} = $now + {};\n", map_ref(clock_maps::end_ns), *spec.duration_ms * 1'000'000);
  if (spec.window_ms || spec.duration_ms) start += "  " + map_ref(clock_maps::stop) + " = 0;  // set by ebpfgen to end the run\n";
  if (spec.io) start += io_posix_begin();
  return templates::render("begin", {{"target", format_text(target::description(spec.target))}, {"start", start}});
}

}  // namespace

}  // namespace codegen

std::string generate_program(const CheckedSpec& spec, const Source& source) {
  using namespace codegen;
  ProgramContext program{spec, source, target_filter(spec), plan_program(spec).shared_points};
  std::vector<Section> sections;
  if (spec.metrics.any()) sections.push_back(request_metrics_section(program));
  if (spec.io) sections.push_back(io_posix_section(program));
  for (std::size_t i = 0; i < spec.blocks.size(); ++i) {
    sections.push_back(block_section(program, spec.blocks[i], static_cast<int>(i + 1)));
  }
  std::string out = header_text(spec, source) + "\n" + begin_text(spec);
  Results results;
  std::vector<std::string> helpers;
  for (const auto& s : sections) {
    out += "\n" + s.code;
    results.cleared.insert(results.cleared.end(), s.results.begin(), s.results.end());
    results.cumulative.insert(results.cumulative.end(), s.cumulative.begin(), s.cumulative.end());
    results.at_cut.insert(results.at_cut.end(), s.at_cut.begin(), s.at_cut.end());
    for (const auto& h : s.helpers)  // a span's two blocks share theirs
      if (std::find(helpers.begin(), helpers.end(), h) == helpers.end()) helpers.push_back(h);
  }
  if (spec.window_ms || spec.duration_ms) {
    out += "\n" + clock_probe(spec, results);
    if (spec.window_ms) helpers.emplace_back(clock_maps::next_window_ns);
    if (spec.duration_ms) helpers.emplace_back(clock_maps::end_ns);
    helpers.emplace_back(clock_maps::stop);
  }
  // Everything is cleared after END's prints: bpftrace's dump at exit then repeats nothing.
  std::vector<std::string> clears = results.cumulative;
  clears.insert(clears.end(), helpers.begin(), helpers.end());
  out += "\n" + templates::render("end", {{"prints", results.prints("  ")}, {"clears", clear_statements(clears)}});
  return out;
}

}  // namespace ebpfgen
