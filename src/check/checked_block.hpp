// A checked `on` block, typed: every operand carries its resolved field, the
// unit it is shown in and the divisor to it; every aggregation its function
// and the map it writes. codegen, the stack estimate, the report and the
// exporters read these and resolve nothing again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "check/fields.hpp"
#include "spec/aggregations.hpp"
#include "spec/ast.hpp"

namespace ebpfgen {

// A value in a condition, a print, a key or an aggregation.
struct CheckedOperand {
  ast::Operand source;            // as written: a field, an integer or a string
  std::optional<FieldRef> field;  // a field's meaning at the block's probe
  std::string unit;               // what a time is shown in (ns us ms s); "" for other values
  std::uint64_t divisor = 1;      // ns per `unit`
  bool is_field() const { return field.has_value(); }
  bool is_text() const { return field ? field->type == ValueType::String : source.kind == ast::Operand::Kind::String; }
};

using CheckedCondition = ast::BasicCondition<CheckedOperand>;

struct CheckedPrint {
  std::vector<CheckedOperand> items;  // string literals and fields
  Location where;
};

struct CheckedAggregation {
  Aggregate function = Aggregate::count;
  std::optional<CheckedOperand> value;  // absent for count
  std::vector<CheckedOperand> keys;     // `by` fields
  std::string map;                      // the result map it writes, without '@'
  std::int64_t low = 0, high = 0, step = 0;  // lhist's range
  Location where;
};

using CheckedAction = std::variant<CheckedPrint, CheckedAggregation>;

struct CheckedSpan {
  ast::SpanSide::Role role = ast::SpanSide::Role::Start;
  std::string name;
  Location name_where;
  std::vector<CheckedOperand> key;
  std::uint64_t nth = 1;  // End: the Nth end event after the start ends the span
};

// Calls `use` with every field operand a block reads, in the order the program reads them:
// its condition's (a socket test's fd included), its actions' (a print's items, an
// aggregation's value, then its keys), its span's key.
template <typename Use>
void for_each_field(const std::optional<CheckedCondition>& where, const std::vector<CheckedAction>& actions,
                    const std::optional<CheckedSpan>& span, Use&& use) {
  auto visit = [&](const CheckedOperand& operand) {
    if (operand.is_field()) use(operand);
  };
  auto condition = [&](const CheckedCondition& c, auto& self) -> void {
    if (c.kind == ast::Condition::Kind::Compare) {
      visit(c.lhs);
      visit(c.rhs);
    } else if (c.kind == ast::Condition::Kind::Socket) {
      visit(c.lhs);
    }
    for (const auto& child : c.children) self(child, self);
  };
  if (where) condition(*where, condition);
  for (const auto& action : actions) {
    if (const auto* print = std::get_if<CheckedPrint>(&action)) {
      for (const auto& item : print->items) visit(item);
    } else {
      const auto& agg = std::get<CheckedAggregation>(action);
      if (agg.value) visit(*agg.value);
      for (const auto& key : agg.keys) visit(key);
    }
  }
  if (span)
    for (const auto& key : span->key) visit(key);
}

}  // namespace ebpfgen
