#include "run/bpftrace_errors.hpp"

#include <regex>
#include <sstream>

#include "diag/exit_status.hpp"

namespace ebpfgen::run {

std::string spec_origin(const std::string& program, std::size_t line) {
  std::istringstream in(program);
  std::string text, origin;
  static const std::regex comment(R"(^// (.+:\d+: .*)$)");
  std::smatch m;
  for (std::size_t n = 1; n <= line && std::getline(in, text); ++n) {
    if (std::regex_match(text, m, comment)) origin = m[1].str();
  }
  return origin;
}

namespace {

// The note that names the spec line a failing probe came from, when one is known.
std::vector<std::string> in_probe(const std::string& origin) {
  if (origin.empty()) return {};
  return {"in the probe generated from " + origin};
}

// The line of the program where an attach point is written, or 0.
std::size_t line_of_point(const std::string& program, const std::string& point) {
  std::istringstream in(program);
  std::string text;
  for (std::size_t n = 1; std::getline(in, text); ++n) {
    if (text == point || text == point + ",") return n;
  }
  return 0;
}

}  // namespace

void show_bpftrace_errors(const std::vector<std::string>& errors, const std::string& program, const std::string& path) {
  // "prog.bt:13:6-77: ERROR: ..." or, for a whole probe, "prog.bt:15-18: ERROR: ..." where the
  // range ends at the probe's attach point (bpftrace 0.17 starts it after the previous probe).
  static const std::regex located(R"(^[^:]*:(\d+)(?:-(\d+))?(?::[0-9-]+)?: ERROR: (.*)$)");
  static const std::regex unattached(R"(Error attaching probe: '?([^' ]+)'?)");
  std::smatch m;
  for (const auto& line : errors) {
    if (std::regex_match(line, m, located) && line.rfind(path, 0) == 0) {
      std::string origin = spec_origin(program, std::stoul(m[m[2].matched ? 2 : 1].str()));
      print_error("bpftrace: " + m[3].str(), in_probe(origin));
    } else if (std::regex_search(line, m, unattached)) {
      // No location: find the attach point's line in the program.
      print_error("bpftrace: " + m[0].str(), in_probe(spec_origin(program, line_of_point(program, m[1].str()))));
    } else if (line.find("ERROR:") != std::string::npos) {
      print_error("bpftrace: " + line.substr(line.find("ERROR:") + 7));
    }
  }
}

}  // namespace ebpfgen::run
