#include "check/fields.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "diag/suggest.hpp"

namespace ebpfgen {

namespace {

struct Builtin {
  const char* name;
  const char* bpftrace;
  ValueType type;
  bool is_time;
};

// Fields every probe has.
constexpr std::array builtins = {
    Builtin{"pid", "pid", ValueType::Integer, false},       Builtin{"tid", "tid", ValueType::Integer, false},
    Builtin{"comm", "comm", ValueType::String, false},      Builtin{"cgroup", "cgroup", ValueType::Integer, false},
    Builtin{"cpu", "cpu", ValueType::Integer, false},       Builtin{"uid", "uid", ValueType::Integer, false},
    Builtin{"timestamp", "nsecs", ValueType::Integer, true}, Builtin{"elapsed", "elapsed", ValueType::Integer, true},
    Builtin{"probe", "probe", ValueType::String, false},    Builtin{"kstack", "kstack", ValueType::Stack, false},
    Builtin{"ustack", "ustack", ValueType::Stack, false},
};

bool has_return(ast::ProbeKind kind) {
  return kind == ast::ProbeKind::Syscall || kind == ast::ProbeKind::Uprobe || kind == ast::ProbeKind::Uretprobe ||
         kind == ast::ProbeKind::Kprobe || kind == ast::ProbeKind::Kretprobe;
}

bool has_entry(ast::ProbeKind kind) {
  return kind == ast::ProbeKind::Syscall || kind == ast::ProbeKind::Uprobe || kind == ast::ProbeKind::Kprobe;
}

bool is_function_probe(ast::ProbeKind kind) { return kind != ast::ProbeKind::Syscall && has_return(kind); }

const char* kind_name(ast::ProbeKind kind) {
  switch (kind) {
    case ast::ProbeKind::Syscall: return "syscall";
    case ast::ProbeKind::Tracepoint: return "tracepoint";
    case ast::ProbeKind::Uprobe: return "uprobe";
    case ast::ProbeKind::Uretprobe: return "uretprobe";
    case ast::ProbeKind::Kprobe: return "kprobe";
    case ast::ProbeKind::Kretprobe: return "kretprobe";
    case ast::ProbeKind::Profile: return "profile";
  }
  return "probe";
}

bool is_user_string(const std::string& type) { return type == "const char *" || type == "char *" || type.starts_with("__data_loc char"); }

// A C string held in the record itself: char[16] (a task name), char[N].
bool is_char_array(const std::string& type) { return type.starts_with("char") && type.ends_with("]"); }

// Pointers other than strings: `struct pollfd *`, `const void *`, `const char *const *`.
bool is_pointer(const std::string& type) { return type.find('*') != std::string::npos && !is_user_string(type); }

// Takes an argument's or field's C type into `ref`: of a block of several syscalls
// or tracepoints, a pointer in any of them makes it one.
void take_type(FieldRef& ref, const std::string& type) {
  if (is_pointer(type) && !ref.is_pointer) {
    ref.is_pointer = true;
    ref.c_type = type;
  }
  // Of char arrays, the longest: what the program's stack must hold.
  bool longer = is_char_array(type) && is_char_array(ref.c_type) &&
                std::atoi(type.c_str() + type.rfind('[') + 1) > std::atoi(ref.c_type.c_str() + ref.c_type.rfind('[') + 1);
  if (ref.c_type.empty() || (!ref.is_pointer && longer)) ref.c_type = type;
}

// The names a field could have been meant as, for "did you mean".
std::vector<std::string> known_fields(const ProbeContext& context) {
  std::vector<std::string> out;
  for (const auto& b : builtins) out.emplace_back(b.name);
  if (has_return(context.kind)) out.insert(out.end(), {"ret", "latency"});
  if (context.span_end) out.push_back("duration");
  if (context.kind == ast::ProbeKind::Syscall) {
    out.insert(out.end(), {"syscall", "fd"});
    for (const auto& s : context.syscalls)
      for (const auto& a : s.args) out.push_back("args." + a.name);
  }
  if (is_function_probe(context.kind)) {
    out.push_back("func");
    for (int i = 0; i < 6; ++i) out.push_back(fmt::format("arg{}", i));
  }
  for (const auto& e : context.events)
    if (e) for (const auto& f : *e) out.push_back("args." + f.name);
  return out;
}

FieldRef syscall_arg(const ast::Operand& field, const std::string& arg, const ProbeContext& context) {
  FieldRef ref{FieldKind::Arg, ValueType::Integer, {}, arg};
  std::vector<std::string> lacking;
  for (const auto& s : context.syscalls) {
    auto it = std::find_if(s.args.begin(), s.args.end(), [&](const EventField& a) { return a.name == arg; });
    if (it == s.args.end()) {
      lacking.push_back(s.name);
      continue;
    }
    int position = static_cast<int>(it - s.args.begin());
    // Tracepoints read arguments by name; kprobe-style probes need one position (-2: they differ).
    ref.position = ref.position == -1 || ref.position == position ? position : -2;
    ref.is_user_string = is_user_string(it->type);
    take_type(ref, it->type);
  }
  if (!lacking.empty()) {
    std::vector<std::string> notes;
    for (const auto& s : context.syscalls) {
      if (std::find(lacking.begin(), lacking.end(), s.name) == lacking.end()) continue;
      std::vector<std::string> args;
      for (const auto& a : s.args) args.push_back(a.name);
      notes.push_back(fmt::format("{}({})", s.name, fmt::join(args, ", ")));
      if (notes.size() == 4) break;
    }
    throw SpecError(field.where, fmt::format("'{}' is not an argument of {}", field.text, fmt::join(lacking, ", ")),
                    notes);
  }
  if (ref.is_user_string) ref.type = ValueType::String;
  return ref;
}

FieldRef tracepoint_arg(const ast::Operand& field, const std::string& arg, const ProbeContext& context) {
  FieldRef ref{FieldKind::Arg, ValueType::Integer, {}, arg};
  std::vector<std::string> lacking;
  std::size_t known = 0;
  std::string first_type, first_event;  // bpftrace reads one field one way in every tracepoint of a probe
  for (std::size_t i = 0; i < context.events.size(); ++i) {
    const auto& event = context.events[i];
    if (!event) continue;  // unknown format: bpftrace checks it
    ++known;
    const std::string& event_name = i < context.event_names.size() ? context.event_names[i] : "";
    auto it = std::find_if(event->begin(), event->end(), [&](const EventField& f) { return f.name == arg; });
    if (it == event->end()) {
      lacking.push_back(event_name);
      continue;
    }
    bool text = is_user_string(it->type) || is_char_array(it->type);
    // bpftrace 0.17 can print, compare, aggregate or key by no array but a string: it refuses
    // each ("array supplied", "context cannot be used as a map key", "comparing 'unsigned
    // int8[4]' with 'int64'").
    if (it->type.ends_with("]") && !text) {
      throw SpecError(field.where, fmt::format("'{}' is an array of numbers ({}), which bpftrace 0.17 can neither "
                                               "print, compare, aggregate nor use as a key",
                                               field.text, it->type));
    }
    auto reading = [](const std::string& type) {
      return is_user_string(type) ? "str" : is_char_array(type) ? "array" : "number";
    };
    if (first_event.empty()) {
      first_type = it->type;
      first_event = event_name;
    } else if (std::string(reading(it->type)) != reading(first_type)) {
      throw SpecError(field.where, fmt::format("'{}' is {} in {} but {} in {}, which bpftrace reads differently; give "
                                               "them blocks of their own",
                                               field.text, first_type, first_event, it->type, event_name));
    }
    ref.is_user_string = is_user_string(it->type);
    if (text) ref.type = ValueType::String;
    take_type(ref, it->type);
  }
  if (!lacking.empty()) {
    if (lacking.size() == known) {
      throw SpecError(field.where, fmt::format("unknown tracepoint field '{}'{}", field.text,
                                               did_you_mean(field.text, known_fields(context))),
                      context.event_notes);
    }
    throw SpecError(field.where, fmt::format("'{}' is not a field of every tracepoint of this block: {} {} it",
                                             field.text, some_names(lacking), lacking.size() == 1 ? "lacks" : "lack"),
                    context.event_notes);
  }
  return ref;
}

}  // namespace

std::string some_names(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    out += i == 0 ? "" : i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

bool needs_return(const FieldRef& field) { return field.kind == FieldKind::Ret || field.kind == FieldKind::Latency; }

FieldRef resolve_field(const ast::Operand& field, const ProbeContext& context) {
  const std::string& name = field.text;
  for (const auto& b : builtins) {
    if (name == b.name) return {FieldKind::Builtin, b.type, b.bpftrace, {}, -1, b.is_time};
  }
  auto unavailable = [&](const std::string& why) {
    return SpecError(field.where, fmt::format("field '{}' is not available in a {} block: {}", name,
                                              kind_name(context.kind), why));
  };
  if (name == "duration") {
    if (!context.span_end) throw unavailable("only a span's actions have one (span NAME from ... to ... { hist duration })");
    return {FieldKind::Duration, ValueType::Integer, {}, {}, -1, true};
  }
  if (name == "ret" || name == "latency") {
    if (!has_return(context.kind)) throw unavailable("it has no return");
    if (name == "ret") return {FieldKind::Ret, ValueType::Integer};
    if (!has_entry(context.kind)) throw unavailable("the entry is not traced; use the entry probe (uprobe/kprobe), "
                                                    "which pairs with the return itself");
    return {FieldKind::Latency, ValueType::Integer, {}, {}, -1, true};
  }
  if (name == "syscall") {
    if (context.kind != ast::ProbeKind::Syscall) throw unavailable("only syscall blocks have it");
    return {FieldKind::SyscallName, ValueType::String};
  }
  if (name == "func") {
    if (!is_function_probe(context.kind)) throw unavailable("only uprobe and kprobe blocks have it");
    if (context.kind == ast::ProbeKind::Uprobe || context.kind == ast::ProbeKind::Uretprobe) {
      return {FieldKind::FunctionName, ValueType::String};
    }
    return {FieldKind::Builtin, ValueType::String, "func"};
  }
  if (context.kind == ast::ProbeKind::Syscall && (name == "fd" || name.starts_with("args."))) {
    return syscall_arg(field, name == "fd" ? "fd" : name.substr(5), context);
  }
  if (context.kind == ast::ProbeKind::Tracepoint && name.starts_with("args.")) {
    return tracepoint_arg(field, name.substr(5), context);
  }
  // x86-64 passes six arguments in registers; bpftrace reaches no more.
  if (is_function_probe(context.kind) && name.size() == 4 && name.starts_with("arg") && name[3] >= '0' && name[3] <= '5') {
    if (!has_entry(context.kind)) throw unavailable("arguments are gone at the return; use uprobe/kprobe, "
                                                    "which capture them at entry");
    return {FieldKind::Arg, ValueType::Integer, {}, name};
  }
  throw SpecError(field.where, fmt::format("unknown field '{}' in a {} block{}", name, kind_name(context.kind),
                                           did_you_mean(name, known_fields(context))));
}

}  // namespace ebpfgen
