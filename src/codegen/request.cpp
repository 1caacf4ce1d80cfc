// The request-level metrics of the paper, aggregated in the kernel:
// throughput from socket sends, responses (receive -> send turns), saturation
// (variance of inter-receive gaps), slack (mean wait) and request latency.
// Results are cumulative (printed at every cut, never cleared: the report
// takes each window's growth), so an event is never lost between a print and
// a clear, and no aggregation entry is deleted and made again every window.
#include <fmt/format.h>

#include "codegen/parts.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"
#include "spec/metrics.hpp"

namespace ebpfgen::codegen {

namespace {

// Two more spaces before every line of a fragment.
std::string indented(const std::string& text) {
  std::string out;
  std::size_t from = 0;
  while (from < text.size()) {
    auto to = text.find('\n', from);
    if (to == std::string::npos) to = text.size() - 1;
    out += (to > from ? "  " : "") + text.substr(from, to + 1 - from);
    from = to + 1;
  }
  return out;
}

void add_results(const RequestMetrics& m, Section& out) {
  for (const auto& name : m.names()) {
    if (name == "responses" && !m.counts_responses()) continue;  // the latency histogram's total
    for (const auto& map : find_metric(name)->maps) out.cumulative.emplace_back(map.name);
  }
}

// What a send does: `conn` is the connection's key.
std::string send_body(const RequestMetrics& m, const std::string& conn) {
  std::string body;
  if (m.rps) body += templates::render("rps_on_send");
  if (m.tracks_turns()) {
    std::string turn;
    if (m.counts_responses()) turn += "    @responses = count();\n";
    if (m.latency) turn += templates::render("latency_on_turn");
    body += templates::render("turn_on_send", fmt::arg("conn", conn), fmt::arg("body", turn));
  }
  return body;
}

std::string recv_body(const RequestMetrics& m, const std::string& conn) {
  std::string body;
  if (m.saturation) body += templates::render("saturation_on_recv");
  if (m.tracks_turns()) body += templates::render("turn_on_recv", fmt::arg("conn", conn));
  return body;
}

const char* socket_recv_point = "tracepoint:sock:sock_recv_length";
const char* socket_send_point = "tracepoint:sock:sock_send_length";
const char* socket_close_point = "tracepoint:sock:inet_sock_set_state";

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
  if (m.probes == RequestProbes::Socket) {
    if (m.needs_send()) out.push_back(socket_send_point);
    if (m.needs_recv()) out.push_back(socket_recv_point);
    if (m.tracks_turns()) out.push_back(socket_close_point);
  } else {
    if (m.needs_send()) add(m.send);
    if (m.needs_recv()) add(m.recv);
    if (m.tracks_turns()) out.push_back(syscall_points({"close"}, spec.style, false).front());
  }
  if (m.slack) add(m.wait);
  return out;
}

Section request_metrics_section(const ProgramContext& program) {
  const RequestMetrics& m = program.spec.metrics;
  const SyscallStyle style = program.spec.style;
  Section out;
  std::string origin = fmt::format("{}:{}", comment_text(program.source.name), program.spec.metrics_where.line);
  std::string reason = comment_text(m.probes_reason);
  // Every probe filters the target first, so that other processes pay little.
  auto render = [&](const std::vector<std::string>& points, const char* name, auto&&... args) {
    return render_probes(program, points, [&](const std::string& attach) {
      return templates::render(name, fmt::arg("attach", attach), fmt::arg("origin", origin), fmt::arg("reason", reason),
                               args...);
    });
  };
  std::string target = predicate({program.target_filter});
  std::string target_line = target.empty() ? "" : target + "\n";

  std::vector<std::string> parts;
  if (m.probes == RequestProbes::Socket) {
    if (m.needs_recv()) {
      parts.push_back(render({socket_recv_point}, "socket_recv",
                             fmt::arg("predicate", predicate({program.target_filter, "args->ret > 0", "(args->flags & 2) == 0"})),
                             fmt::arg("body", recv_body(m, "$conn"))));
    }
    if (m.needs_send()) {
      parts.push_back(render({socket_send_point}, "socket_send",
                             fmt::arg("predicate", predicate({program.target_filter, "args->ret > 0"})),
                             fmt::arg("body", send_body(m, "$conn"))));
    }
    if (m.tracks_turns()) parts.push_back(render({socket_close_point}, "socket_close"));
  } else {
    auto syscall_pair = [&](const std::vector<std::string>& syscalls, const char* what, const char* helper,
                            const std::string& body) {
      parts.push_back(render(syscall_points(syscalls, style, false), "syscall_entry", fmt::arg("predicate", target_line),
                             fmt::arg("fd", syscall_fd(style)), fmt::arg("what", what), fmt::arg("helper", helper)));
      parts.push_back(render(syscall_points(syscalls, style, true), "syscall_exit", fmt::arg("predicate", target_line),
                             fmt::arg("ret", syscall_ret(style)), fmt::arg("what", what), fmt::arg("helper", helper),
                             fmt::arg("body", indented(body))));
      out.helpers.emplace_back(helper);
    };
    if (m.needs_send()) syscall_pair(m.send, "send", "_send_fd", send_body(m, "pid, $fd"));
    if (m.needs_recv()) syscall_pair(m.recv, "receive", "_recv_fd", recv_body(m, "pid, $fd"));
    if (m.tracks_turns()) {
      parts.push_back(render(syscall_points({"close"}, style, false), "syscall_close", fmt::arg("predicate", target_line),
                             fmt::arg("fd", syscall_fd(style))));
    }
  }
  if (m.tracks_turns()) out.helpers.emplace_back("_turn_start_ns");
  if (m.saturation) {
    out.helpers.emplace_back("_recv_prev_ns");
    out.at_cut.push_back("@_recv_prev_ns = 0;  // gaps never span a cut");
  }
  if (m.slack) {
    std::string names;
    for (const auto& w : m.wait) names += (names.empty() ? "" : ", ") + w;
    parts.push_back(render(syscall_points(m.wait, style, false), "request_wait_entry", fmt::arg("predicate", target_line),
                           fmt::arg("names", names)));
    parts.push_back(render(syscall_points(m.wait, style, true), "request_wait_exit", fmt::arg("predicate", target_line)));
    out.helpers.emplace_back("_wait_start_ns");
  }
  for (const auto& part : parts) out.code += (out.code.empty() ? "" : "\n") + part;
  add_results(m, out);
  return out;
}

}  // namespace ebpfgen::codegen
