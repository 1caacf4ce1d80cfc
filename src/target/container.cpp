#include "target/container.hpp"

#include <algorithm>
#include <cctype>
#include <future>
#include <optional>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <fmt/format.h>

namespace ebpfgen::target {

namespace bp = boost::process;

namespace {

struct Answer {
  int status = 0;
  std::string out, err;
};

// Runs a runtime's tool and collects what it says, giving up after `timeout`.
Answer ask(const boost::filesystem::path& tool, const std::vector<std::string>& args, std::chrono::seconds timeout) {
  boost::asio::io_context io;
  std::future<std::string> out, err;
  bp::child child(tool, bp::args(args), bp::std_in < bp::null, bp::std_out > out, bp::std_err > err, io);
  io.run_for(timeout);
  if (!io.stopped()) {
    child.terminate();
    throw TargetError(fmt::format("{} did not answer within {} s", tool.filename().string(), timeout.count()));
  }
  child.wait();
  return {child.exit_code(), out.get(), err.get()};
}

// crictl matches --name as a regular expression: only dots need escaping in a valid name.
std::string exact_name_pattern(const std::string& name) {
  std::string pattern = "^";
  for (char c : name) pattern += c == '.' ? std::string("\\.") : std::string(1, c);
  return pattern + "$";
}

// What one runtime says: the container, or why not.
struct Lookup {
  std::optional<Container> found;
  bool not_found = false;
  std::string problem;
};

Lookup look_up(const boost::filesystem::path& tool, const std::string& runtime, const std::string& name,
               std::chrono::seconds timeout) {
  Answer a = ask(tool, inspect_command(runtime, name), timeout);
  if (runtime == "crictl" && a.status == 0) {  // step two: the pid of the id found
    std::istringstream listed(a.out);
    std::vector<std::string> ids;
    for (std::string word; listed >> word;) ids.push_back(word);
    if (ids.empty()) return {std::nullopt, true, ""};
    // Pods on one node often hold containers of the same name (the replicas of a deployment).
    if (ids.size() > 1) {
      std::string shown;
      for (const auto& i : ids) shown += (shown.empty() ? "" : ", ") + i.substr(0, 12);
      throw TargetError(fmt::format("{} running containers are named '{}' (crictl: {}); trace one of them by its "
                                    "first process (info.pid in crictl inspect ID): --pid PID --descendants",
                                    ids.size(), name, shown));
    }
    const std::string& id = ids.front();
    Answer p = ask(tool, crictl_pid_command(id), timeout);
    if (p.status != 0) return {std::nullopt, false, error_line(p.err)};
    a = {0, p.out + " true " + id, ""};
  }
  if (a.status != 0) return {std::nullopt, says_no_such_container(a.err), error_line(a.err)};
  std::istringstream words(a.out);
  long pid = 0;
  std::string running, id;
  if (!(words >> pid >> running >> id)) {
    return {std::nullopt, false, "unexpected answer: " + a.out.substr(0, a.out.find('\n'))};
  }
  if (running != "true" || pid <= 0) throw TargetError(fmt::format("container '{}' is not running ({})", name, runtime));
  return {Container{runtime, id, static_cast<pid_t>(pid)}, false, ""};
}

}  // namespace

std::string error_line(const std::string& text) {
  std::string line;
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) {
    while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.pop_back();
    if (!l.empty()) line = l;
  }
  return line.empty() ? "(it said nothing)" : line;
}

bool says_no_such_container(const std::string& err) {
  std::string lower = err;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("no such container") != std::string::npos || lower.find("no such object") != std::string::npos;
}

namespace {

// "a, b, c and d".
std::string listed(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

}  // namespace

const std::vector<std::string>& known_runtimes() {
  static const std::vector<std::string> runtimes = {"docker", "podman", "nerdctl", "crictl"};
  return runtimes;
}

std::vector<std::string> inspect_command(const std::string& runtime, const std::string& name) {
  if (runtime == "crictl") return {"ps", "--quiet", "--state", "running", "--name", exact_name_pattern(name)};
  // docker, podman and nerdctl share docker's inspect and its Go templates.
  return {"container", "inspect", "--format", "{{.State.Pid}} {{.State.Running}} {{.Id}}", name};
}

std::vector<std::string> crictl_pid_command(const std::string& id) {
  return {"inspect", "--output", "go-template", "--template", "{{.info.pid}}", id};
}

Container find_container(const std::string& name, const std::string& runtime, std::chrono::seconds timeout) {
  std::vector<std::string> asked;
  std::vector<std::string> problems;
  for (const auto& r : runtime.empty() ? known_runtimes() : std::vector<std::string>{runtime}) {
    auto tool = bp::search_path(r);
    if (tool.empty()) continue;
    asked.push_back(r);
    Lookup found = look_up(tool, r, name, timeout);
    if (found.found) return *found.found;
    if (!found.not_found) problems.push_back(r + ": " + found.problem);
  }
  if (asked.empty() && !runtime.empty())
    throw TargetError(fmt::format("container runtime '{}' is not installed (not found on PATH)", runtime));
  if (asked.empty())
    throw TargetError(fmt::format("no container runtime is installed: looked for {} on PATH", listed(known_runtimes())));
  std::string message = fmt::format("no running container named '{}'", name);
  std::string whom;
  for (const auto& r : asked) whom += (whom.empty() ? "" : ", ") + r;
  std::string reasons;
  for (const auto& p : problems) reasons += (reasons.empty() ? "" : "; ") + p;
  // No runtime could answer (its daemon down, its storage unusable): nothing is known of the name.
  if (problems.size() == asked.size()) {
    throw TargetError(fmt::format("cannot look up container '{}': {}", name, reasons));
  }
  if (problems.empty()) throw TargetError(message + " (asked " + whom + ")");
  throw TargetError(message + " (asked " + whom + "); " + reasons);
}

}  // namespace ebpfgen::target
