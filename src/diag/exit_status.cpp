#include "diag/exit_status.hpp"

#include <iostream>

#include "diag/diagnostic.hpp"

namespace ebpfgen {

const std::vector<ExitStatusInfo>& exit_statuses() {
  static const std::vector<ExitStatusInfo> table = {
      {exit_success, "", "success",
       "the spec is fine (`--check`), the program was printed (`--emit`), or the run ended (`--run`)"},
      {exit_spec_error, "", "errors in the spec",
       "the spec has errors, and nothing is printed on standard output; `--list`: nothing matches the pattern"},
      {exit_usage_error, "", "usage errors", "bad or missing options, an unreadable spec file, an invalid target option"},
      {exit_no_bpftrace, "--run", "bpftrace missing or older than 0.17", "bpftrace is not installed, or is older than 0.17"},
      {exit_not_permitted, "--run", "not permitted", "not root, and without CAP_BPF and CAP_PERFMON"},
      {exit_no_tracefs, "--run", "tracefs not mounted", "tracefs is not mounted (`--mount-tracefs` mounts it)"},
      {exit_no_probe, "--run", "probe not available", "a probe this kernel cannot attach (kprobes, on a kernel without them)"},
      {exit_bpftrace_failed, "--run", "bpftrace failed", "bpftrace stopped with an error"},
      {exit_no_target, "--run and --targets", "the target cannot be found",
       "the target cannot be found: a process gone, no such cgroup, no such running container (a `--cgroup` whose "
       "directory does not exist is 8 for every command; a spec's is an error of the spec)"},
      {exit_no_memory, "--run", "the maps need more memory than is available",
       "`option map_keys` asks for maps larger than half the memory the machine has available"},
      {exit_output_failed, "--run", "the report could not be written",
       "the report could not be written: stdout closed or full (the run ends at once), or an `-o` file that cannot be "
       "written (said, and the report goes to stdout instead)"},
  };
  return table;
}

std::string exit_status_help() {
  std::string out = "Exit status:";
  std::string_view group = "-";
  for (const auto& s : exit_statuses()) {
    if (s.commands != group) {
      if (group != "-") out += ";";
      if (!s.commands.empty()) out += std::string(" ") + std::string(s.commands) + ":";
      group = s.commands;
    } else {
      out += ",";
    }
    out += " " + std::to_string(s.status) + " " + std::string(s.brief);
  }
  out += ".";
  // Wrapped at 100 columns, at blanks.
  std::string wrapped;
  std::size_t line = 0;
  std::size_t from = 0;
  while (from < out.size()) {
    auto blank = out.find(' ', from + 1);
    std::string word = out.substr(from, blank == std::string::npos ? std::string::npos : blank - from);
    if (line + word.size() > 100 && line > 0) {
      wrapped += "\n";
      word.erase(0, word.find_first_not_of(' '));
      line = 0;
    }
    wrapped += word;
    line += word.size();
    from = blank == std::string::npos ? out.size() : blank;
  }
  return wrapped;
}

std::string exit_status_table() {
  std::string out = "| Status | Commands | Meaning |\n|---|---|---|\n";
  for (const auto& s : exit_statuses()) {
    std::string commands = s.commands.empty() ? "every command" : std::string(s.commands);
    for (auto at = commands.find("--"); at != std::string::npos; at = commands.find("--", at + 2)) {
      auto end = commands.find(' ', at);
      commands.insert(end == std::string::npos ? commands.size() : end, "`");
      commands.insert(at, "`");
      at += 2;
    }
    out += "| " + std::to_string(s.status) + " | " + commands + " | " + std::string(s.meaning) + " |\n";
  }
  return out;
}

std::string error_line(std::string_view message) { return "ebpfgen: error: " + shown_lines(message); }

void print_error(std::string_view message, const std::vector<std::string>& notes) {
  std::cerr << error_line(message) << "\n";
  for (const auto& note : notes) std::cerr << "  " << shown(note) << "\n";
}

int fail(ExitStatus status, std::string_view message, const std::vector<std::string>& notes) {
  print_error(message, notes);
  return status;
}

}  // namespace ebpfgen
