#include "codegen/spelling.hpp"

#include <fmt/format.h>

namespace ebpfgen::codegen {

std::string string_literal(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

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

namespace {

// x86-64 syscall arguments in pt_regs, in call order.
constexpr const char* syscall_registers[] = {"di", "si", "dx", "r10", "r8", "r9"};

std::string function_point(const char* kind, const CheckedBlock& block) {
  const auto& probe = block.block.probe;
  if (probe.binary.text.empty()) return fmt::format("{}:{}", kind, block.attach.front());
  // Quoted: paths such as libstdc++.so.6 are not bpftrace words.
  return fmt::format("{}:\"{}\":{}", kind, probe.binary.text, block.attach.front());
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
  const auto& probe = block.block.probe;
  switch (probe.kind) {
    case ast::ProbeKind::Syscall: return syscall_points(block.attach, style, false);
    case ast::ProbeKind::Tracepoint: {
      std::vector<std::string> out;
      for (const auto& name : block.attach) out.push_back("tracepoint:" + name);
      return out;
    }
    case ast::ProbeKind::Uprobe: return {function_point("uprobe", block)};
    case ast::ProbeKind::Uretprobe: return {function_point("uretprobe", block)};
    case ast::ProbeKind::Kprobe: return {function_point("kprobe", block)};
    case ast::ProbeKind::Kretprobe: return {function_point("kretprobe", block)};
    case ast::ProbeKind::Profile: return {fmt::format("profile:hz:{}", probe.hz)};
  }
  return {};
}

std::vector<std::string> return_points(const CheckedBlock& block, SyscallStyle style) {
  switch (block.block.probe.kind) {
    case ast::ProbeKind::Syscall: return syscall_points(block.attach, style, true);
    case ast::ProbeKind::Uprobe: return {function_point("uretprobe", block)};
    case ast::ProbeKind::Kprobe: return {function_point("kretprobe", block)};
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

}  // namespace

std::string field_code(const FieldRef& field, const FieldSpelling& where) {
  switch (field.kind) {
    case FieldKind::Builtin: return field.builtin;
    case FieldKind::SyscallName: {
      // bpftrace 0.17 sizes a string literal by its length, and map keys made
      // of literals of several sizes fail to load (misaligned stack access):
      // every name is padded with NULs to one size, which prints as the name.
      std::string literal = string_literal(where.syscall);
      for (std::size_t n = where.syscall.size(); n < 31; ++n) literal.insert(literal.size() - 1, "\\0");
      return literal;
    }
    case FieldKind::Latency: return "$latency_ns";
    case FieldKind::Ret:
      return where.block.context.kind == ast::ProbeKind::Syscall ? syscall_ret(where.style) : "retval";
    case FieldKind::Arg:
      return where.site == Site::Return ? saved_variable(field) : argument_code(field, where);
  }
  return {};
}

}  // namespace ebpfgen::codegen
