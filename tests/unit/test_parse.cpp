#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace ebpfgen;
using test::errors_of;

namespace {
ast::Spec parse(const std::string& text) { return parse_spec(test::source(text)); }
}  // namespace

TEST_CASE("statements: target, duration, window, option, metrics") {
  auto spec = parse("target comm \"nginx\"  # the server\nduration 5m; window 500ms\n"
                    "option syscall_probes = kprobe\nmetrics rps, slack");
  REQUIRE(spec.target);
  CHECK(spec.target->kind == ast::TargetKind::Comm);
  CHECK(spec.target->value == "nginx");
  CHECK(spec.target->where.line == 1);
  CHECK(spec.target->where.column == 13);
  CHECK(spec.duration->milliseconds == 300000);
  CHECK(spec.window->milliseconds == 500);
  REQUIRE(spec.options.size() == 1);
  CHECK(spec.options[0].name.text == "syscall_probes");
  CHECK(spec.options[0].value.text == "kprobe");
  REQUIRE(spec.metrics.size() == 2);
  CHECK(spec.metrics[1].text == "slack");
  CHECK(spec.metrics[1].where.column == 14);
}

TEST_CASE("every target kind") {
  CHECK(parse("target pid 42").target->value == "42");
  CHECK(parse("target cgroup \"/sys/fs/cgroup/unified/web\"").target->kind == ast::TargetKind::Cgroup);
  auto c = parse("target container \"web\" runtime podman").target;
  CHECK(c->kind == ast::TargetKind::Container);
  CHECK(c->value == "web");
  CHECK(c->runtime == "podman");
  CHECK(parse("target command \"sleep 1\"").target->value == "sleep 1");
  CHECK(parse("target command \"redis-server  --port 7000\"").target->argv ==
        std::vector<std::string>{"redis-server", "--port", "7000"});
  CHECK(parse("target all").target->kind == ast::TargetKind::All);
}

TEST_CASE("strings decode escapes") {
  CHECK(parse(R"(target comm "a\"b\\c")").target->value == "a\"b\\c");
}

TEST_CASE("a block with probes, a condition and actions") {
  auto spec = parse("on syscall read, write where ret > 0 and not (fd == 1 or socket) {\n"
                    "  print \"x\", comm\n  hist latency in ms by comm, pid as lat\n  lhist ret from 0 to 100 step 10\n}");
  REQUIRE(spec.blocks.size() == 1);
  const auto& b = spec.blocks[0];
  CHECK(b.probe.kind == ast::ProbeKind::Syscall);
  REQUIRE(b.probe.names.size() == 2);
  CHECK(b.probe.names[1].text == "write");
  REQUIRE(b.where);
  CHECK(b.where->kind == ast::Condition::Kind::And);
  REQUIRE(b.where->children.size() == 2);
  CHECK(b.where->children[0].op == ">");
  CHECK(b.where->children[0].rhs.number == 0);
  CHECK(b.where->children[1].kind == ast::Condition::Kind::Not);
  CHECK(b.where->children[1].children[0].kind == ast::Condition::Kind::Or);
  REQUIRE(b.actions.size() == 3);
  const auto& print = std::get<ast::PrintAction>(b.actions[0]);
  CHECK(print.items[0].kind == ast::Operand::Kind::String);
  CHECK(print.items[1].text == "comm");
  const auto& hist = std::get<ast::Aggregation>(b.actions[1]);
  CHECK(hist.function.text == "hist");
  CHECK(hist.value->text == "latency");
  CHECK(hist.unit->text == "ms");
  CHECK(hist.keys.size() == 2);
  CHECK(hist.map_name->text == "lat");
  const auto& lhist = std::get<ast::Aggregation>(b.actions[2]);
  CHECK(lhist.low == 0);
  CHECK(lhist.high == 100);
  CHECK(lhist.step == 10);
}

TEST_CASE("uprobe, tracepoint, kprobe and profile probes") {
  auto spec = parse("on uprobe _Z3foov in \"/opt/x\" { count }\n"
                    "on tracepoint sched:sched_switch, block:* { count }\n"
                    "on kretprobe vfs_read { count }\non profile 99hz { count }");
  REQUIRE(spec.blocks.size() == 4);
  CHECK(spec.blocks[0].probe.names[0].text == "_Z3foov");
  CHECK(spec.blocks[0].probe.binary.text == "/opt/x");
  CHECK(spec.blocks[1].probe.names[1].text == "block:*");
  CHECK(spec.blocks[2].probe.kind == ast::ProbeKind::Kretprobe);
  CHECK(spec.blocks[3].probe.hz == 99);
}

TEST_CASE("syntax errors say what was expected, where") {
  CHECK(errors_of("on syscall read { count by comm") ==
        "t.obs:1:17: error: this block is not closed: expected '}' before the end of the spec\n"
        "  on syscall read { count by comm\n"
        "                  ^\n");
  CHECK(errors_of("on syscall read { count by comm ) }") ==
        "t.obs:1:33: error: expected an action (print, count, sum, min, max, mean, stats, hist, lhist) or '}' "
        "to close the block\n"
        "  on syscall read { count by comm ) }\n"
        "                                  ^\n"
        "  note: the block's '{' is at line 1, column 17\n");
  CHECK(errors_of("duration 5x") ==
        "t.obs:1:10: error: expected a duration such as 500ms, 30s, 5m or 1h\n  duration 5x\n           ^~\n");
  CHECK(errors_of("target comm \"nginx") ==
        "t.obs:1:19: error: unterminated string: expected a closing '\"' before the end of the line\n"
        "  target comm \"nginx\n                    ^\n");
  CHECK(errors_of("on syscall read where ret { count }") ==
        "t.obs:1:27: error: expected a comparison operator: ==, !=, <, <=, > or >=, or 'starts with'\n"
        "  on syscall read where ret { count }\n                            ^\n");
}

