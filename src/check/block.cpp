#include "check/block.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "check/probe.hpp"
#include "check/text_rules.hpp"
#include "spec/limits.hpp"
#include "spec/maps.hpp"
#include "spec/units.hpp"

namespace ebpfgen {

namespace {

// The unit a time is shown in: as given, or its kind's default; "" when not a time.
std::string value_unit(const FieldRef& field, const std::optional<ast::Name>& unit) {
  if (!field.is_time) return "";
  if (unit) return unit->text;
  bool duration = field.kind == FieldKind::Latency || field.kind == FieldKind::Duration;
  return std::string(duration ? duration_default_unit : time_default_unit);
}

// Everything that checks one block's conditions and actions; collects the typed block.
class BlockChecker {
 public:
  BlockChecker(const kernel::Facts& facts, SyscallStyle style, std::set<std::string>& used_maps)
      : facts_(facts), style_(style), used_maps_(used_maps) {}

  CheckedBlock check(const ast::Block& block) {
    out_ = CheckedBlock{};
    out_.probe = block.probe;
    out_.opened = block.where_opened;
    ProbeResolution probe = resolve_probe(block.probe, facts_);
    out_.context = std::move(probe.context);
    out_.attach = std::move(probe.attach);
    out_.points = probe.points;
    bool span_start = block.span && block.span->role == ast::SpanSide::Role::Start;
    out_.context.span_end = block.span && !span_start;
    if (block.actions.empty() && out_.context.span_end) {
      throw SpecError(block.where_opened, "this span has no actions; add what to do with it, e.g. { hist duration }");
    }
    if (block.actions.empty() && !span_start) {
      throw SpecError(block.where_opened, "this block has no actions; add print, count, hist ...");
    }
    if (block.where) out_.where = condition(*block.where);
    if (block.span) out_.span = span(*block.span);
    for (const auto& action : block.actions) {
      if (const auto* p = std::get_if<ast::PrintAction>(&action)) out_.actions.emplace_back(print(*p));
      else out_.actions.emplace_back(aggregation(std::get<ast::Aggregation>(action)));
    }
    bool can_pair = block.probe.kind == ast::ProbeKind::Syscall || block.probe.kind == ast::ProbeKind::Uprobe ||
                    block.probe.kind == ast::ProbeKind::Kprobe;
    out_.paired = can_pair && needs_return_;
    return std::move(out_);
  }

 private:
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

  // An operand, typed: a field resolved at this probe, with the unit it is shown in.
  CheckedOperand operand(const ast::Operand& source, const std::optional<ast::Name>& unit = std::nullopt) {
    CheckedOperand out{source, std::nullopt, "", 1};
    if (source.kind != ast::Operand::Kind::Field) return out;
    out.field = field(source);
    out.unit = value_unit(*out.field, unit);
    if (const TimeUnit* u = find_time_unit(out.unit)) out.divisor = u->ns;
    return out;
  }

  CheckedSpan span(const ast::SpanSide& side) {
    CheckedSpan out{side.role, side.name.text, side.name.where, {}, side.nth};
    for (const auto& key : side.key) {
      out.key.push_back(operand(key));
      if (out.key.back().field->type == ValueType::Stack) throw SpecError(key.where, "a stack cannot key a span");
    }
    if (side.nth == 0) throw SpecError(side.nth_where, "nth counts end events from 1");
    return out;
  }

  CheckedPrint print(const ast::PrintAction& p) {
    CheckedPrint out{{}, p.where};
    for (const auto& item : p.items) out.items.push_back(operand(item));
    return out;
  }

