// The parse tree -> the AST: each node of a selected rule becomes the spec's
// own value, with its place in the text.
#include "parse/tree.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "grammar/grammar.hpp"

namespace ebpfgen {

namespace {

namespace g = grammar;

Location location_of(const Node& n) {
  auto begin = n.begin();
  std::size_t length = n.has_content() ? std::max<std::size_t>(1, n.string_view().size()) : 1;
  return {begin.line, begin.column, length};
}

ast::Name name_of(const Node& n) { return {n.string(), location_of(n)}; }

// A quoted string's value, escapes resolved.
std::string unquote(std::string_view quoted) {
  std::string out;
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\') {
      char e = quoted[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      out += c;
    }
  }
  return out;
}

template <typename T>
T parse_number(const Node& n) {
  T value{};
  auto text = n.string_view();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw SpecError(location_of(n), fmt::format("number '{}' is out of range", text));
  }
  return value;
}

}  // namespace

std::uint64_t duration_ms(std::string_view text, Location where) {

  std::size_t digits = text.find_first_not_of("0123456789");
  std::string_view unit = text.substr(digits);
  std::uint64_t amount{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, amount);
  std::uint64_t scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60'000 : 3'600'000;
  if (ec != std::errc() || amount > std::numeric_limits<std::uint64_t>::max() / scale) {
    throw SpecError(where, fmt::format("duration '{}' is too long", text));
  }
  return amount * scale;
}

namespace {

std::uint64_t parse_duration(const Node& n) { return duration_ms(n.string_view(), location_of(n)); }

ast::Operand operand_of(const Node& n) {
  ast::Operand op;
  op.where = location_of(n);
  if (n.is_type<g::string>()) {
    op.kind = ast::Operand::Kind::String;
    op.text = unquote(n.string_view());
  } else if (n.is_type<g::integer>()) {
    op.kind = ast::Operand::Kind::Integer;
    op.text = n.string();
    op.number = parse_number<std::int64_t>(n);
  } else {
    op.kind = ast::Operand::Kind::Field;
    op.text = n.string();
  }
  return op;
}

ast::Condition condition_of(const Node& n) {
  ast::Condition c;
  c.where = location_of(n);
  if (n.is_type<g::or_cond>() || n.is_type<g::and_cond>()) {
    if (n.children.size() == 1) return condition_of(*n.children.front());
    c.kind = n.is_type<g::or_cond>() ? ast::Condition::Kind::Or : ast::Condition::Kind::And;
    for (const auto& child : n.children) c.children.push_back(condition_of(*child));
  } else if (n.is_type<g::not_cond>()) {
    c.kind = ast::Condition::Kind::Not;
    c.children.push_back(condition_of(*n.children.front()));
  } else if (n.is_type<g::socket_test>()) {
    c.kind = ast::Condition::Kind::Socket;
  } else if (n.is_type<g::prefix_test>()) {  // field, prefix
    c.kind = ast::Condition::Kind::Compare;
    c.lhs = operand_of(*n.children.at(0));
    c.op = ast::starts_with;
    const Node& prefix = *n.children.at(1);
    c.rhs = {ast::Operand::Kind::String, unquote(prefix.string_view()), 0, location_of(prefix)};
  } else {  // comparison: field, operator, value
    c.kind = ast::Condition::Kind::Compare;
    c.lhs = operand_of(*n.children.at(0));
    c.op = n.children.at(1)->string();
    c.rhs = operand_of(*n.children.at(2));
  }
  return c;
}

ast::Aggregation aggregation_of(const Node& n) {
  ast::Aggregation agg;
  agg.where = location_of(n);
  for (const auto& child : n.children) {
    const Node& c = *child;
    if (c.is_type<g::count_function>() || c.is_type<g::value_function>() || c.is_type<g::lhist_function>()) {
      agg.function = name_of(c);
    } else if (c.is_type<g::value>()) {
      agg.value = operand_of(*c.children.at(0));
      if (c.children.size() > 1) agg.unit = name_of(*c.children.at(1));
    } else if (c.is_type<g::lhist_low>()) {
      agg.low = parse_number<std::int64_t>(c);
    } else if (c.is_type<g::lhist_high>()) {
      agg.high = parse_number<std::int64_t>(c);
    } else if (c.is_type<g::lhist_step>()) {
      agg.step = parse_number<std::int64_t>(c);
    } else if (c.is_type<g::key>()) {
      ast::Operand key = operand_of(c);
      key.kind = ast::Operand::Kind::Field;
      agg.keys.push_back(key);
    } else if (c.is_type<g::map_name>()) {
      agg.map_name = name_of(c);
    }
  }
  return agg;
}

ast::Probe probe_of(const Node& n) {
  ast::Probe probe;
  probe.where = location_of(n);
  if (n.is_type<g::syscall_probe>()) probe.kind = ast::ProbeKind::Syscall;
  else if (n.is_type<g::tracepoint_probe>()) probe.kind = ast::ProbeKind::Tracepoint;
  else if (n.is_type<g::uprobe_probe>()) probe.kind = ast::ProbeKind::Uprobe;
  else if (n.is_type<g::uretprobe_probe>()) probe.kind = ast::ProbeKind::Uretprobe;
  else if (n.is_type<g::kprobe_probe>()) probe.kind = ast::ProbeKind::Kprobe;
  else if (n.is_type<g::kretprobe_probe>()) probe.kind = ast::ProbeKind::Kretprobe;
  else probe.kind = ast::ProbeKind::Profile;
  for (const auto& child : n.children) {
    const Node& c = *child;
    if (c.is_type<g::binary_path>()) {
      auto text = c.string_view();
      probe.binary = {text.front() == '"' ? unquote(text) : std::string(text), location_of(c)};
    } else if (c.is_type<g::profile_rate>()) {
      auto text = c.string_view();
      auto digits = text.substr(0, text.size() - 2);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), probe.hz);
      if (ec != std::errc()) throw SpecError(location_of(c), fmt::format("sampling rate '{}' is out of range", text));
    } else if (c.is_type<g::function_name>() && c.string_view().front() == '"') {
      probe.names.push_back({unquote(c.string_view()), location_of(c)});
    } else {
      probe.names.push_back(name_of(c));
    }
  }
  return probe;
}

