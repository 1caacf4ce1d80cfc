// A spec's `on` blocks: probes with a filter, per-event prints and in-kernel
// aggregations. A block that needs a return value or a latency pairs the
// entry probe (saving the start time and arguments per thread) with the
// return probe, where it fires.
#include <fmt/format.h>

#include "codegen/parts.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"

namespace ebpfgen::codegen {

namespace {

class BlockWriter {
 public:
  BlockWriter(const ProgramContext& program, const CheckedBlock& block, int index)
      : program_(program), block_(block), prefix_(fmt::format("_b{}_", index)) {}

  Section write() {
    Section out;
    const std::vector<std::string> syscalls =
        block_.per_point ? block_.attach : std::vector<std::string>{std::string()};
    for (const auto& syscall : syscalls) {
      if (!out.code.empty()) out.code += "\n";
      out.code += origin_comment(program_, block_.block.where_opened) + "\n";
      out.code += found_functions(syscall);
      out.code += block_.paired ? paired_probes(syscall) : single_probe(syscall);
    }
    for (const auto& name : block_.map_names)
      if (!name.empty()) out.results.push_back(name);
    out.helpers = helpers_;
    return out;
  }

 private:
  // The functions a uprobe's name found (of them, `only` when the block has a probe
  // per function), when they are not spelled as it was.
  std::string found_functions(const std::string& only) const {
    const auto& given = block_.block.probe.names;
    if (block_.functions.size() == 1 && !given.empty() && block_.functions.front() == given.front().text) return "";
    std::string out;
    for (std::size_t i = 0; i < block_.functions.size(); ++i) {
      if (only.empty() || block_.attach[i] == only) out += "//   " + comment_text(block_.functions[i]) + "\n";
    }
    return out;
  }

  FieldSpelling spelling(Site site, const std::string& syscall) const {
    return {block_, program_.spec.style, site, syscall};
  }

  std::vector<std::string> points(bool at_return, const std::string& syscall) const {
    CheckedBlock one = block_;
    if (!syscall.empty()) one.attach = {syscall};
    return at_return ? return_points(one, program_.spec.style) : entry_points(one, program_.spec.style);
  }

  std::string single_probe(const std::string& syscall) {
    FieldSpelling where = spelling(Site::Single, syscall);
    std::string condition = block_.block.where ? condition_code(*block_.block.where, where) : "";
    std::string pred = predicate({program_.target_filter, condition});
    std::string body = (pred.empty() ? "" : pred + "\n") + "{\n" + actions_code(where, "  ") + "}\n";
    return render_probes(program_, points(false, syscall), [&](const std::string& attach) { return attach + "\n" + body; });
  }

  std::string paired_probes(const std::string& syscall) {
    std::string start = "@" + prefix_ + "start_ns[tid]";
    remember_helper(prefix_ + "start_ns");
    std::vector<FieldRef> saved = saved_arguments();

    std::string pred = predicate({program_.target_filter});
    std::string entry_body = (pred.empty() ? "" : pred + "\n") + "{\n  " + start + " = nsecs;\n";
    FieldSpelling entry = spelling(Site::Entry, syscall);
    for (const auto& arg : saved) {
      entry_body += fmt::format("  @{}{}[tid] = {};\n", prefix_, arg.arg, field_code(arg, entry));
      remember_helper(prefix_ + arg.arg);
    }
    entry_body += "}\n";

    FieldSpelling at_return = spelling(Site::Return, syscall);
    std::string body = predicate({program_.target_filter, start}) + "\n{\n";
    if (uses_latency()) body += "  $latency_ns = nsecs - " + start + ";\n";
    for (const auto& arg : saved) body += fmt::format("  {} = @{}{}[tid];\n", saved_variable(arg), prefix_, arg.arg);
    body += "  delete(" + start + ");\n";
    for (const auto& arg : saved) body += fmt::format("  delete(@{}{}[tid]);\n", prefix_, arg.arg);
    if (block_.block.where) {
      body += "  if (" + condition_code(*block_.block.where, at_return) + ") {\n";
      body += actions_code(at_return, "    ") + "  }\n";
    } else {
      body += actions_code(at_return, "  ");
    }
    body += "}\n";
    auto probe = [](const std::string& text) {
      return [&text](const std::string& attach) { return attach + "\n" + text; };
    };
    return render_probes(program_, points(false, syscall), probe(entry_body)) + "\n" +
           render_probes(program_, points(true, syscall), probe(body));
  }