  CheckedCondition condition(const ast::Condition& c) {
    CheckedCondition out{c.kind, c.op, {}, {}, {}, c.where};
    switch (c.kind) {
      case ast::Condition::Kind::And:
      case ast::Condition::Kind::Or:
      case ast::Condition::Kind::Not:
        for (const auto& child : c.children) out.children.push_back(condition(child));
        break;
      case ast::Condition::Kind::Socket:
        if (out_.context.kind != ast::ProbeKind::Syscall) {
          throw SpecError(c.where, "'socket' tests a syscall's fd, so it needs a syscall block");
        }
        out.lhs = operand(ast::Operand{ast::Operand::Kind::Field, "fd", 0, c.where});
        break;
      case ast::Condition::Kind::Compare:
        if (c.op == ast::starts_with) check_prefix(c, out);
        else check_comparison(c, out);
        break;
    }
    return out;
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
  void check_prefix(const ast::Condition& c, CheckedCondition& out) {
    out.lhs = operand(c.lhs);
    out.rhs = operand(c.rhs);
    const FieldRef& lhs = *out.lhs.field;
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
    if (prefix.size() > bpftrace_max_string) throw SpecError(c.rhs.where, too_long_for_bpftrace("prefix", prefix.size()));
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

  void check_comparison(const ast::Condition& c, CheckedCondition& out) {
    out.lhs = operand(c.lhs);
    const FieldRef& lhs = *out.lhs.field;
    if (lhs.type == ValueType::Stack) throw SpecError(c.lhs.where, "stacks cannot be compared");
    check_comparable(lhs, c.lhs);
    out.rhs = operand(c.rhs);
    if (out.rhs.field) check_comparable(*out.rhs.field, c.rhs);
    ValueType rhs_type = c.rhs.kind == ast::Operand::Kind::String    ? ValueType::String
                         : c.rhs.kind == ast::Operand::Kind::Integer ? ValueType::Integer
                                                                     : out.rhs.field->type;
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

  static void check_lhist(const ast::Aggregation& agg) {
    if (agg.low < 0) throw SpecError(agg.where, "a linear histogram starts at 0 or above (bpftrace's lhist() min must be non-negative)");
    if (agg.low >= agg.high) throw SpecError(agg.where, "a linear histogram needs LOW below HIGH");
    if (agg.step <= 0) throw SpecError(agg.where, "a linear histogram needs a positive step");
    if (agg.step > agg.high - agg.low) {
      throw SpecError(agg.where, "a linear histogram's step is at most HIGH - LOW (bpftrace's lhist() step is too "
                                 "large for the given range)");
    }
    if ((agg.high - agg.low) / agg.step > 1000) throw SpecError(agg.where, "a linear histogram has at most 1000 buckets");
  }

  CheckedAggregation aggregation(const ast::Aggregation& agg) {
    const std::string& fn = agg.function.text;
    const AggregateInfo* info = find_aggregate(fn);
    if (!info) throw SpecError(agg.function.where, fmt::format("unknown aggregation '{}'", fn));  // the grammar has none other
    CheckedAggregation out{info->id, std::nullopt, {}, "", agg.low, agg.high, agg.step, agg.where};
    if (agg.value) {
      out.value = operand(*agg.value, agg.unit);
      const FieldRef& value = *out.value->field;
      if (value.type != ValueType::Integer) {
        throw SpecError(agg.value->where, fmt::format("{} needs a number; '{}' is not one", fn, agg.value->text));
      }
      if (value.is_pointer) {
        throw SpecError(agg.value->where, fmt::format("{} needs a number; '{}' is a pointer ({}), and bpftrace 0.17's "
                                                      "{}() takes only integers",
                                                      fn, agg.value->text, value.c_type, info->bpftrace));
      }
      if (agg.unit && !value.is_time) {
        throw SpecError(agg.unit->where, fmt::format("'{}' is not a time, so it has no unit", agg.value->text));
      }
    }
    if (info->id == Aggregate::lhist) check_lhist(agg);
    for (const auto& key : agg.keys) out.keys.push_back(operand(key));
    out.map = map_name(agg, out.value);
    return out;
  }

  std::string map_name(const ast::Aggregation& agg, const std::optional<CheckedOperand>& value) {
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
      if (!value->unit.empty()) name += "_" + value->unit;
    }
    for (std::size_t i = 0; i < agg.keys.size(); ++i) name += (i == 0 ? "_by_" : "_") + agg.keys[i].text;
    std::replace(name.begin(), name.end(), '.', '_');
    std::string unique = name;
    for (int n = 2; !used_maps_.insert(unique).second; ++n) unique = fmt::format("{}_{}", name, n);
    return unique;
  }

  const kernel::Facts& facts_;
  SyscallStyle style_;
  std::set<std::string>& used_maps_;
  CheckedBlock out_;
  bool needs_return_ = false;
};

}  // namespace

std::vector<const CheckedAggregation*> CheckedBlock::aggregations() const {
  std::vector<const CheckedAggregation*> out;
  for (const auto& action : actions)
    if (const auto* agg = std::get_if<CheckedAggregation>(&action)) out.push_back(agg);
  return out;
}

CheckedBlock check_block(const ast::Block& block, const kernel::Facts& facts, SyscallStyle style,
                         std::set<std::string>& used_maps) {
  return BlockChecker(facts, style, used_maps).check(block);
}

void check_spans(const std::vector<CheckedBlock>& blocks) {
  std::set<std::string> names;
  for (std::size_t i = 0; i + 1 < blocks.size(); ++i) {
    const auto& start = blocks[i].span;
    const auto& end = blocks[i + 1].span;
    if (!start || start->role != ast::SpanSide::Role::Start) continue;
    if (!names.insert(start->name).second) {
      throw SpecError(start->name_where, fmt::format("span '{}' is declared twice", start->name));
    }
    if (start->key.size() != end->key.size()) {
      throw SpecError(end->key.front().source.where,
                      fmt::format("the span's end has {} key field{} and its start {}: they are paired in order",
                                  end->key.size(), end->key.size() == 1 ? "" : "s", start->key.size()));
    }
    for (std::size_t k = 0; k < start->key.size(); ++k) {
      const auto& a = start->key[k];
      const auto& b = end->key[k];
      if (a.is_text() != b.is_text()) {
        throw SpecError(b.source.where, fmt::format("'{}' is {} but the start's '{}' is {}: a span pairs keys of one type",
                                                    b.source.text, b.is_text() ? "a string" : "a number", a.source.text,
                                                    a.is_text() ? "a string" : "a number"));
      }
    }
  }
}

}  // namespace ebpfgen
