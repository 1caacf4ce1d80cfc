#include "check/check.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "check/block.hpp"
#include "spec/limits.hpp"
#include "check/options.hpp"
#include "check/stack.hpp"
#include "check/text_rules.hpp"
#include "spec/request_metrics.hpp"
#include "target/resolve.hpp"

namespace ebpfgen {

std::string canonical_pid(const std::string& digits) {
  auto first = digits.find_first_not_of('0');
  return first == std::string::npos ? (digits.empty() ? "" : "0") : digits.substr(first);
}

void check_target(const ast::Target& t) {
  switch (t.kind) {
    case ast::TargetKind::Pid: {
      // Linux pids are at most max_pid. Leading zeros are dropped before the
      // number reaches a program, where a leading 0 would make it octal.
      std::string digits = canonical_pid(t.value);
      unsigned long pid = digits.empty() || digits.size() > 7 ? 0 : std::stoul(digits);
      if (pid == 0 || pid > max_pid) {
        throw SpecError(t.where, fmt::format("'{}' is not a valid process id (1 to {})", t.value, max_pid));
      }
      break;
    }
    case ast::TargetKind::Comm:
      if (t.prefix && (t.value.empty() || t.value.size() > max_comm_chars || has_control_chars(t.value))) {
        throw SpecError(t.where, fmt::format("a process name's prefix has 1 to {} printable characters (the kernel "
                                             "keeps no more of a name), so this one would never match",
                                             max_comm_chars));
      }
      if (t.value.empty() || t.value.size() > max_comm_chars || has_control_chars(t.value)) {
        throw SpecError(t.where, fmt::format("a process name has 1 to {} printable characters (the kernel keeps no "
                                             "more), so this one would never match",
                                             max_comm_chars));
      }
      break;
    case ast::TargetKind::Cgroup:
      if (t.value.empty() || has_control_chars(t.value) || t.value.find("..") != std::string::npos) {
        throw SpecError(t.where, "a cgroup path must be non-empty, printable and without '..'");
      }
      break;
    case ast::TargetKind::Container:
      // The rule docker and podman apply to container names.
      if (t.value.size() > 255 || !matches(t.value, "[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
        throw SpecError(t.where, "a container name starts with a letter or digit and has only letters, digits, "
                                 "'_', '.' and '-'");
      }
      break;
    case ast::TargetKind::Command:
      if (t.value.find_first_not_of(" \t") == std::string::npos || has_control_chars(t.value)) {
        throw SpecError(t.where, "a command must be a non-empty line of printable text");
      }
      break;
    case ast::TargetKind::All: break;
  }
}

CheckedSpec check_spec(const ast::Spec& spec, const kernel::Facts& facts) {
  const SyscallCatalog& catalog = facts.syscalls;
  CheckedSpec out;
  std::vector<Diagnostic> problems;
  auto attempt = [&](auto&& step) {
    try {
      step();
    } catch (const SpecError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  };
  attempt([&] {
    if (spec.target) {
      check_target(*spec.target);
      out.target = *spec.target;
      if (out.target.kind == ast::TargetKind::Pid) out.target.value = canonical_pid(out.target.value);
      // bpftrace resolves cgroupid() when it compiles the program (that the directory exists is
      // checked by the pipeline, which reads the host).
      if (out.target.kind == ast::TargetKind::Cgroup) {
        out.cgroup_directory = target::cgroup_directory(out.target.value, facts.cgroup2);
      }
    }
  });
  attempt([&] {
    if (spec.duration) {
      if (spec.duration->milliseconds == 0) throw SpecError(spec.duration->where, "a duration must be longer than 0");
      if (spec.duration->milliseconds > max_duration_ms) {
        throw SpecError(spec.duration->where, fmt::format("a duration is at most {}h (a year)", max_duration_ms / 3'600'000));
      }
      out.duration_ms = spec.duration->milliseconds;
    }
    if (spec.window) {
      if (spec.window->milliseconds == 0) throw SpecError(spec.window->where, "a window must be longer than 0");
      if (spec.window->milliseconds > max_duration_ms) {
        throw SpecError(spec.window->where, fmt::format("a window is at most {}h (a year)", max_duration_ms / 3'600'000));
      }
      if (spec.duration && spec.window->milliseconds > spec.duration->milliseconds) {
        throw SpecError(spec.window->where, "the window is longer than the whole run (duration)");
      }
      out.window_ms = spec.window->milliseconds;
    }
  });
  Options options;
  attempt([&] { options = check_options(spec.options); });
  out.style = options.style;
  out.map_keys = options.map_keys;
  attempt([&] {
    out.metrics = check_metrics(spec.metrics, catalog);
    if (!spec.metrics.empty()) out.metrics_where = spec.metrics.front().where;
    if (out.metrics.any()) {
      auto option = std::find_if(spec.options.begin(), spec.options.end(),
                                 [](const ast::Option& o) { return o.name.text == "request_probes"; });
      choose_request_probes(out.metrics, options.request_probes,
                            option == spec.options.end() ? out.metrics_where : option->value.where, catalog);
    }
  });
  if (spec.io) attempt([&] { out.io = check_io_posix(spec, catalog); });
  std::set<std::string> used_maps;
  for (const auto& block : spec.blocks) {
    attempt([&] {
      auto checked = check_block(block, facts, out.style, used_maps);
      // A uprobe block's stack is known once resolve_functions has found its functions.
      if (!checked.is_uprobe()) check_stack(checked, out);
      out.blocks.push_back(std::move(checked));
    });
  }
  if (problems.empty()) attempt([&] { check_spans(out.blocks); });
  if (spec.metrics.empty() && spec.blocks.empty() && !spec.io && problems.empty()) {
    problems.push_back({{1, 1, 1}, "the spec traces nothing: add a 'metrics' line, 'io posix' or an 'on' block"});
  }
  // The whole program's probes, once each block's are known (uprobes count one each until
  // resolve_functions has found their functions and counts again).
  if (problems.empty()) attempt([&] { check_probe_total(out); });
  if (!problems.empty()) throw SpecError(std::move(problems));
  return out;
}

}  // namespace ebpfgen
