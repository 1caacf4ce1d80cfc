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
#include "spec/request_metrics.hpp"

namespace ebpfgen::codegen {

namespace {

// What a send does: `conn` is the connection's key.
std::string send_body(const RequestMetrics& m, const std::string& conn) {
  std::string body;
  if (m.has(Metric::rps)) body += templates::render("rps_on_send");
  if (m.needs(Hook::turns)) {
    std::string turn;
    if (m.has(Metric::responses) && !m.responses_from_latency()) turn += templates::render("responses_on_turn");
    if (m.has(Metric::latency)) {
      turn += templates::render("latency_on_turn", {{"subbuckets", 1 << latency_subbucket_bits},
                                                    {"top_bits", latency_subbucket_bits + 1},
                                                    {"subbucket_bits", latency_subbucket_bits}});
    }
    body += templates::render("turn_on_send", {{"conn", conn}, {"body", turn}});
  }
  return body;
}

std::string recv_body(const RequestMetrics& m, const std::string& conn) {
  std::string body;
  if (m.has(Metric::saturation)) body += templates::render("saturation_on_recv");
  if (m.needs(Hook::turns)) body += templates::render("turn_on_recv", {{"conn", conn}});
  return body;
}

const char* socket_recv_point = "tracepoint:sock:sock_recv_length";
const char* socket_send_point = "tracepoint:sock:sock_send_length";
const char* socket_close_point = "tracepoint:sock:inet_sock_set_state";

// The probes on the socket layer's tracepoints.
std::vector<std::string> socket_probes(const ProgramContext& program, const std::string& origin) {
  const RequestMetrics& m = program.spec.metrics;
  std::vector<std::string> parts;
  auto arg = [](const char* name) { return tracepoint_arg(name); };
  if (m.needs(Hook::recv)) {
    // Peeks (MSG_PEEK, 2) leave the data queued.
    std::string pred = predicate({program.target_filter, arg("ret") + " > 0", "(" + arg("flags") + " & 2) == 0"});
    parts.push_back(render_probes(program, {socket_recv_point}, [&](const std::string&) {
      return templates::render("socket_recv", {{"origin", origin}, {"predicate", pred}, {"body", recv_body(m, "$conn")}});
    }));
  }
  if (m.needs(Hook::send)) {
    std::string pred = predicate({program.target_filter, arg("ret") + " > 0"});
    parts.push_back(render_probes(program, {socket_send_point}, [&](const std::string&) {
      return templates::render("socket_send", {{"origin", origin}, {"predicate", pred}, {"body", send_body(m, "$conn")}});
    }));
  }
  if (m.needs(Hook::turns)) {
    parts.push_back(render_probes(program, {socket_close_point}, [&](const std::string&) {
      return templates::render("socket_close");
    }));
  }
  return parts;
}

// The probes on the send, receive and close syscalls of sockets.
std::vector<std::string> syscall_probes(const ProgramContext& program, const std::string& origin) {
  const RequestMetrics& m = program.spec.metrics;
  const SyscallStyle style = program.spec.style;
  std::string target = predicate({program.target_filter});
  std::string target_line = target.empty() ? "" : target + "\n";
  std::vector<std::string> parts;
  auto syscall_pair = [&](const std::vector<std::string>& syscalls, const char* what, RequestMap helper,
                          const std::string& body) {
    parts.push_back(render_probes(program, syscall_points(syscalls, style, false), [&](const std::string& attach) {
      return templates::render("syscall_entry", {{"attach", attach}, {"origin", origin}, {"predicate", target_line},
                                                 {"fd", syscall_fd(style)}, {"what", what}, {"helper", ref(helper)}});
    }));
    parts.push_back(render_probes(program, syscall_points(syscalls, style, true), [&](const std::string& attach) {
      return templates::render("syscall_exit", {{"attach", attach}, {"predicate", target_line}, {"ret", syscall_ret(style)},
                                                {"what", what}, {"helper", ref(helper)}, {"body", templates::indented(body, 2)}});
    }));
  };
  if (m.needs(Hook::send)) syscall_pair(m.send, "send", RequestMap::_send_fd, send_body(m, "pid, $fd"));
  if (m.needs(Hook::recv)) syscall_pair(m.recv, "receive", RequestMap::_recv_fd, recv_body(m, "pid, $fd"));
  if (m.needs(Hook::turns)) {
    parts.push_back(render_probes(program, syscall_points({"close"}, style, false), [&](const std::string& attach) {
      return templates::render("syscall_close", {{"attach", attach}, {"predicate", target_line}, {"fd", syscall_fd(style)}});
    }));
  }
  return parts;
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
  if (m.probes == RequestProbes::Socket) {
    if (m.needs(Hook::send)) out.push_back(socket_send_point);
    if (m.needs(Hook::recv)) out.push_back(socket_recv_point);
    if (m.needs(Hook::turns)) out.push_back(socket_close_point);
  } else {
    if (m.needs(Hook::send)) add(m.send);
    if (m.needs(Hook::recv)) add(m.recv);
    if (m.needs(Hook::turns)) out.push_back(syscall_points({"close"}, spec.style, false).front());
  }
  if (m.needs(Hook::wait)) add(m.wait);
  return out;
}

Section request_metrics_section(const ProgramContext& program) {
  const RequestMetrics& m = program.spec.metrics;
  const SyscallStyle style = program.spec.style;
  std::string origin = fmt::format("{}:{}", comment_text(program.source.name), program.spec.metrics_where.line);
  std::vector<std::string> parts =
      m.probes == RequestProbes::Socket ? socket_probes(program, origin) : syscall_probes(program, origin);
  Section out;
  if (m.has(Metric::saturation)) out.at_cut.push_back(ref(RequestMap::_recv_prev_ns) + " = 0;  // gaps never span a cut");
  if (m.needs(Hook::wait)) {
    std::string target = predicate({program.target_filter});
    std::string target_line = target.empty() ? "" : target + "\n";
    std::string names;
    for (const auto& w : m.wait) names += (names.empty() ? "" : ", ") + w;
    parts.push_back(render_probes(program, syscall_points(m.wait, style, false), [&](const std::string& attach) {
      return templates::render("request_wait_entry",
                               {{"attach", attach}, {"origin", origin}, {"predicate", target_line}, {"names", names}});
    }));
    parts.push_back(render_probes(program, syscall_points(m.wait, style, true), [&](const std::string& attach) {
      return templates::render("request_wait_exit", {{"attach", attach}, {"predicate", target_line}});
    }));
  }
  for (const auto& part : parts) out.code += (out.code.empty() ? "" : "\n") + part;
  for (RequestMap map : m.asked.printed()) out.cumulative.emplace_back(name_of(map));
  for (RequestMap map : m.helpers()) out.helpers.emplace_back(name_of(map));
  return out;
}

}  // namespace ebpfgen::codegen
