#include "check/check.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "check/stack.hpp"
#include "diag/suggest.hpp"
#include "spec/metrics.hpp"
#include "target/resolve.hpp"

namespace ebpfgen {

namespace {

bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool matches(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

// bpftrace 0.17's limits that a spec can reach.
constexpr std::size_t bpftrace_max_string = 63;  // BPFTRACE_STRLEN 64, with the closing NUL
// Durations and windows: a year, so that nsecs + the duration in ns stays far inside 64 bits.
constexpr std::uint64_t max_duration_ms = 8760ULL * 3'600'000;
// bpftrace attaches at most BPFTRACE_MAX_PROBES probes, 512 by default, and refuses a
// program with more ("Can't attach to N probes", or, with `probe` in a glob's block, "more
// than N BPF programs"). It counts every attach point once its globs are expanded.
constexpr std::size_t bpftrace_max_probes = 512;
// Keys per map: bpftrace preallocates each map, about 100 bytes a key (a
// million keys is about 100 MB for each map of the program).
constexpr std::uint64_t max_map_keys = 1'048'576;

}  // namespace

std::string canonical_pid(const std::string& digits) {
  auto first = digits.find_first_not_of('0');
  return first == std::string::npos ? (digits.empty() ? "" : "0") : digits.substr(first);
}

void check_target(const ast::Target& t) {
  switch (t.kind) {
    case ast::TargetKind::Pid: {
      // Linux pids are at most 2^22 (PID_MAX_LIMIT). Leading zeros are dropped before the
      // number reaches a program, where a leading 0 would make it octal.
      std::string digits = canonical_pid(t.value);
      unsigned long pid = digits.empty() || digits.size() > 7 ? 0 : std::stoul(digits);
      if (pid == 0 || pid > 4194304) {
        throw SpecError(t.where, fmt::format("'{}' is not a valid process id (1 to 4194304)", t.value));
      }
      break;
    }
    case ast::TargetKind::Comm:
      if (t.prefix && (t.value.empty() || t.value.size() > 15 || has_control_chars(t.value))) {
        throw SpecError(t.where, "a process name's prefix has 1 to 15 printable characters (the kernel keeps no more "
                                 "of a name), so this one would never match");
      }
      if (t.value.empty() || t.value.size() > 15 || has_control_chars(t.value)) {
        throw SpecError(t.where, "a process name has 1 to 15 printable characters (the kernel keeps no more), "
                                 "so this one would never match");
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

namespace {

// Everything that checks one block; collects what codegen needs.
class BlockChecker {
 public:
  BlockChecker(const kernel::Facts& facts, SyscallStyle style, std::set<std::string>& used_maps)
      : facts_(facts), catalog_(facts.syscalls), style_(style), used_maps_(used_maps) {}

  CheckedBlock check(const ast::Block& block) {
    out_ = CheckedBlock{block};
    out_.context.kind = block.probe.kind;
    bool span_start = block.span && block.span->role == ast::SpanSide::Role::Start;
    out_.context.span_end = block.span && !span_start;
    resolve_probe(block.probe);
    if (block.actions.empty() && out_.context.span_end) {
      throw SpecError(block.where_opened, "this span has no actions; add what to do with it, e.g. { hist duration }");
    }
    if (block.actions.empty() && !span_start) {
      throw SpecError(block.where_opened, "this block has no actions; add print, count, hist ...");
    }
    if (block.where) check_condition(*block.where);
    if (block.span) {
      for (const auto& key : block.span->key) {
        if (field(key).type == ValueType::Stack) throw SpecError(key.where, "a stack cannot key a span");
      }
      if (block.span->nth == 0) throw SpecError(block.span->nth_where, "nth counts end events from 1");
    }
    for (const auto& action : block.actions) {
      if (const auto* print = std::get_if<ast::PrintAction>(&action)) {
        for (const auto& item : print->items)
          if (item.kind == ast::Operand::Kind::Field) field(item);
        out_.map_names.emplace_back();
      } else {
        out_.map_names.push_back(check_aggregation(std::get<ast::Aggregation>(action)));
      }
    }
    bool can_pair = block.probe.kind == ast::ProbeKind::Syscall || block.probe.kind == ast::ProbeKind::Uprobe ||
                    block.probe.kind == ast::ProbeKind::Kprobe;
    out_.paired = can_pair && needs_return_;
    return out_;
  }

 private:
  void resolve_probe(const ast::Probe& probe) {
    switch (probe.kind) {
      case ast::ProbeKind::Syscall:
        for (const auto& name : probe.names) add_syscalls(name);
        break;
      case ast::ProbeKind::Tracepoint:
        for (const auto& name : probe.names) add_tracepoint(name);
        break;
      case ast::ProbeKind::Uprobe:
      case ast::ProbeKind::Uretprobe: {
        // Both are looked up in the binary before anything is generated (resolve_functions).
        const auto& fn = probe.names.front();
        if (fn.text.empty() || fn.text.size() > 1000 ||
            !matches(fn.text, R"([A-Za-z0-9_.$*?:~()<>,&\[\] +\-]+)")) {
          throw SpecError(fn.where, "a function name may use only letters, digits, blanks and _ . $ : ~ ( ) < > , & [ ] "
                                    "+ -, with '*' and '?' as wildcards");
        }
        if (probe.binary.text.size() > 4096 || !matches(probe.binary.text, "[A-Za-z0-9/._+-]+") ||
            matches(probe.binary.text, "(.*/)?\\.\\.(/.*)?")) {
          throw SpecError(probe.binary.where, "a binary is named with only letters, digits and '/', '.', '_', '+', "
                                              "'-', and no '..'");
        }
        out_.attach.push_back(fn.text);
        out_.points = 1;  // until resolve_functions has found the functions
        break;
      }
      case ast::ProbeKind::Kprobe:
      case ast::ProbeKind::Kretprobe: {
        const auto& fn = probe.names.front();
        // bpftrace 0.17 reads '$' or '?' in an attach point as a syntax error, so '*' is the
        // only wildcard; kernel symbols have at most 512 characters (KSYM_NAME_LEN), and the
        // length is checked before the regex.
        if (fn.text.size() > 512) throw SpecError(fn.where, "a kernel function name has at most 512 characters");
        if (!matches(fn.text, "[A-Za-z0-9_.*]+")) {
          throw SpecError(fn.where, "a kernel function name may use only letters, digits, '_' and '.', with '*' "
                                    "as a wildcard ('?' and '$' are bpftrace syntax errors)");
        }
        out_.attach.push_back(fn.text);
        out_.points = fn.text.find('*') == std::string::npos ? 1 : facts_.kernel_functions(fn.text).size();
        break;
      }
      case ast::ProbeKind::Profile:
        if (probe.hz == 0 || probe.hz > 100000) throw SpecError(probe.where, "a sampling rate is 1hz to 100000hz");
        out_.points = 1;
        break;
    }
  }

  void add_syscall(const SyscallInfo& info) {
    if (std::find(out_.attach.begin(), out_.attach.end(), info.name) != out_.attach.end()) return;
    out_.attach.push_back(info.name);
    out_.context.syscalls.push_back(info);
    ++out_.points;
  }

  void add_syscalls(const ast::Name& name) {
    if (const auto* group = syscall_group(name.text)) {
      for (const auto& member : *group)
        if (const auto* info = catalog_.find(member)) add_syscall(*info);
      return;
    }
    const auto* info = catalog_.find(name.text);
    if (!info) {
      auto candidates = catalog_.names();
      for (auto& g : syscall_group_names()) candidates.push_back(g);
      throw SpecError(name.where, fmt::format("unknown syscall '{}'{}", name.text, did_you_mean(name.text, candidates)),
                      {fmt::format("checked against the {}", catalog_.origin())});
    }
    add_syscall(*info);
  }

  void add_tracepoint(const ast::Name& name) {
    out_.attach.push_back(name.text);
    auto colon = name.text.find(':');
    auto category = name.text.substr(0, colon);
    auto event = name.text.substr(colon + 1);
    bool glob = name.text.find('*') != std::string::npos;
    // A file name has at most 255 bytes: longer parts name no tracepoint (and must not reach the file system).
    if (category.size() > 255 || event.size() > 255) {
      throw SpecError(name.where, "a tracepoint's category and event have at most 255 characters each");
    }
    if (!facts_.tracefs) {  // bpftrace finds it, or the tracepoints a glob matches
      out_.context.events.emplace_back();
      out_.context.event_names.push_back(name.text);
      ++out_.points;
      return;
    }
    if (glob && (category.find('*') != std::string::npos || facts_.has_tracepoint_category(category))) {
      // Each tracepoint the glob matches, as bpftrace expands it: every field the block
      // reads is checked against each of them, and each is one probe.
      auto matched = facts_.tracepoints(category, event);
      if (matched.empty()) {
        throw SpecError(name.where, fmt::format("no tracepoint matches '{}'", name.text),
                        {"checked against the kernel tracefs"});
      }
      for (const auto& [cat, ev] : matched) {
        out_.context.events.push_back(facts_.tracepoint_fields(cat, ev));
        out_.context.event_names.push_back(cat + ":" + ev);
      }
      std::vector<std::string> names(out_.context.event_names.end() - static_cast<std::ptrdiff_t>(matched.size()),
                                     out_.context.event_names.end());
      out_.context.event_notes.push_back(fmt::format("'{}' matches {} tracepoint{}: {}", name.text, matched.size(),
                                                     matched.size() == 1 ? "" : "s", some_names(names)));
      out_.points += matched.size();
      return;
    }
    auto format = facts_.tracepoint_fields(category, event);
    if (!format) {
      std::vector<std::string> known;
      bool category_known = facts_.has_tracepoint_category(category);
      for (const auto& [cat, ev] : facts_.tracepoints(category_known ? category : "*", "*")) {
        known.push_back(category_known ? cat + ":" + ev : cat);
      }
      if (!category_known) known.erase(std::unique(known.begin(), known.end()), known.end());
      throw SpecError(name.where, fmt::format("unknown tracepoint '{}'{}", name.text,
                                              did_you_mean(category_known ? name.text : category, known)));
    }
    out_.context.events.push_back(std::move(format));
    out_.context.event_names.push_back(name.text);
    ++out_.points;
  }

  FieldRef field(const ast::Operand& operand) {
    FieldRef ref = resolve_field(operand, out_.context);
    if (needs_return(ref)) needs_return_ = true;
    if (ref.kind == FieldKind::SyscallName || ref.kind == FieldKind::FunctionName) out_.per_point = true;
    if (ref.kind == FieldKind::Arg && style_ == SyscallStyle::Kprobe && out_.context.kind == ast::ProbeKind::Syscall) {
      if (ref.position == -2) {
        throw SpecError(operand.where, fmt::format("'{}' is not in the same place in every syscall of this block, which "
                                                   "kprobe-style probes need; give them blocks of their own", operand.text));
      }
      if (ref.position > 5) throw SpecError(operand.where, "kprobe-style syscall probes reach only the first six arguments");
    }
    return ref;
  }

  void check_condition(const ast::Condition& c) {
    switch (c.kind) {
      case ast::Condition::Kind::And:
      case ast::Condition::Kind::Or:
      case ast::Condition::Kind::Not:
        for (const auto& child : c.children) check_condition(child);
        break;
      case ast::Condition::Kind::Socket: {
        if (out_.context.kind != ast::ProbeKind::Syscall) {
          throw SpecError(c.where, "'socket' tests a syscall's fd, so it needs a syscall block");
        }
        field(ast::Operand{ast::Operand::Kind::Field, "fd", 0, c.where});
        break;
      }
      case ast::Condition::Kind::Compare: check_comparison(c); break;
    }
  }

  // Text fields that bpftrace 0.17 types as something no string compares with.
  void check_comparable(const FieldRef& ref, const ast::Operand& operand) const {
    if (ref.kind != FieldKind::Builtin) return;
    if (ref.builtin == "probe") {
      throw SpecError(operand.where, "'probe' cannot be compared: bpftrace 0.17 gives it a type of its own, which "
                                     "compares with no string; give that probe a block of its own instead");
    }
    if (ref.builtin == "func") {  // a kprobe's or kretprobe's; a uprobe's is a FunctionName
      throw SpecError(operand.where, fmt::format("a {}'s 'func' cannot be compared: bpftrace 0.17 makes it a kernel "
                                                 "symbol (ksym), which compares with no string; name the function in "
                                                 "the probe instead",
                                                 out_.context.kind == ast::ProbeKind::Kretprobe ? "kretprobe" : "kprobe"));
    }
  }

  // FIELD starts with "TEXT": compiled to bpftrace's strncmp(FIELD, "TEXT", length) == 0.
  void check_prefix(const ast::Condition& c) {
    FieldRef lhs = field(c.lhs);
    if (lhs.type == ValueType::Stack) throw SpecError(c.lhs.where, "stacks cannot be compared");
    check_comparable(lhs, c.lhs);
    if (lhs.type != ValueType::String) {
      throw SpecError(c.lhs.where, fmt::format("'{}' is a number, and 'starts with' tests text; compare it with "
                                               "==, !=, <, <=, > or >=",
                                               c.lhs.text));
    }
    const std::string& prefix = c.rhs.text;
    if (prefix.empty()) {
      throw SpecError(c.rhs.where, "the prefix is empty, so every text starts with it; give at least one character");
    }
    if (has_control_chars(prefix)) throw SpecError(c.rhs.where, "strings in conditions must be printable");
    if (prefix.size() > bpftrace_max_string) {
      throw SpecError(c.rhs.where, fmt::format("this prefix has {} bytes; bpftrace's strings hold at most {} "
                                               "(BPFTRACE_STRLEN is 64, with the closing NUL)",
                                               prefix.size(), bpftrace_max_string));
    }
    if (lhs.kind == FieldKind::Builtin && lhs.builtin == "comm" && prefix.size() > 15) {
      throw SpecError(c.rhs.where, fmt::format("a process name has at most 15 characters, so none starts with "
                                               "this {}-character prefix", prefix.size()));
    }
    // A char[N] field holds at most N characters.
    if (lhs.c_type.starts_with("char[") && lhs.c_type.ends_with("]")) {
      std::size_t size = std::strtoul(lhs.c_type.c_str() + 5, nullptr, 10);
      if (size > 0 && prefix.size() > size) {
        throw SpecError(c.rhs.where, fmt::format("'{}' holds at most {} characters ({}), so it never starts with "
                                                 "this {}-character prefix",
                                                 c.lhs.text, size, lhs.c_type, prefix.size()));
      }
    }
  }

  void check_comparison(const ast::Condition& c) {
    if (c.op == ast::starts_with) return check_prefix(c);
    FieldRef lhs = field(c.lhs);
    if (lhs.type == ValueType::Stack) throw SpecError(c.lhs.where, "stacks cannot be compared");
    check_comparable(lhs, c.lhs);
    std::optional<FieldRef> rhs_field;
    if (c.rhs.kind == ast::Operand::Kind::Field) {
      rhs_field = field(c.rhs);
      check_comparable(*rhs_field, c.rhs);
    }
    ValueType rhs_type = c.rhs.kind == ast::Operand::Kind::String    ? ValueType::String
                         : c.rhs.kind == ast::Operand::Kind::Integer ? ValueType::Integer
                                                                     : rhs_field->type;
    if (rhs_type != lhs.type) {
      throw SpecError(c.rhs.where, fmt::format("'{}' is {}, so it compares with {}", c.lhs.text,
                                               lhs.type == ValueType::String ? "text" : "a number",
                                               lhs.type == ValueType::String ? "a quoted string" : "a number"));
    }
    if (lhs.type == ValueType::String && c.op != "==" && c.op != "!=") {
      throw SpecError(c.where, "text compares only with == and !=");
    }
    if (c.rhs.kind == ast::Operand::Kind::String) {
      if (has_control_chars(c.rhs.text)) throw SpecError(c.rhs.where, "strings in conditions must be printable");
      if (c.rhs.text.size() > bpftrace_max_string) {
        throw SpecError(c.rhs.where, fmt::format("this string has {} bytes; bpftrace's strings hold at most {} "
                                                 "(BPFTRACE_STRLEN is 64, with the closing NUL)",
                                                 c.rhs.text.size(), bpftrace_max_string));
      }
      if (c.lhs.text == "comm" && c.rhs.text.size() > 15) {
        throw SpecError(c.rhs.where, "a process name has at most 15 characters, so this never matches");
      }
    }
  }

  std::string check_aggregation(const ast::Aggregation& agg) {
    const std::string& fn = agg.function.text;
    std::optional<FieldRef> value;
    if (agg.value) {
      value = field(*agg.value);
      if (value->type != ValueType::Integer) {
        throw SpecError(agg.value->where, fmt::format("{} needs a number; '{}' is not one", fn, agg.value->text));
      }
      if (value->is_pointer) {
        throw SpecError(agg.value->where, fmt::format("{} needs a number; '{}' is a pointer ({}), and bpftrace 0.17's "
                                                      "{}() takes only integers",
                                                      fn, agg.value->text, value->c_type, fn == "mean" ? "stats" : fn));
      }
      if (agg.unit && !value->is_time) {
        throw SpecError(agg.unit->where, fmt::format("'{}' is not a time, so it has no unit", agg.value->text));
      }
    }
    if (fn == "lhist") {
      if (agg.low < 0) throw SpecError(agg.where, "a linear histogram starts at 0 or above (bpftrace's lhist() min must be non-negative)");
      if (agg.low >= agg.high) throw SpecError(agg.where, "a linear histogram needs LOW below HIGH");
      if (agg.step <= 0) throw SpecError(agg.where, "a linear histogram needs a positive step");
      if (agg.step > agg.high - agg.low) {
        throw SpecError(agg.where, "a linear histogram's step is at most HIGH - LOW (bpftrace's lhist() step is too "
                                   "large for the given range)");
      }
      if ((agg.high - agg.low) / agg.step > 1000) throw SpecError(agg.where, "a linear histogram has at most 1000 buckets");
    }
    for (const auto& key : agg.keys) field(key);
    return map_name(agg, value);
  }

  std::string map_name(const ast::Aggregation& agg, const std::optional<FieldRef>& value) {
    if (agg.map_name) {
      const auto& name = agg.map_name->text;
      const auto& reserved = request_map_names();
      if (name.starts_with("_") || name.starts_with("io_") ||
          std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
        throw SpecError(agg.map_name->where, fmt::format("'{}' is reserved for ebpfgen's own maps", name));
      }
      if (!used_maps_.insert(name).second) {
        throw SpecError(agg.map_name->where, fmt::format("a result named '{}' already exists", name));
      }
      return name;
    }
    // e.g. count_by_comm, hist_latency_us, sum_args_count_by_pid
    std::string name = agg.function.text;
    if (agg.value) {
      name += "_" + agg.value->text;
      std::string unit = value_unit(*value, agg.unit);
      if (!unit.empty()) name += "_" + unit;
    }
    for (std::size_t i = 0; i < agg.keys.size(); ++i) name += (i == 0 ? "_by_" : "_") + agg.keys[i].text;
    std::replace(name.begin(), name.end(), '.', '_');
    std::string unique = name;
    for (int n = 2; !used_maps_.insert(unique).second; ++n) unique = fmt::format("{}_{}", name, n);
    return unique;
  }

  const kernel::Facts& facts_;
  const SyscallCatalog& catalog_;
  SyscallStyle style_;
  std::set<std::string>& used_maps_;
  CheckedBlock out_;
  bool needs_return_ = false;
};

std::vector<std::string> present(const SyscallCatalog& catalog, const char* group) {
  std::vector<std::string> out;
  for (const auto& name : *syscall_group(group))
    if (catalog.find(name)) out.push_back(name);
  return out;
}

RequestMetrics check_metrics(const std::vector<ast::Name>& names, const SyscallCatalog& catalog) {
  RequestMetrics m;
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name.text).second) throw SpecError(name.where, fmt::format("metric '{}' is listed twice", name.text));
    if (!find_metric(name.text)) {
      throw SpecError(name.where, fmt::format("unknown metric '{}'{}", name.text, did_you_mean(name.text, metric_names())),
                      {"metrics are: " + fmt::format("{}", fmt::join(metric_names(), ", "))});
    }
    m.rps |= name.text == "rps";
    m.responses |= name.text == "responses";
    m.saturation |= name.text == "saturation";
    m.slack |= name.text == "slack";
    m.latency |= name.text == "latency";
  }
  m.send = present(catalog, "send");
  m.recv = present(catalog, "recv");
  m.wait = present(catalog, "wait");
  return m;
}

// The options a spec may set, with the values each takes (the first is the
// default), or, for a number, its range.
struct OptionChoice {
  std::string_view name;
  std::vector<std::string_view> values;  // empty: a number from `low` to `high`
  std::uint64_t low = 0, high = 0;
  std::string_view number_meaning = {};
};
const std::vector<OptionChoice>& option_choices() {
  static const std::vector<OptionChoice> choices = {
      {"syscall_probes", {"tracepoint", "kprobe"}},
      {"request_probes", {"socket", "syscall"}},
      // bpftrace preallocates every map at this size (about 100 bytes a key).
      {"map_keys", {}, 1, max_map_keys, "the number of keys each map holds (bpftrace's BPFTRACE_MAP_KEYS_MAX)"}};
  return choices;
}

struct Options {
  SyscallStyle style = SyscallStyle::Tracepoint;
  std::optional<RequestProbes> request_probes;  // unset: the socket tracepoints where the kernel has them
  std::optional<std::uint64_t> map_keys;        // unset: bpftrace's 4096
};

// A number option's value, in its range.
std::uint64_t option_number(const OptionChoice& choice, const ast::Name& value) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.text.data(), value.text.data() + value.text.size(), n);
  bool is_number = !value.text.empty() && std::isdigit(static_cast<unsigned char>(value.text[0]));
  if (!is_number || ec != std::errc() || end != value.text.data() + value.text.size() || n < choice.low ||
      n > choice.high || (value.text.size() > 1 && value.text[0] == '0')) {
    throw SpecError(value.where, fmt::format("{} is {}, from {} to {}, not '{}'", choice.name, choice.number_meaning,
                                             choice.low, choice.high, value.text));
  }
  return n;
}

Options check_options(const std::vector<ast::Option>& options) {
  Options out;
  std::set<std::string> seen;
  std::vector<std::string> names;
  for (const auto& choice : option_choices()) names.emplace_back(choice.name);
  for (const auto& option : options) {
    auto choice = std::find_if(option_choices().begin(), option_choices().end(),
                               [&](const OptionChoice& c) { return c.name == option.name.text; });
    if (choice == option_choices().end()) {
      throw SpecError(option.name.where,
                      fmt::format("unknown option '{}'{}", option.name.text, did_you_mean(option.name.text, names)));
    }
    if (!seen.insert(option.name.text).second) {
      throw SpecError(option.name.where, fmt::format("option '{}' is set twice", option.name.text));
    }
    if (choice->values.empty()) {
      out.map_keys = option_number(*choice, option.value);
      continue;
    }
    if (std::find(choice->values.begin(), choice->values.end(), option.value.text) == choice->values.end()) {
      std::vector<std::string> values(choice->values.begin(), choice->values.end());
      throw SpecError(option.value.where, fmt::format("{} is {} or {}, not '{}'{}", option.name.text, values[0], values[1],
                                                      option.value.text, did_you_mean(option.value.text, values)));
    }
    if (option.name.text == "syscall_probes" && option.value.text == "kprobe") out.style = SyscallStyle::Kprobe;
    if (option.name.text == "request_probes") {
      out.request_probes = option.value.text == "socket" ? RequestProbes::Socket : RequestProbes::Syscall;
    }
  }
  return out;
}

// Socket tracepoints where they can be had, syscalls otherwise; and why, for the program's comments.
void choose_request_probes(RequestMetrics& m, std::optional<RequestProbes> asked, const Location& where,
                           const SyscallCatalog& catalog) {
  if (asked == RequestProbes::Socket && !catalog.socket_tracepoints()) {
    throw SpecError(where, "this kernel has no socket tracepoints (sock:sock_send_length, sock:sock_recv_length, "
                           "sock:inet_sock_set_state; Linux 6.4 and later)",
                    {"'option request_probes = syscall' watches the send and receive syscalls instead"});
  }
  if (asked) {
    m.probes = *asked;
    m.probes_reason = "as the spec's 'option request_probes' asks";
  } else if (catalog.socket_tracepoints()) {
    m.probes = RequestProbes::Socket;
    m.probes_reason = catalog.origin() == "kernel tracefs"
                          ? "the kernel has them (tracefs lists sock:sock_send_length and sock:sock_recv_length)"
                          : "assumed for a kernel of Linux 6.4 or later (tracefs was not read)";
  } else {
    m.probes = RequestProbes::Syscall;
    m.probes_reason = "this kernel has no socket tracepoints (tracefs lists no sock:sock_send_length)";
  }
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& metric : request_metric_catalogue()) out.emplace_back(metric.name);
    return out;
  }();
  return names;
}

