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

Section request_metrics_section(const ProgramContext& program) {
  const RequestMetrics& m = program.spec.metrics;
  const SyscallStyle style = program.spec.style;
  Section out;
  std::string origin = fmt::format("{}:{}", comment_text(program.source.name), program.spec.metrics_where.line);
  std::string is_socket = templates::render("socket_check", fmt::arg("fd", syscall_fd(style)));
  std::string entry_predicate = predicate({program.target_filter});

  std::vector<std::string> results;
  if (m.needs_send()) {
    out.code += templates::render("request_send_entry", fmt::arg("origin", origin),
                                  fmt::arg("attach", join_points(syscall_points(m.send, style, false))),
                                  fmt::arg("predicate", entry_predicate), fmt::arg("is_socket", is_socket),
                                  fmt::arg("fd", syscall_fd(style)));
    out.code += "\n" + templates::render("request_send_exit",
                                         fmt::arg("attach", join_points(syscall_points(m.send, style, true))),
                                         fmt::arg("ret", syscall_ret(style)), fmt::arg("body", send_body(m, results)));
    out.helpers.push_back("_send_fd");
  }
  if (m.needs_recv()) {
    out.code += "\n" + templates::render("request_recv_entry", fmt::arg("origin", origin),
                                         fmt::arg("attach", join_points(syscall_points(m.recv, style, false))),
                                         fmt::arg("predicate", entry_predicate), fmt::arg("is_socket", is_socket),
                                         fmt::arg("fd", syscall_fd(style)));
    out.code += "\n" + templates::render("request_recv_exit",
                                         fmt::arg("attach", join_points(syscall_points(m.recv, style, true))),
                                         fmt::arg("ret", syscall_ret(style)),
                                         fmt::arg("body", recv_body(m, results, out.helpers)));
    out.helpers.push_back("_recv_fd");
  }
  if (m.tracks_turns()) {
    out.code += "\n" + templates::render("request_close",
                                         fmt::arg("attach", join_points(syscall_points({"close"}, style, false))),
                                         fmt::arg("fd", syscall_fd(style)));
    out.helpers.push_back("_turn_start_ns");
  }
  if (m.slack) {
    std::string names;
    for (const auto& w : m.wait) names += (names.empty() ? "" : ", ") + w;
    out.code += "\n" + templates::render("request_wait", fmt::arg("origin", origin), fmt::arg("names", names),
                                         fmt::arg("enter_attach", join_points(syscall_points(m.wait, style, false))),
                                         fmt::arg("exit_attach", join_points(syscall_points(m.wait, style, true))),
                                         fmt::arg("predicate", entry_predicate));
    results.push_back("slack_wait_us");
    out.helpers.push_back("_wait_start_ns");
  }
  out.results = std::move(results);
  return out;
}

}  // namespace ebpfgen::codegen