TEST_CASE("misspelled keywords get a suggestion") {
  CHECK(errors_of("targt pid 3") ==
        "t.obs:1:1: error: expected a statement: target, duration, window, option, metrics, io, on or span; "
        "did you mean 'target'?\n  targt pid 3\n  ^~~~~\n");
  CHECK(errors_of("on syscal read { count }").find("did you mean 'syscall'?") != std::string::npos);
  CHECK(errors_of("on syscall read { cout }").find("did you mean 'count'?") != std::string::npos);
  CHECK(errors_of("on syscall read wher ret > 0 { count }").find("did you mean 'where'?") != std::string::npos);
  CHECK(errors_of("target pd 3").find("did you mean 'pid'?") != std::string::npos);
  CHECK(errors_of("target container \"web\" runtime dockr") ==
        "t.obs:1:32: error: expected a container runtime: docker, podman, nerdctl or crictl; did you mean 'docker'?\n"
        "  target container \"web\" runtime dockr\n                                 ^~~~~\n");
}

TEST_CASE("statements that may appear once") {
  CHECK(errors_of("target pid 1\ntarget pid 2") ==
        "t.obs:2:8: error: target given twice\n  target pid 2\n         ^~~~~\n"
        "  note: the first one is at line 1, column 8\n");
}

TEST_CASE("numbers too large are errors, not wraparounds") {
  CHECK(errors_of("duration 99999999999999999999s").find("is too long") != std::string::npos);
  CHECK(errors_of("on syscall read where ret > 99999999999999999999 { count }").find("out of range") !=
        std::string::npos);
}

TEST_CASE("a pid target may take its descendants") {
  auto spec = ebpfgen::parse_spec({"t.obs", "target pid 42 and descendants\non syscall read { count }"});
  CHECK(spec.target->value == "42");
  CHECK(spec.target->descendants);
  CHECK_FALSE(ebpfgen::parse_spec({"t.obs", "target pid 42 on syscall read { count }"}).target->descendants);
}

TEST_CASE("a prefix test, FIELD starts with \"TEXT\", and a target by a name's prefix") {
  auto spec = parse("target comm starts with \"model\"\n"
                    "on syscall openat where comm starts with \"py\" and not args.filename starts with \"/etc/\" { count }");
  REQUIRE(spec.target);
  CHECK(spec.target->kind == ast::TargetKind::Comm);
  CHECK(spec.target->prefix);
  CHECK(spec.target->value == "model");
  CHECK(spec.target->where.column == 25);
  CHECK_FALSE(parse("target comm \"model\"").target->prefix);
  const auto& where = *spec.blocks.at(0).where;
  REQUIRE(where.kind == ast::Condition::Kind::And);
  const auto& prefix = where.children.at(0);
  CHECK(prefix.kind == ast::Condition::Kind::Compare);
  CHECK(prefix.op == ast::starts_with);
  CHECK(prefix.lhs.text == "comm");
  CHECK(prefix.rhs.kind == ast::Operand::Kind::String);
  CHECK(prefix.rhs.text == "py");
  CHECK(prefix.rhs.where.line == 2);
  CHECK(prefix.rhs.where.column == 42);
  CHECK(where.children.at(1).kind == ast::Condition::Kind::Not);
  CHECK(where.children.at(1).children.at(0).rhs.text == "/etc/");
  // Escapes are decoded, as in every string.
  CHECK(parse(R"(on syscall read where comm starts with "a\"b" { count })").blocks[0].where->rhs.text == "a\"b");
  // A field named like the keyword is still a field.
  CHECK(parse("on tracepoint x:y where args.starts == 1 { count }").blocks[0].where->lhs.text == "args.starts");
}

TEST_CASE("a prefix test's syntax errors") {
  CHECK(errors_of("on syscall read where comm starts \"a\" { count }") ==
        "t.obs:1:35: error: expected 'with' after 'starts', e.g. comm starts with \"model\"\n"
        "  on syscall read where comm starts \"a\" { count }\n"
        "                                    ^\n");
  CHECK(errors_of("on syscall read where comm starts with model { count }") ==
        "t.obs:1:40: error: expected a quoted prefix, e.g. comm starts with \"model\"\n"
        "  on syscall read where comm starts with model { count }\n"
        "                                         ^~~~~\n");
  CHECK(errors_of("on syscall read where comm start with \"a\" { count }") ==
        "t.obs:1:28: error: expected a comparison operator: ==, !=, <, <=, > or >=, or 'starts with'; "
        "did you mean 'starts'?\n"
        "  on syscall read where comm start with \"a\" { count }\n"
        "                             ^~~~~\n");
  CHECK(errors_of("target comm starts wit \"a\" metrics rps") ==
        "t.obs:1:20: error: expected 'with' after 'starts', e.g. comm starts with \"model\"; did you mean 'with'?\n"
        "  target comm starts wit \"a\" metrics rps\n"
        "                     ^~~\n");
  CHECK(errors_of("target comm starts with model metrics rps") ==
        "t.obs:1:25: error: expected a quoted process name, e.g. comm \"nginx\", or comm starts with \"model\"\n"
        "  target comm starts with model metrics rps\n"
        "                          ^~~~~\n");
}