std::vector<std::string> RequestMetrics::names() const {
  std::vector<std::string> out;
  for (auto [name, asked] : {std::pair{"rps", rps}, {"responses", responses}, {"saturation", saturation},
                             {"slack", slack}, {"latency", latency}}) {
    if (asked) out.emplace_back(name);
  }
  return out;
}

std::uint64_t unit_divisor(const std::string& unit) {
  if (unit == "us") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000;
  return 1;
}

std::string value_unit(const FieldRef& field, const std::optional<ast::Name>& unit) {
  if (!field.is_time) return "";
  if (unit) return unit->text;
  // Durations default to microseconds: bpftrace's log2 histograms stop at 2^31.
  return field.kind == FieldKind::Latency || field.kind == FieldKind::Duration ? "us" : "ns";
}

namespace {

// A span's start and end (blocks next to each other, as the parser makes them) key
// alike: as many fields, of the same types, in order. Span names are unique.
void check_spans(const std::vector<CheckedBlock>& blocks) {
  std::set<std::string> names;
  for (std::size_t i = 0; i + 1 < blocks.size(); ++i) {
    const auto& start = blocks[i].block.span;
    const auto& end = blocks[i + 1].block.span;
    if (!start || start->role != ast::SpanSide::Role::Start) continue;
    if (!names.insert(start->name.text).second) {
      throw SpecError(start->name.where, fmt::format("span '{}' is declared twice", start->name.text));
    }
    if (start->key.size() != end->key.size()) {
      throw SpecError(end->key.front().where,
                      fmt::format("the span's end has {} key field{} and its start {}: they are paired in order",
                                  end->key.size(), end->key.size() == 1 ? "" : "s", start->key.size()));
    }
    for (std::size_t k = 0; k < start->key.size(); ++k) {
      auto a = resolve_field(start->key[k], blocks[i].context), b = resolve_field(end->key[k], blocks[i + 1].context);
      if ((a.type == ValueType::String) != (b.type == ValueType::String)) {
        throw SpecError(end->key[k].where, fmt::format("'{}' is {} but the start's '{}' is {}: a span pairs keys of one type",
                                                       end->key[k].text, b.type == ValueType::String ? "a string" : "a number",
                                                       start->key[k].text, a.type == ValueType::String ? "a string" : "a number"));
      }
    }
  }
}

std::size_t request_metrics_probes(const CheckedSpec& spec) {
  // As codegen's request_metrics_points writes them.
  const RequestMetrics& m = spec.metrics;
  if (!m.any()) return 0;
  std::size_t n = 0;
  if (m.probes == RequestProbes::Socket) {
    n += (m.needs_send() ? 1 : 0) + (m.needs_recv() ? 1 : 0) + (m.tracks_turns() ? 1 : 0);
  } else {
    if (m.needs_send()) n += 2 * m.send.size();
    if (m.needs_recv()) n += 2 * m.recv.size();
    if (m.tracks_turns()) n += 1;  // close
  }
  if (m.slack) n += 2 * m.wait.size();
  return n;
}

std::size_t block_probes(const CheckedBlock& block) { return block.points * (block.paired ? 2 : 1); }

// "30 syscalls", "720 tracepoints", "512 functions".
std::string attach_points(const CheckedBlock& block) {
  const char* what = "probe";
  switch (block.block.probe.kind) {
    case ast::ProbeKind::Syscall: what = "syscall"; break;
    case ast::ProbeKind::Tracepoint: what = "tracepoint"; break;
    case ast::ProbeKind::Uprobe:
    case ast::ProbeKind::Uretprobe: what = "function"; break;
    case ast::ProbeKind::Kprobe:
    case ast::ProbeKind::Kretprobe: what = "kernel function"; break;
    case ast::ProbeKind::Profile: what = "profile probe"; break;
  }
  return fmt::format("{} {}{}", block.points, what, block.points == 1 ? "" : "s");
}

}  // namespace

