// The request-level metrics of the paper, aggregated in the kernel:
// throughput from socket sends, responses (receive -> send turns), saturation
// (variance of inter-receive gaps), slack (mean wait) and request latency.
#include <fmt/format.h>

#include "codegen/parts.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"

namespace ebpfgen::codegen {

namespace {

std::string send_body(const RequestMetrics& m, std::vector<std::string>& results) {
  std::string body;
  if (m.rps) {
    body += templates::render("rps_on_send");
    results.insert(results.end(), {"rps_sends", "rps_first_ns", "rps_last_ns"});
  }
  if (m.tracks_turns()) {
    std::string turn;
    if (m.responses) {
      turn += "      @responses = count();\n";
      results.push_back("responses");
    }
    if (m.latency) {
      turn += "      @request_latency_us = hist((nsecs - $start) / 1000);\n";
      results.push_back("request_latency_us");
    }
    body += templates::render("turn_on_send", fmt::arg("body", turn));
  }
  return body;
}

std::string recv_body(const RequestMetrics& m, std::vector<std::string>& results, std::vector<std::string>& helpers) {
  std::string body;
  if (m.saturation) {
    body += templates::render("saturation_on_recv");
    results.insert(results.end(), {"sat_gaps", "sat_gap_sum_us", "sat_gap_sumsq_us2"});
    helpers.push_back("_recv_prev_ns");
  }
  if (m.tracks_turns()) body += templates::render("turn_on_recv");
  return body;
}

}  // namespace

std::vector<std::string> request_metrics_points(const CheckedSpec& spec) {
  const RequestMetrics& m = spec.metrics;
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& syscalls) {
    for (bool at_return : {false, true}) {
      auto points = syscall_points(syscalls, spec.style, at_return);
      out.insert(out.end(), points.begin(), points.end());
    }
  };
  if (m.needs_send()) add(m.send);
  if (m.needs_recv()) add(m.recv);
  if (m.slack) add(m.wait);
  if (m.tracks_turns()) out.push_back(syscall_points({"close"}, spec.style, false).front());
  return out;
}

Section request_metrics_section(const ProgramContext& program) {
  const RequestMetrics& m = program.spec.metrics;
  const SyscallStyle style = program.spec.style;
  Section out;
  std::string origin = fmt::format("{}:{}", comment_text(program.source.name), program.spec.metrics_where.line);
  // The target filter on a line of its own, or nothing: every probe has it,
  // so that other processes' syscalls cost as little as possible.
  std::string target_predicate = predicate({program.target_filter});
  if (!target_predicate.empty()) target_predicate += "\n";
  auto probes = [&](const std::vector<std::string>& syscalls, bool at_return, const char* name, auto&&... args) {
    return render_probes(program, syscall_points(syscalls, style, at_return), [&](const std::string& attach) {
      return templates::render(name, fmt::arg("attach", attach), fmt::arg("origin", origin),
                               fmt::arg("predicate", target_predicate), args...);
    });
  };

  std::vector<std::string> results;
  std::vector<std::string> parts;
  if (m.needs_send()) {
    parts.push_back(probes(m.send, false, "request_send_entry", fmt::arg("fd", syscall_fd(style))));
    std::string body = send_body(m, results);
    parts.push_back(probes(m.send, true, "request_send_exit", fmt::arg("ret", syscall_ret(style)), fmt::arg("body", body)));
    out.helpers.push_back("_send_fd");
  }
  if (m.needs_recv()) {
    parts.push_back(probes(m.recv, false, "request_recv_entry", fmt::arg("fd", syscall_fd(style))));
    std::string body = recv_body(m, results, out.helpers);
    parts.push_back(probes(m.recv, true, "request_recv_exit", fmt::arg("ret", syscall_ret(style)), fmt::arg("body", body)));
    out.helpers.push_back("_recv_fd");
  }
  if (m.tracks_turns()) {
    parts.push_back(probes({"close"}, false, "request_close", fmt::arg("fd", syscall_fd(style))));
    out.helpers.push_back("_turn_start_ns");
  }
  if (m.slack) {
    std::string names;
    for (const auto& w : m.wait) names += (names.empty() ? "" : ", ") + w;
    parts.push_back(probes(m.wait, false, "request_wait_entry", fmt::arg("names", names)));
    parts.push_back(probes(m.wait, true, "request_wait_exit"));
    results.push_back("slack_wait_us");
    out.helpers.push_back("_wait_start_ns");
  }
  for (const auto& part : parts) out.code += (out.code.empty() ? "" : "\n") + part;
  out.results = std::move(results);
  return out;
}

}  // namespace ebpfgen::codegen
