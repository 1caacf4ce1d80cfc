// Export: the run's metrics where other programs read them. A Prometheus
// endpoint (`--serve`) and a node_exporter textfile (`--textfile`), both
// brought up to date at every window (docs/EXPORT.md).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "check/check.hpp"
#include "report/format.hpp"
#include "report/window.hpp"

namespace ebpfgen::exporter {

struct ExportOptions {
  std::string serve;          // "[ADDR:]PORT" for /metrics, "" for none
  std::string textfile_dir;   // a directory for node_exporter's textfile collector, "" for none
  std::string textfile_name;  // the file's name in it
  std::string node;           // the `node` label (the host's name unless given)
  bool any() const { return !serve.empty() || !textfile_dir.empty(); }
};

struct ExportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "[ADDR:]PORT" as address and port (127.0.0.1 when only a port is given); throws ExportError.
std::pair<std::string, int> listen_address(const std::string& serve);

// A textfile name from the spec's source name: "ebpfgen_" and its letters, digits and '_', ".prom".
std::string textfile_name_for(const std::string& source_name);

class Exporter {
 public:
  // Listens and checks the textfile directory at once: throws ExportError with what went wrong.
  Exporter(const CheckedSpec& spec, ExportOptions options, std::string target);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  void tracer(const std::string& tracer);  // which program runs the trace
  void window(const report::Window& window);
  // The run has ended: `ebpfgen_up` 0 and the final facts, in the textfile; the endpoint stops.
  void finish(const report::RunFacts& facts);
  std::string serving_at() const;  // "http://127.0.0.1:9464/metrics", "" when not serving

 private:
  struct State;
  std::unique_ptr<State> state_;
  void publish();
};

}  // namespace ebpfgen::exporter
