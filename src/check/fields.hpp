// Fields: the names a spec uses in filters, prints and keys (pid, comm, fd,
// ret, latency, args.count ...), what each means at a given probe, and its
// type. The checker validates with it; codegen spells fields from it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernel/syscalls.hpp"
#include "spec/ast.hpp"

namespace ebpfgen {

enum class ValueType { Integer, String, Stack };

enum class FieldKind {
  Builtin,      // a bpftrace builtin: pid, comm, nsecs ...
  SyscallName,  // the syscall's name, one probe per syscall
  FunctionName, // a uprobe's function, one probe per function (bpftrace's func is an address once the process ends)
  Ret,          // return value
  Latency,      // entry-to-return time in ns
  Duration,     // a span's start-to-end time in ns (its end's actions only)
  Arg,          // a probe argument: args.NAME, argN, fd
};

struct FieldRef {
  FieldKind kind = FieldKind::Builtin;
  ValueType type = ValueType::Integer;
  std::string builtin;    // Builtin: its bpftrace spelling
  std::string arg;        // Arg: tracepoint field name or "argN"
  int position = -1;      // Arg of a syscall: its index in the call (-2: not the same in every syscall)
  bool is_time = false;   // a time in ns (latency, timestamp, elapsed)
  bool is_user_string = false;  // a `const char *` that needs str()
  // A pointer argument or field (`struct pollfd *`, `const void *`): bpftrace prints,
  // compares and keys by it as a number, but aggregates only integers.
  bool is_pointer = false;
  std::string c_type;  // Arg: its C type, as the tracepoint format states it
};

// What a block's probe offers, for resolving its fields.
struct ProbeContext {
  ast::ProbeKind kind = ast::ProbeKind::Syscall;
  std::vector<SyscallInfo> syscalls;                           // Syscall probes
  std::vector<std::optional<std::vector<EventField>>> events;  // Tracepoint probes, when known
  std::vector<std::string> event_names;   // Tracepoint probes: "category:event" of each of `events`
  std::vector<std::string> event_notes;   // what the block's globs matched, for errors about fields
  bool span_end = false;                  // the end of a span: its actions see `duration`
};

// "a, b, c, d and 3 more": the first few of a list of names.
std::string some_names(const std::vector<std::string>& names, std::size_t shown = 4);

// Resolves a field at a probe, or throws SpecError saying what is available.
FieldRef resolve_field(const ast::Operand& field, const ProbeContext& context);

// Whether a field is known only when the probed call returns.
bool needs_return(const FieldRef& field);

}  // namespace ebpfgen
