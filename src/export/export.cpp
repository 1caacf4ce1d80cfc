#include "export/export.hpp"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "diag/diagnostic.hpp"
#include "export/files.hpp"
#include "export/prometheus.hpp"
#include "report/metrics.hpp"

namespace ebpfgen::exporter {

std::pair<std::string, int> listen_address(const std::string& serve) {
  auto colon = serve.rfind(':');
  std::string host = colon == std::string::npos ? "127.0.0.1" : serve.substr(0, colon);
  std::string port_text = colon == std::string::npos ? serve : serve.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  bool host_ok = !host.empty() && host.size() <= 253 &&
                 std::all_of(host.begin(), host.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
                 });
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535 ||
      port_text.front() == '0' || !host_ok) {
    throw ExportError("--serve takes [ADDRESS:]PORT, a port from 1 to 65535 (e.g. 9464 or 0.0.0.0:9464)");
  }
  return {host, port};
}

std::string textfile_name_for(const std::string& source_name) {
  std::string stem = std::filesystem::path(source_name).stem().string(), out = "ebpfgen_";
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return (out == "ebpfgen_" ? "ebpfgen_spec" : out) + ".prom";
}

struct Exporter::State {
  const CheckedSpec& spec;
  ExportOptions options;
  RunState run;
  SeriesLimit limit;
  std::mutex mutex;
  std::string text;  // the latest exposition
  httplib::Server server;
  std::thread serving;
  std::string address;
  bool textfile_failed = false;
  State(const CheckedSpec& s, ExportOptions o) : spec(s), options(std::move(o)) {}
};

Exporter::Exporter(const CheckedSpec& spec, ExportOptions options, std::string target)
    : state_(std::make_unique<State>(spec, std::move(options))) {
  State& s = *state_;
  s.run.target = std::move(target);
  s.run.node = s.options.node;
  if (s.run.node.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) s.run.node = host;
  }
  if (!s.options.textfile_dir.empty()) {
    try {
      check_writable_directory(s.options.textfile_dir);
    } catch (const std::exception& e) {
      throw ExportError(fmt::format("--textfile {}: cannot write in it: {}", s.options.textfile_dir, e.what()));
    }
  }
  publish();
  if (s.options.serve.empty()) return;
  auto [host, port] = listen_address(s.options.serve);
  s.server.Get("/metrics", [&s](const httplib::Request&, httplib::Response& response) {
    std::lock_guard lock(s.mutex);
    response.set_content(s.text, "text/plain; version=0.0.4; charset=utf-8");
  });
  s.server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ebpfgen: the metrics are at /metrics\n", "text/plain; charset=utf-8");
  });
  if (!s.server.bind_to_port(host.c_str(), port)) {
    throw ExportError(fmt::format("--serve {}: cannot listen on {} port {}: {}", s.options.serve, host, port,
                                  std::strerror(errno)));
  }
  s.address = fmt::format("http://{}:{}/metrics", host.find(':') == std::string::npos ? host : "[" + host + "]", port);
  s.serving = std::thread([&s] { s.server.listen_after_bind(); });
}

Exporter::~Exporter() {
  if (state_->serving.joinable()) {
    state_->server.stop();
    state_->serving.join();
  }
}

void Exporter::tracer(const std::string& tracer) {
  state_->run.facts.tracer = tracer;
  publish();
}

void Exporter::window(const report::Window& w) {
  RunState& run = state_->run;
  const CheckedSpec& spec = state_->spec;
  run.totals = run.windows == 0 ? report::merge_windows({w}, [&](const std::string& n) { return report::merge_rule(spec, n); })
                                : report::merge_windows({run.totals, w}, [&](const std::string& n) {
                                    return report::merge_rule(spec, n);
                                  });
  run.last = w;
  ++run.windows;
  publish();
}

void Exporter::finish(const report::RunFacts& facts) {
  state_->run.facts = facts;
  state_->run.running = false;
  publish();
}

std::string Exporter::serving_at() const { return state_->address; }

void Exporter::publish() {
  State& s = *state_;
  std::string text = prometheus_text(s.spec, s.run, s.limit);
  {
    std::lock_guard lock(s.mutex);
    s.text = text;
  }
  if (!s.options.textfile_dir.empty()) {
    try {
      write_atomically((std::filesystem::path(s.options.textfile_dir) / s.options.textfile_name).string(), text);
    } catch (const std::exception& e) {
      // A full disk must not end the trace: said once, tried again at the next window.
      if (!s.textfile_failed) std::cerr << "ebpfgen: warning: --textfile: " << shown(e.what()) << " (tried again at every window)\n";
      s.textfile_failed = true;
    }
  }
}

}  // namespace ebpfgen::exporter