ast::Block block_of(const Node& n) {
  ast::Block block;
  block.where_opened = location_of(n);
  block.where_opened.length = 2;  // the `on` keyword
  for (const auto& child : n.children) {
    const Node& c = *child;
    if (c.is_type<g::where_clause>()) {
      block.where = condition_of(*c.children.at(0));
    } else if (c.is_type<g::print_action>()) {
      ast::PrintAction print{{}, location_of(c)};
      for (const auto& item : c.children) print.items.push_back(operand_of(*item));
      block.actions.emplace_back(std::move(print));
    } else if (c.is_type<g::aggregation>()) {
      block.actions.emplace_back(aggregation_of(c));
    } else {
      block.probe = probe_of(c);
    }
  }
  return block;
}

// A span's two blocks: the start (no actions of its own) and the end, with the actions.
std::vector<ast::Block> span_of(const Node& n) {
  ast::Block start, end;
  start.where_opened = end.where_opened = location_of(n);
  start.where_opened.length = end.where_opened.length = 4;  // the `span` keyword
  ast::SpanSide from{ast::SpanSide::Role::Start}, to{ast::SpanSide::Role::End};
  for (const auto& child : n.children) {
    const Node& c = *child;
    if (c.is_type<g::span_name>()) {
      from.name = to.name = name_of(c);
    } else if (c.is_type<g::span_start>() || c.is_type<g::span_end>()) {
      ast::Block& side = c.is_type<g::span_start>() ? start : end;
      ast::SpanSide& span = c.is_type<g::span_start>() ? from : to;
      for (const auto& part : c.children) {
        const Node& q = *part;
        if (q.is_type<g::where_clause>()) {
          side.where = condition_of(*q.children.at(0));
        } else if (q.is_type<g::span_key_field>()) {
          ast::Operand key = operand_of(q);
          key.kind = ast::Operand::Kind::Field;
          span.key.push_back(key);
        } else if (q.is_type<g::span_nth_value>()) {
          span.nth = parse_number<std::uint64_t>(q);
          span.nth_where = location_of(q);
        } else {
          side.probe = probe_of(q);
        }
      }
    } else if (c.is_type<g::print_action>()) {
      ast::PrintAction print{{}, location_of(c)};
      for (const auto& item : c.children) print.items.push_back(operand_of(*item));
      end.actions.emplace_back(std::move(print));
    } else if (c.is_type<g::aggregation>()) {
      end.actions.emplace_back(aggregation_of(c));
    }
  }
  from.nth = to.nth;  // a new start forgets the end events counted so far
  start.span = from;
  end.span = to;
  return {start, end};
}

