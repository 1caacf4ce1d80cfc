// How spec values are spelled in bpftrace: escaped string literals, attach
// points, field expressions. Every string that comes from a spec or the
// command line reaches the generated program through these functions.
#pragma once

#include <string>
#include <vector>

#include "check/check.hpp"

namespace ebpfgen::codegen {

// A bpftrace string literal with quotes, backslashes and control characters escaped.
std::string string_literal(const std::string& text);
// Text for a printf format: as string_literal, and '%' doubled.
std::string format_text(const std::string& text);
// Text safe inside a // comment (no line breaks).
std::string comment_text(const std::string& text);

// A tracepoint's argument where its probe fires: `args->NAME` in bpftrace 0.17.
std::string tracepoint_arg(const std::string& name);

// Attach points of a block's entry (or only) probe and of its return probe.
std::vector<std::string> entry_points(const CheckedBlock& block, SyscallStyle style);
std::vector<std::string> return_points(const CheckedBlock& block, SyscallStyle style);
// Syscall attach points for a list of syscall names.
std::vector<std::string> syscall_points(const std::vector<std::string>& syscalls, SyscallStyle style, bool at_return);
std::string join_points(const std::vector<std::string>& points);

// Where a field's value is read.
enum class Site {
  Single,      // the block's only probe
  Entry,       // the entry of a paired block (saving values)
  Return,      // the return of a paired block (saved values are $variables)
};

struct FieldSpelling {
  const CheckedBlock& block;
  SyscallStyle style;
  Site site;
  std::string syscall;  // current syscall, for per-syscall probes
};

std::string field_code(const FieldRef& field, const FieldSpelling& where);
// An operand where it is read: a string literal, a number, or a field's code.
std::string operand_code(const CheckedOperand& operand, const FieldSpelling& where);
// The same, a time converted to its unit.
std::string value_code(const CheckedOperand& operand, const FieldSpelling& where);
// `FIELD starts with "TEXT"`: bpftrace's strncmp over the prefix's length (in bytes).
std::string prefix_test(const std::string& field, const std::string& prefix);
// A span's key: each number made 64 bits wide by adding 0 (bpftrace's arithmetic is 64-bit; a
// cast would keep the program from its ahead-of-time compiler), so that both ends key alike
// whatever the fields' own types (accept4's long ret, close's unsigned fd).
std::string span_key(const std::vector<CheckedOperand>& key, const FieldSpelling& where);
// A print: one printf of its text and `name=value` of each field.
std::string print_statement(const CheckedPrint& print, const FieldSpelling& where);
// An aggregation's map update.
std::string aggregation_statement(const CheckedAggregation& agg, const FieldSpelling& where);

// The $variable a paired block's return reads a saved argument from.
std::string saved_variable(const FieldRef& field);
// A syscall's fd argument at entry, in the given probe style.
std::string syscall_fd(SyscallStyle style);
// A syscall's return value at its return probe.
std::string syscall_ret(SyscallStyle style);

}  // namespace ebpfgen::codegen