  // The arguments a paired block reads at return, each once, in first-use order.
  std::vector<FieldRef> saved_arguments() const {
    std::vector<FieldRef> out;
    for_each_field([&](const FieldRef& ref) {
      if (ref.kind != FieldKind::Arg) return;
      for (const auto& known : out)
        if (known.arg == ref.arg) return;
      out.push_back(ref);
    });
    return out;
  }

  bool uses_latency() const {
    bool used = false;
    for_each_field([&](const FieldRef& ref) { used = used || ref.kind == FieldKind::Latency; });
    return used;
  }

  // Calls `use` with every field the block reads, in order of appearance.
  template <typename Use>
  void for_each_field(Use&& use) const {
    auto visit = [&](const ast::Operand& operand) {
      if (operand.kind == ast::Operand::Kind::Field) use(resolve_field(operand, block_.context));
    };
    if (block_.block.where) visit_condition(*block_.block.where, visit);
    for (const auto& action : block_.block.actions) {
      if (const auto* print = std::get_if<ast::PrintAction>(&action)) {
        for (const auto& item : print->items) visit(item);
      } else {
        const auto& agg = std::get<ast::Aggregation>(action);
        if (agg.value) visit(*agg.value);
        for (const auto& key : agg.keys) visit(key);
      }
    }
    if (block_.block.span)
      for (const auto& key : block_.block.span->key) visit(key);
  }

  template <typename Visit>
  static void visit_condition(const ast::Condition& c, Visit& visit) {
    if (c.kind == ast::Condition::Kind::Compare) {
      visit(c.lhs);
      visit(c.rhs);
    } else if (c.kind == ast::Condition::Kind::Socket) {
      visit(ast::Operand{ast::Operand::Kind::Field, "fd", 0, c.where});
    }
    for (const auto& child : c.children) visit_condition(child, visit);
  }

  std::string operand_code(const ast::Operand& operand, const FieldSpelling& where) const {
    switch (operand.kind) {
      case ast::Operand::Kind::String: return string_literal(operand.text);
      case ast::Operand::Kind::Integer: return std::to_string(operand.number);
      case ast::Operand::Kind::Field: return field_code(resolve_field(operand, block_.context), where);
    }
    return {};
  }