ast::Target target_of(const Node& n) {
  ast::Target target;
  target.where = location_of(n);
  if (n.is_type<g::target_pid>()) target.kind = ast::TargetKind::Pid;
  else if (n.is_type<g::target_comm>()) target.kind = ast::TargetKind::Comm;
  else if (n.is_type<g::target_cgroup>()) target.kind = ast::TargetKind::Cgroup;
  else if (n.is_type<g::target_container>()) target.kind = ast::TargetKind::Container;
  else if (n.is_type<g::target_command>()) target.kind = ast::TargetKind::Command;
  else target.kind = ast::TargetKind::All;
  for (const auto& child : n.children) {
    const Node& c = *child;
    if (c.is_type<g::runtime_name>()) {
      target.runtime = c.string();
    } else if (c.is_type<g::with_descendants>()) {
      target.descendants = true;
    } else if (c.is_type<g::comm_starts_with>()) {
      target.prefix = true;
    } else {
      target.value = c.is_type<g::pid_number>() ? c.string() : unquote(c.string_view());
      target.where = location_of(c);
      // A command is split on blanks, with no shell: `-- PROGRAM ARGS` on the command line takes any argument.
      if (n.is_type<g::target_command>()) {
        std::istringstream words(target.value);
        target.argv = {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
      }
    }
  }
  return target;
}

// A statement that may appear once.
template <typename T>
void set_once(std::optional<T>& slot, T value, const char* what, Location where, Location previous) {
  if (slot) {
    throw SpecError(where, fmt::format("{} given twice", what),
                    {fmt::format("the first one is at line {}, column {}", previous.line, previous.column)});
  }
  slot = std::move(value);
}

}  // namespace

ast::Spec spec_of_tree(const Node& root) {
  ast::Spec spec;
  Location first_target, first_duration, first_window;  // for "given twice"
  for (const auto& child : root.children) {
    const Node& c = *child;
    Location where = location_of(c);
    if (c.is_type<g::duration_stmt>() || c.is_type<g::window_stmt>()) {
      const Node& value = *c.children.at(0);
      ast::Duration d{parse_duration(value), location_of(value)};
      bool is_duration = c.is_type<g::duration_stmt>();
      auto& slot = is_duration ? spec.duration : spec.window;
      Location& first = is_duration ? first_duration : first_window;
      set_once(slot, d, is_duration ? "duration" : "window", where, first);
      first = where;
    } else if (c.is_type<g::option_stmt>()) {
      spec.options.push_back({name_of(*c.children.at(0)), name_of(*c.children.at(1))});
    } else if (c.is_type<g::metrics_stmt>()) {
      for (const auto& m : c.children) spec.metrics.push_back(name_of(*m));
    } else if (c.is_type<g::io_stmt>()) {
      ast::IoPosix io;
      io.where = where;
      io.where.length = 2;  // the `io` keyword
      for (const auto& list : c.children) {
        bool exclude = list->is_type<g::io_exclude>();
        io.exclude_given |= exclude;
        for (const auto& prefix : list->children)
          (exclude ? io.exclude : io.include).push_back({unquote(prefix->string_view()), location_of(*prefix)});
      }
      if (spec.io) {
        throw SpecError(where, "io posix given twice",
                        {fmt::format("the first one is at line {}, column {}", spec.io->where.line, spec.io->where.column)});
      }
      spec.io = std::move(io);
    } else if (c.is_type<g::probe_block>()) {
      spec.blocks.push_back(block_of(c));
    } else if (c.is_type<g::span_block>()) {
      for (auto& block : span_of(c)) spec.blocks.push_back(std::move(block));
    } else {
      set_once(spec.target, target_of(c), "target", where, first_target);
      first_target = where;
    }
  }
  return spec;
}

}  // namespace ebpfgen
