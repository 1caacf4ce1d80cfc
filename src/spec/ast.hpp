// The spec as written: what the parser builds and the checker validates.
// Every node keeps its location so later stages report errors in place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "diag/diagnostic.hpp"

namespace ebpfgen::ast {

// A word or quoted string with its place in the source.
struct Name {
  std::string text;
  Location where;
};

enum class TargetKind { All, Pid, Comm, Cgroup, Container, Command };

// How far down `pid N and descendants` reaches: children, grandchildren, ...
inline constexpr int descendant_generations = 4;

struct Target {
  TargetKind kind = TargetKind::All;
  std::string value;    // pid digits, comm, path, container name or command line
  std::string runtime;  // container runtime, when named
  bool descendants = false;  // pid targets: also the processes it started, and theirs
  bool prefix = false;       // comm targets: every name that starts with `value` (comm starts with "...")
  std::vector<std::string> argv;  // the command's program and arguments, for command targets
  Location where;
};

struct Duration {
  std::uint64_t milliseconds = 0;
  Location where;
};

struct Option {
  Name name;
  Name value;
};

// A value in a filter, a print or an aggregation.
struct Operand {
  enum class Kind { Field, Integer, String };
  Kind kind = Kind::Field;
  std::string text;  // field name ("pid", "args.fd"), decoded string, or digits
  std::int64_t number = 0;
  Location where;
};

// The operator of a prefix test, `FIELD starts with "TEXT"`: a Compare whose right side is the prefix.
inline constexpr const char* starts_with = "starts with";

enum class ConditionKind { Compare, And, Or, Not, Socket };

// A condition over operands of type T: as written (Operand), or checked (CheckedOperand,
// check/checked_block.hpp).
template <typename T>
struct BasicCondition {
  using Kind = ConditionKind;
  Kind kind = Kind::Compare;
  std::string op;  // for Compare: == != < <= > >=, or starts_with
  T lhs, rhs;      // Compare; checked, a Socket test's lhs is the fd it tests
  std::vector<BasicCondition> children;  // And, Or: two or more; Not: one
  Location where;
};
using Condition = BasicCondition<Operand>;

struct PrintAction {
  std::vector<Operand> items;  // string literals and fields
  Location where;
};

struct Aggregation {
  Name function;                 // count sum min max mean stats hist lhist
  std::optional<Operand> value;  // absent for count
  std::optional<Name> unit;      // ns us ms s, for time values
  std::vector<Operand> keys;     // `by` fields
  std::optional<Name> map_name;  // `as` name
  std::int64_t low = 0, high = 0, step = 0;  // lhist range
  Location where;
};

using Action = std::variant<PrintAction, Aggregation>;

enum class ProbeKind { Syscall, Tracepoint, Uprobe, Uretprobe, Kprobe, Kretprobe, Profile };

struct Probe {
  ProbeKind kind = ProbeKind::Syscall;
  std::vector<Name> names;  // syscalls/groups, tracepoints, or the one function
  Name binary;              // uprobe/uretprobe
  std::uint64_t hz = 0;     // profile
  Location where;
};

// One end of a span (`span NAME from ... to ...`), which the parser turns into
// two blocks: the start's, which remembers when its key was seen, and the
// end's, which finds it and runs the span's actions with its `duration`.
struct SpanSide {
  enum class Role { Start, End };
  Role role = Role::Start;
  Name name;                 // the span's
  std::vector<Operand> key;  // fields, paired in order with the other end's
  std::uint64_t nth = 1;     // End: the Nth end event after the start ends the span
  Location nth_where;
};

struct Block {
  Probe probe;
  std::optional<Condition> where;
  std::vector<Action> actions;
  Location where_opened;  // the `on` keyword, or `span`
  std::optional<SpanSide> span;
};

// `io posix [exclude "PREFIX", ...] [include "PREFIX", ...]`: Darshan's POSIX
// counters per file, counted in the kernel (docs/IO.md).
struct IoPosix {
  std::vector<Name> exclude;  // replaces Darshan's excluded prefixes when given
  std::vector<Name> include;  // recorded even when an excluded prefix matches
  bool exclude_given = false;
  Location where;
};

struct Spec {
  std::optional<Target> target;
  std::optional<IoPosix> io;
  std::optional<Duration> duration;
  std::optional<Duration> window;
  std::vector<Option> options;
  std::vector<Name> metrics;
  std::vector<Block> blocks;
};

}  // namespace ebpfgen::ast
