#include "codegen/spelling.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ebpfgen::codegen {

std::string string_literal(const std::string& text) { return ebpfgen::quoted(text); }

std::string format_text(const std::string& text) {
  std::string literal = string_literal(text);
  std::string out;
  for (char c : literal.substr(1, literal.size() - 2)) out += c == '%' ? "%%" : std::string(1, c);
  return out;
}

std::string comment_text(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

std::string tracepoint_arg(const std::string& name) { return "args->" + name; }

namespace {

// x86-64 syscall arguments in pt_regs, in call order.
constexpr const char* syscall_registers[] = {"di", "si", "dx", "r10", "r8", "r9"};

// uprobe:"/usr/bin/x":_ZN4shop4Cart3addEi, one per function found; kprobe:vfs_read.
std::vector<std::string> function_points(const char* kind, const CheckedBlock& block) {
  std::vector<std::string> out;
  for (const auto& name : block.attach) {
    // Quoted: paths such as libstdc++.so.6 are not bpftrace words.
    out.push_back(block.binary.empty() ? fmt::format("{}:{}", kind, name)
                                       : fmt::format("{}:\"{}\":{}", kind, block.binary, name));
  }
  return out;
}

}  // namespace

std::vector<std::string> syscall_points(const std::vector<std::string>& syscalls, SyscallStyle style, bool at_return) {
  std::vector<std::string> out;
  for (const auto& name : syscalls) {
    if (style == SyscallStyle::Kprobe) {
      out.push_back(fmt::format("{}:__x64_sys_{}", at_return ? "kretprobe" : "kprobe", name));
    } else {
      out.push_back(fmt::format("tracepoint:syscalls:sys_{}_{}", at_return ? "exit" : "enter", name));
    }
  }
  return out;
}

std::vector<std::string> entry_points(const CheckedBlock& block, SyscallStyle style) {
  const auto& probe = block.probe;
  switch (probe.kind) {
    case ast::ProbeKind::Syscall: return syscall_points(block.attach, style, false);
    case ast::ProbeKind::Tracepoint: {
      std::vector<std::string> out;
      for (const auto& name : block.attach) out.push_back("tracepoint:" + name);
      return out;
    }
    case ast::ProbeKind::Uprobe: return function_points("uprobe", block);
    case ast::ProbeKind::Uretprobe: return function_points("uretprobe", block);
    case ast::ProbeKind::Kprobe: return function_points("kprobe", block);
    case ast::ProbeKind::Kretprobe: return function_points("kretprobe", block);
    case ast::ProbeKind::Profile: return {fmt::format("profile:hz:{}", probe.hz)};
  }
  return {};
}

std::vector<std::string> return_points(const CheckedBlock& block, SyscallStyle style) {
  switch (block.probe.kind) {
    case ast::ProbeKind::Syscall: return syscall_points(block.attach, style, true);
    case ast::ProbeKind::Uprobe: return function_points("uretprobe", block);
    case ast::ProbeKind::Kprobe: return function_points("kretprobe", block);
    default: return {};
  }
}

std::string join_points(const std::vector<std::string>& points) {
  std::string out;
  for (const auto& p : points) out += (out.empty() ? "" : ",\n") + p;
  return out;
}

std::string syscall_fd(SyscallStyle style) {
  return style == SyscallStyle::Kprobe ? "((struct pt_regs *)arg0)->di" : "args->fd";
}

std::string syscall_ret(SyscallStyle style) { return style == SyscallStyle::Kprobe ? "retval" : "args->ret"; }

std::string saved_variable(const FieldRef& field) { return "$" + field.arg; }

namespace {

// An argument's value where the probe fires (Single) or at entry.
std::string argument_code(const FieldRef& field, const FieldSpelling& where) {
  std::string raw;
  if (where.block.context.kind == ast::ProbeKind::Syscall && where.style == SyscallStyle::Kprobe) {
    raw = fmt::format("((struct pt_regs *)arg0)->{}", syscall_registers[field.position]);
  } else if (where.block.context.kind == ast::ProbeKind::Syscall || where.block.context.kind == ast::ProbeKind::Tracepoint) {
    raw = "args->" + field.arg;
  } else {
    raw = field.arg;  // argN of a uprobe or kprobe
  }
  return field.is_user_string ? "str(" + raw + ")" : raw;
}

// A string literal padded with NULs to `size`: bpftrace 0.17 sizes a literal by its
// length, and map keys made of literals of several sizes fail to load (misaligned
// stack access); the padding does not print.
std::string padded_literal(const std::string& text, std::size_t size) {
  std::string literal = string_literal(text);
  for (std::size_t n = text.size(); n < size; ++n) literal.insert(literal.size() - 1, "\\0");
  return literal;
}

// A uprobe block's `func` in the probe of one of its functions: its label,
// padded to the size of the block's longest.
std::string function_label(const CheckedBlock& block, const std::string& mangled) {
  std::size_t size = 0, index = 0;
  for (std::size_t i = 0; i < block.labels.size(); ++i) {
    size = std::max(size, block.labels[i].size());
    if (block.attach[i] == mangled) index = i;
  }
  return padded_literal(block.labels[index], size);
}

}  // namespace

std::string field_code(const FieldRef& field, const FieldSpelling& where) {
  switch (field.kind) {
    case FieldKind::Builtin: return field.builtin;
    case FieldKind::SyscallName: {
      return padded_literal(where.syscall, 31);
    }
    case FieldKind::FunctionName: return function_label(where.block, where.syscall);
    case FieldKind::Latency: return "$latency_ns";
    case FieldKind::Duration: return "$duration_ns";
    case FieldKind::Ret:
      return where.block.context.kind == ast::ProbeKind::Syscall ? syscall_ret(where.style) : "retval";
    case FieldKind::Arg:
      return where.site == Site::Return ? saved_variable(field) : argument_code(field, where);
  }
  return {};
}

std::string operand_code(const CheckedOperand& operand, const FieldSpelling& where) {
  switch (operand.source.kind) {
    case ast::Operand::Kind::String: return string_literal(operand.source.text);
    case ast::Operand::Kind::Integer: return std::to_string(operand.source.number);
    case ast::Operand::Kind::Field: return field_code(*operand.field, where);
  }
  return {};
}

std::string value_code(const CheckedOperand& operand, const FieldSpelling& where) {
  std::string code = operand_code(operand, where);
  return operand.divisor == 1 ? code : fmt::format("({}) / {}", code, operand.divisor);
}

std::string prefix_test(const std::string& field, const std::string& prefix) {
  return fmt::format("strncmp({}, {}, {}) == 0", field, string_literal(prefix), prefix.size());
}

std::string span_key(const std::vector<CheckedOperand>& key, const FieldSpelling& where) {
  std::string out;
  for (const auto& part : key) {
    std::string code = value_code(part, where);
    out += (out.empty() ? "" : ", ") + (part.field->type == ValueType::Integer ? code + " + 0" : code);
  }
  return out;
}

std::string print_statement(const CheckedPrint& print, const FieldSpelling& where) {
  std::string format, args;
  for (const auto& item : print.items) {
    if (!format.empty()) format += " ";
    if (!item.field) {
      format += format_text(item.source.text);
      continue;
    }
    // %lld: %d keeps 32 bits.
    format += item.source.text + (item.unit.empty() ? "" : "_" + item.unit) + (item.field->type == ValueType::Integer ? "=%lld" : "=%s");
    args += ", " + value_code(item, where);
  }
  return fmt::format("printf(\"{}\\n\"{});", format, args);
}

std::string aggregation_statement(const CheckedAggregation& agg, const FieldSpelling& where) {
  std::string keys;
  for (const auto& key : agg.keys) keys += (keys.empty() ? "" : ", ") + value_code(key, where);
  std::string target = "@" + agg.map + (keys.empty() ? "" : "[" + keys + "]");
  const AggregateInfo& info = info_of(agg.function);
  if (!info.takes_value) return target + " = " + std::string(info.bpftrace) + "();";
  std::string value = value_code(*agg.value, where);
  if (agg.function == Aggregate::lhist) {
    return fmt::format("{} = {}({}, {}, {}, {});", target, info.bpftrace, value, agg.low, agg.high, agg.step);
  }
  return fmt::format("{} = {}({});", target, info.bpftrace, value);
}

}  // namespace ebpfgen::codegen
