#include "check/block.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "spec/limits.hpp"
#include "check/text_rules.hpp"
#include "diag/suggest.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen {

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
        if (probe.binary.text.size() > max_path || !matches(probe.binary.text, "[A-Za-z0-9/._+-]+") ||
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
        // only wildcard; kernel symbols have at most KSYM_NAME_LEN characters, and the
        // length is checked before the regex.
        if (fn.text.size() > max_kernel_symbol) {
          throw SpecError(fn.where, fmt::format("a kernel function name has at most {} characters", max_kernel_symbol));
        }
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
      throw SpecError(c.rhs.where, too_long_for_bpftrace("prefix", prefix.size()));
    }
    if (lhs.kind == FieldKind::Builtin && lhs.builtin == "comm" && prefix.size() > max_comm_chars) {
      throw SpecError(c.rhs.where, fmt::format("a process name has at most {} characters, so none starts with "
                                               "this {}-character prefix", max_comm_chars, prefix.size()));
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
        throw SpecError(c.rhs.where, too_long_for_bpftrace("string", c.rhs.text.size()));
      }
      if (c.lhs.text == "comm" && c.rhs.text.size() > max_comm_chars) {
        throw SpecError(c.rhs.where,
                        fmt::format("a process name has at most {} characters, so this never matches", max_comm_chars));
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
      if (reserved_map_name(name)) {
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

}  // namespace

CheckedBlock check_block(const ast::Block& block, const kernel::Facts& facts, SyscallStyle style,
                         std::set<std::string>& used_maps) {
  return BlockChecker(facts, style, used_maps).check(block);
}


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

}  // namespace ebpfgen
