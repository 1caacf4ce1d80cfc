// A spec's `on` blocks: probes with a filter, per-event prints and in-kernel
// aggregations. A block that needs a return value or a latency pairs the
// entry probe (saving the start time and arguments per thread) with the
// return probe, where it fires. Probes and blocks are templates/probe.bt,
// block_*.bt and span_*.bt; statements are spelled by codegen/spelling.hpp.
#include <fmt/format.h>

#include "codegen/parts.hpp"
#include "codegen/plan.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"

namespace ebpfgen::codegen {

namespace {

using templates::indented;
using templates::render;

class BlockWriter {
 public:
  BlockWriter(const ProgramContext& program, const CheckedBlock& block, int index)
      : program_(program), block_(block), prefix_(fmt::format("_b{}_", index)) {}

  Section write() {
    Section out;
    const std::vector<std::string> points = block_.per_point ? block_.attach : std::vector<std::string>{std::string()};
    for (const auto& point : points) {
      if (!out.code.empty()) out.code += "\n";
      out.code += origin_comment(program_, block_.opened) + "\n";
      out.code += found_functions(point);
      out.code += block_.paired ? paired_probes(point) : single_probe(point);
    }
    for (const auto* agg : block_.aggregations()) out.results.push_back(agg->map);
    out.helpers = helpers_;
    return out;
  }

 private:
  // The functions a uprobe's name found (of them, `only` when the block has a probe
  // per function), when they are not spelled as it was.
  std::string found_functions(const std::string& only) const {
    const auto& given = block_.probe.names;
    if (block_.functions.size() == 1 && !given.empty() && block_.functions.front() == given.front().text) return "";
    std::string out;
    for (std::size_t i = 0; i < block_.functions.size(); ++i) {
      if (only.empty() || block_.attach[i] == only) out += "//   " + comment_text(block_.functions[i]) + "\n";
    }
    return out;
  }

  FieldSpelling spelling(Site site, const std::string& point) const { return {block_, program_.spec.style, site, point}; }

  std::vector<std::string> points(bool at_return, const std::string& point) const {
    CheckedBlock one = block_;
    if (!point.empty()) one.attach = {point};
    return at_return ? return_points(one, program_.spec.style) : entry_points(one, program_.spec.style);
  }

  // The probes of `attach_points`, each with `predicate` and `body`.
  std::string probes(const std::vector<std::string>& attach_points, const std::string& predicate_text, const std::string& body) {
    std::string pred = predicate_text.empty() ? "" : predicate_text + "\n";
    return render_probes(program_, attach_points, [&](const std::string& attach) {
      return render("probe", {{"attach", attach}, {"predicate", pred}, {"body", body}});
    });
  }

  std::string single_probe(const std::string& point) {
    FieldSpelling where = spelling(Site::Single, point);
    std::string condition = block_.where ? condition_code(*block_.where, where) : "";
    return probes(points(false, point), predicate({program_.target_filter, condition}), indented(actions_code(where), 2));
  }

  std::string paired_probes(const std::string& point) {
    std::string start = "@" + prefix_ + "start_ns[tid]";
    remember_helper(prefix_ + "start_ns");
    BlockPlan plan = plan_block(block_);
    FieldSpelling entry = spelling(Site::Entry, point);
    std::string saves, restores, forgets;
    for (const auto& arg : plan.saved) {
      std::string map = "@" + prefix_ + arg.arg + "[tid]";
      saves += map + " = " + field_code(arg, entry) + ";\n";
      restores += saved_variable(arg) + " = " + map + ";\n";
      forgets += "delete(" + map + ");\n";
      remember_helper(prefix_ + arg.arg);
    }
    FieldSpelling at_return = spelling(Site::Return, point);
    std::string actions = actions_code(at_return);
    if (block_.where) actions = "if (" + condition_code(*block_.where, at_return) + ") {\n" + indented(actions, 2) + "}\n";
    std::string body = render("block_return", {{"latency", plan.latency ? "$latency_ns = nsecs - " + start + ";\n" : ""},
                                               {"restores", restores}, {"start", start}, {"forgets", forgets},
                                               {"actions", actions}});
    return probes(points(false, point), predicate({program_.target_filter}),
                  indented(render("block_entry", {{"start", start}, {"saves", saves}}), 2)) +
           "\n" + probes(points(true, point), predicate({program_.target_filter, start}), indented(body, 2));
  }