  std::string condition_code(const ast::Condition& c, const FieldSpelling& where) const {
    switch (c.kind) {
      case ast::Condition::Kind::Compare:
        // A prefix: bpftrace's strncmp over the prefix's length (in bytes).
        if (c.op == ast::starts_with) {
          return fmt::format("strncmp({}, {}, {}) == 0", operand_code(c.lhs, where), operand_code(c.rhs, where),
                             c.rhs.text.size());
        }
        return operand_code(c.lhs, where) + " " + c.op + " " + operand_code(c.rhs, where);
      case ast::Condition::Kind::Socket: {
        ast::Operand fd{ast::Operand::Kind::Field, "fd", 0, c.where};
        return "(" + templates::render("socket_check", {{"fd", operand_code(fd, where)}}) + ")";
      }
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

  // A value, converted to its unit when it is a time.
  std::string value_code(const ast::Operand& operand, const std::optional<ast::Name>& unit,
                         const FieldSpelling& where) const {
    FieldRef ref = resolve_field(operand, block_.context);
    std::string code = field_code(ref, where);
    std::uint64_t divisor = unit_divisor(value_unit(ref, unit));
    return divisor == 1 ? code : fmt::format("({}) / {}", code, divisor);
  }

  std::string print_code(const ast::PrintAction& print, const FieldSpelling& where) const {
    std::string format, args;
    for (const auto& item : print.items) {
      if (!format.empty()) format += " ";
      if (item.kind == ast::Operand::Kind::String) {
        format += format_text(item.text);
        continue;
      }
      FieldRef ref = resolve_field(item, block_.context);
      std::string unit = value_unit(ref, std::nullopt);
      format += item.text + (unit.empty() ? "" : "_" + unit) + (ref.type == ValueType::Integer ? "=%lld" : "=%s");  // %d keeps 32 bits
      args += ", " + value_code(item, std::nullopt, where);
    }
    return fmt::format("printf(\"{}\\n\"{});", format, args);
  }

  std::string aggregation_code(const ast::Aggregation& agg, const std::string& name, const FieldSpelling& where) const {
    std::string keys;
    for (const auto& key : agg.keys) keys += (keys.empty() ? "" : ", ") + value_code(key, std::nullopt, where);
    std::string target = "@" + name + (keys.empty() ? "" : "[" + keys + "]");
    const std::string& fn = agg.function.text;
    if (fn == "count") return target + " = count();";
    std::string value = value_code(*agg.value, agg.unit, where);
    if (fn == "lhist") return fmt::format("{} = lhist({}, {}, {}, {});", target, value, agg.low, agg.high, agg.step);
    // `mean` keeps count and total (stats) so the mean is exact, not bpftrace's integer avg().
    return fmt::format("{} = {}({});", target, fn == "mean" ? "stats" : fn, value);
  }

  std::string actions_code(const FieldSpelling& where, const std::string& indent) {
    if (block_.block.span) return span_code(*block_.block.span, where, indent);
    return user_actions(where, indent);
  }

  std::string user_actions(const FieldSpelling& where, const std::string& indent) const {
    std::string out;
    for (std::size_t i = 0; i < block_.block.actions.size(); ++i) {
      const auto& action = block_.block.actions[i];
      if (const auto* print = std::get_if<ast::PrintAction>(&action)) {
        out += indent + print_code(*print, where) + "\n";
      } else {
        out += indent + aggregation_code(std::get<ast::Aggregation>(action), block_.map_names[i], where) + "\n";
      }
    }
    return out;
  }

  // A span's start remembers when its key was seen; its end finds that time
  // (after the Nth end event, with nth), forgets it and runs the actions,
  // which read the time between as $duration_ns. Each number of a key is made
  // 64 bits wide by adding 0 (bpftrace's arithmetic is 64-bit; a cast would
  // keep the program from its ahead-of-time compiler), so that both ends key
  // alike whatever the fields' own types (accept4's long ret, close's unsigned fd).
  std::string span_code(const ast::SpanSide& span, const FieldSpelling& where, const std::string& indent) {
    std::string keys;
    for (const auto& key : span.key) {
      std::string code = value_code(key, std::nullopt, where);
      bool number = resolve_field(key, block_.context).type == ValueType::Integer;
      keys += (keys.empty() ? "" : ", ") + (number ? code + " + 0" : code);
    }
    std::string start = fmt::format("@_span_{}_start[{}]", span.name.text, keys);
    remember_helper(fmt::format("_span_{}_start", span.name.text));
    std::string seen = fmt::format("@_span_{}_seen[{}]", span.name.text, keys);
    if (span.role == ast::SpanSide::Role::Start) {
      // With nth, a new start begins the count of end events again: set to 0, not deleted, as
      // a delete of a key not there is a failed call (bpftrace -k reports each).
      return indent + start + " = nsecs;\n" + (span.nth > 1 ? indent + seen + " = 0;\n" : "");
    }
    std::string out = indent + "$span_start = " + start + ";\n" + indent + "if ($span_start != 0) {\n";
    std::string inner = indent + "  ";
    if (span.nth > 1) {
      remember_helper(fmt::format("_span_{}_seen", span.name.text));
      out += fmt::format("{}{} = {} + 1;  // end events since the start\n", inner, seen, seen);
      out += fmt::format("{}if ({} >= {}) {{\n", inner, seen, span.nth);
      inner += "  ";
      out += inner + "delete(" + seen + ");\n";
    }
    out += inner + "$duration_ns = nsecs - $span_start;\n";
    out += inner + "delete(" + start + ");\n";
    out += user_actions(where, inner);
    if (span.nth > 1) out += indent + "  }\n";
    return out + indent + "}\n";
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