std::size_t program_probes(const CheckedSpec& spec) {
  std::size_t n = 2 + (spec.window_ms || spec.duration_ms ? 1 : 0) + request_metrics_probes(spec);  // BEGIN, END, the clock
  if (spec.io) n += io_posix_probes(*spec.io);
  for (const auto& block : spec.blocks) n += block_probes(block);
  return n;
}

void check_probe_total(const CheckedSpec& spec) {
  bool clock = spec.window_ms || spec.duration_ms;
  std::size_t total = 2 + (clock ? 1 : 0);
  std::vector<std::string> before = {"BEGIN", "END"};  // what comes before the block being counted
  if (clock) before.emplace_back("the clock");
  auto over = [&](const Location& where, const std::string& what, std::vector<std::string> notes) {
    if (total <= bpftrace_max_probes) return;
    std::size_t whole = program_probes(spec);
    if (whole != total) notes.push_back(fmt::format("the whole program attaches {}", whole));
    throw SpecError(where, fmt::format("with {} the program attaches {} probes, over bpftrace's limit of {} "
                                       "(BPFTRACE_MAX_PROBES)",
                                       what, total, bpftrace_max_probes),
                    std::move(notes));
  };
  if (std::size_t metrics = request_metrics_probes(spec)) {
    total += metrics;
    over(spec.metrics_where, "the request metrics",
         {fmt::format("the request metrics attach {}; {}: {}", metrics, some_names(before, 8), total - metrics)});
    before.emplace_back("the request metrics");
  }
  if (spec.io) {
    total += io_posix_probes(*spec.io);
    before.emplace_back("io posix");
  }
  for (std::size_t i = 0; i < spec.blocks.size(); ++i) {
    const auto& block = spec.blocks[i];
    std::size_t here = block_probes(block);
    total += here;
    over(block.block.probe.where, "this block",
         {fmt::format("this block attaches {}: {}{}", here, attach_points(block),
                      block.paired ? ", each with an entry and a return probe" : ""),
          fmt::format("before it: {} ({})", total - here, some_names(before, 8))});
    if (i == 0) before.emplace_back("the blocks above");
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
      // Read from the host here, once, so that codegen reads nothing of it. bpftrace resolves
      // cgroupid() when it compiles the program, and fails on a directory that is not there.
      if (out.target.kind == ast::TargetKind::Cgroup) {
        out.cgroup_directory = target::cgroup_directory(out.target.value, facts.cgroup2);
        if (auto missing = target::missing_cgroup(out.target.value, facts.cgroup2); !missing.empty()) {
          throw SpecError(out.target.where, missing + " (bpftrace's cgroupid() reads it when the program is compiled)");
        }
      }
    }
  });
  attempt([&] {
    if (spec.duration) {
      if (spec.duration->milliseconds == 0) throw SpecError(spec.duration->where, "a duration must be longer than 0");
      if (spec.duration->milliseconds > max_duration_ms) {
        throw SpecError(spec.duration->where, "a duration is at most 8760h (a year)");
      }
      out.duration_ms = spec.duration->milliseconds;
    }
    if (spec.window) {
      if (spec.window->milliseconds == 0) throw SpecError(spec.window->where, "a window must be longer than 0");
      if (spec.window->milliseconds > max_duration_ms) throw SpecError(spec.window->where, "a window is at most 8760h (a year)");
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
      auto checked = BlockChecker(facts, out.style, used_maps).check(block);
      // A uprobe block's stack is known once resolve_functions has found its functions.
      bool uprobe = block.probe.kind == ast::ProbeKind::Uprobe || block.probe.kind == ast::ProbeKind::Uretprobe;
      if (!uprobe) check_stack(checked, out);
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