  std::string condition_code(const CheckedCondition& c, const FieldSpelling& where) const {
    switch (c.kind) {
      case ast::Condition::Kind::Compare:
        if (c.op == ast::starts_with) return prefix_test(operand_code(c.lhs, where), c.rhs.source.text);
        return operand_code(c.lhs, where) + " " + c.op + " " + operand_code(c.rhs, where);
      case ast::Condition::Kind::Socket:
        return "(" + render("socket_check", {{"fd", operand_code(c.lhs, where)}}) + ")";
      case ast::Condition::Kind::Not: return "!(" + condition_code(c.children.front(), where) + ")";
      case ast::Condition::Kind::And:
      case ast::Condition::Kind::Or: {
        std::string out;
        for (const auto& child : c.children) {
          if (!out.empty()) out += c.kind == ast::Condition::Kind::And ? " && " : " || ";
          out += "(" + condition_code(child, where) + ")";
        }
        return out;
      }
    }
    return {};
  }

  std::string actions_code(const FieldSpelling& where) {
    if (block_.span) return span_code(*block_.span, where);
    return user_actions(where);
  }

  std::string user_actions(const FieldSpelling& where) const {
    std::string out;
    for (const auto& action : block_.actions) {
      if (const auto* print = std::get_if<CheckedPrint>(&action)) {
        out += print_statement(*print, where) + "\n";
      } else {
        out += aggregation_statement(std::get<CheckedAggregation>(action), where) + "\n";
      }
    }
    return out;
  }

  // A span's start remembers when its key was seen; its end finds that time
  // (after the Nth end event, with nth), forgets it and runs the actions,
  // which read the time between as $duration_ns.
  std::string span_code(const CheckedSpan& span, const FieldSpelling& where) {
    std::string keys = span_key(span.key, where);
    std::string start = fmt::format("@_span_{}_start[{}]", span.name, keys);
    remember_helper(fmt::format("_span_{}_start", span.name));
    std::string seen = fmt::format("@_span_{}_seen[{}]", span.name, keys);
    if (span.role == ast::SpanSide::Role::Start) {
      // With nth, a new start begins the count of end events again: set to 0, not deleted, as
      // a delete of a key not there is a failed call (bpftrace -k reports each).
      return render("span_start", {{"start", start}, {"reset", span.nth > 1 ? seen + " = 0;\n" : ""}});
    }
    std::string ends = render("span_ends", {{"start", start}, {"actions", user_actions(where)}});
    if (span.nth > 1) {
      remember_helper(fmt::format("_span_{}_seen", span.name));
      ends = render("span_nth", {{"seen", seen}, {"nth", span.nth}, {"ends", indented(ends, 2)}});
    }
    return render("span_end", {{"start", start}, {"ends", indented(ends, 2)}});
  }

  void remember_helper(const std::string& name) {
    for (const auto& h : helpers_)
      if (h == name) return;
    helpers_.push_back(name);
  }

  const ProgramContext& program_;
  const CheckedBlock& block_;
  std::string prefix_;
  std::vector<std::string> helpers_;
};

}  // namespace

std::vector<std::string> block_points(const CheckedBlock& block, SyscallStyle style) {
  std::vector<std::string> out = entry_points(block, style);
  if (block.paired) {
    auto more = return_points(block, style);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

Section block_section(const ProgramContext& program, const CheckedBlock& block, int index) {
  return BlockWriter(program, block, index).write();
}

}  // namespace ebpfgen::codegen
