// Check stage: validates a parsed spec (names, types, units, probe fields,
// strings that will reach the generated program) against the kernel's facts,
// and resolves what codegen needs: expanded syscall groups, which blocks fire
// at return, typed operands and result maps; uprobe functions once the
// pipeline has found their binaries (check/functions.hpp). It reads only the
// kernel's facts it is handed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/checked_block.hpp"
#include "check/fields.hpp"
#include "check/io_posix.hpp"
#include "check/syscall_groups.hpp"
#include "kernel/facts.hpp"
#include "spec/ast.hpp"
#include "spec/limits.hpp"
#include "spec/request_metrics.hpp"
#include "target/resolve.hpp"

namespace ebpfgen {

enum class SyscallStyle { Tracepoint, Kprobe };

// Where the request metrics watch sends and receives: the socket layer's
// tracepoints (every socket send and receive, whatever the syscall or
// io_uring, and nothing else), or the send and receive syscalls of sockets.
enum class RequestProbes { Socket, Syscall };

struct CheckedBlock {
  ast::Probe probe;
  Location opened;  // the `on` keyword, or `span`
  std::optional<CheckedCondition> where;
  std::vector<CheckedAction> actions;
  std::optional<CheckedSpan> span;
  ProbeContext context;
  std::vector<std::string> attach;  // syscalls (groups expanded), tracepoints, or the functions
  std::string binary;                  // uprobes: the file resolve_functions found
  std::vector<std::string> functions;  // uprobes: the attached functions, demangled
  std::vector<std::string> labels;     // uprobes: what `func` prints for each of them
  std::size_t points = 0;           // attach points bpftrace finds: globs expanded (uprobes: by resolve_functions)
  bool paired = false;              // entry saves values, the block fires at return
  bool per_point = false;           // uses `syscall` or a uprobe's `func`: one probe per attach point

  // Calls `use` with every field operand the block reads (checked_block.hpp).
  template <typename Use>
  void for_each_field(Use&& use) const {
    ebpfgen::for_each_field(where, actions, span, use);
  }
  // The aggregations, each with the map it writes.
  std::vector<const CheckedAggregation*> aggregations() const;
  bool is_uprobe() const { return probe.kind == ast::ProbeKind::Uprobe || probe.kind == ast::ProbeKind::Uretprobe; }
};

// The request-level metrics asked for (spec/request_metrics.hpp), and the probes that hook them.
struct RequestMetrics {
  MetricSet asked;
  RequestProbes probes = RequestProbes::Socket;
  std::string probes_reason;  // why these probes: written into the program's comments
  std::vector<std::string> send, recv, wait;  // syscalls of the groups present in the syscall catalogue
  bool any() const { return asked.any(); }
  bool has(Metric m) const { return asked.has(m); }
  bool needs(Hook hook) const { return asked.needs(hook); }
  std::vector<std::string> names() const { return asked.names(); }
  bool responses_from_latency() const { return asked.responses_from_latency(); }
  std::vector<std::string> reading(std::string_view map) const { return asked.reading(map); }
  std::vector<RequestMap> helpers() const { return asked.helpers(probes == RequestProbes::Syscall); }
};

struct CheckedSpec {
  ast::Target target;
  std::vector<std::string> target_facts;  // what the target resolved to, when it was (comments)
  std::string cgroup_directory;           // cgroup targets: the directory under the cgroup2 mount
  std::optional<std::uint64_t> duration_ms;
  std::optional<std::uint64_t> window_ms;
  SyscallStyle style = SyscallStyle::Tracepoint;
  std::optional<std::uint64_t> map_keys;  // `option map_keys`: bpftrace's BPFTRACE_MAP_KEYS_MAX (unset: its default)
  std::uint64_t map_key_limit() const { return map_keys.value_or(default_map_keys); }
  RequestMetrics metrics;
  Location metrics_where;  // the `metrics` line
  std::optional<IoPosixPlan> io;  // `io posix` (check/io_posix.hpp)
  std::vector<CheckedBlock> blocks;
  // The target as the pipeline resolved it (target/resolve.hpp), when the action needed it:
  // uprobe binaries and io posix's C library are looked up through its root.
  std::optional<target::Resolved> resolved;
};

// The spec alone, checked against the kernel's facts. Throws SpecError with every problem found.
CheckedSpec check_spec(const ast::Spec& spec, const kernel::Facts& facts);

// bpftrace's limit on the probes of a program (BPFTRACE_MAX_PROBES): throws SpecError at
// the block (or the metrics line) that takes the program over it.
void check_probe_total(const CheckedSpec& spec);
// The probes bpftrace attaches for the program: every attach point, globs expanded, BEGIN,
// END and the clock included.
std::size_t program_probes(const CheckedSpec& spec);

// Validates a target alone (also used for command-line overrides).
void check_target(const ast::Target& target);
// A pid's digits without leading zeros ("0100" -> "100"): bpftrace reads a leading 0 as octal.
std::string canonical_pid(const std::string& digits);


}  // namespace ebpfgen
