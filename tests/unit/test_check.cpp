#include <doctest/doctest.h>

#include "helpers.hpp"

#include <sstream>

#include "check/stack.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"

#include <fmt/format.h>

using namespace ebpfgen;
using test::checked;
using test::errors_of;

TEST_CASE("syscall groups expand to their members, once each") {
  auto spec = checked("on syscall recv, read { count }");
  REQUIRE(spec.blocks.size() == 1);
  CHECK(spec.blocks[0].attach == std::vector<std::string>{"read", "readv", "recvfrom", "recvmsg", "recvmmsg"});
}

TEST_CASE("misspelled syscalls name the closest one and the table used") {
  CHECK(errors_of("on syscall recvfom { count }") ==
        "t.obs:1:12: error: unknown syscall 'recvfom'; did you mean 'recvfrom'?\n"
        "  on syscall recvfom { count }\n             ^~~~~~~\n"
        "  note: checked against the built-in x86-64 table\n");
  CHECK(errors_of("on syscall sned { count }").find("did you mean 'send'?") != std::string::npos);
}

TEST_CASE("a block fires at return only when it needs ret or latency") {
  auto spec = checked("on syscall read { count }\non syscall read { hist ret }\non syscall read where ret > 0 { count }\n"
                      "on syscall read { hist latency }\non uretprobe shop::Cart::total in \"" UPROBE_TARGET "\" { hist ret }");
  CHECK_FALSE(spec.blocks[0].paired);
  CHECK(spec.blocks[1].paired);
  CHECK(spec.blocks[2].paired);
  CHECK(spec.blocks[3].paired);
  CHECK_FALSE(spec.blocks[4].paired);  // a return probe fires at return by itself
}

TEST_CASE("unknown fields suggest what the probe has") {
  CHECK(errors_of("on syscall read { count by pidd }") ==
        "t.obs:1:28: error: unknown field 'pidd' in a syscall block; did you mean 'pid'?\n"
        "  on syscall read { count by pidd }\n                             ^~~~\n");
  CHECK(errors_of("on syscall read { print args.cont }") ==
        "t.obs:1:25: error: 'args.cont' is not an argument of read\n"
        "  on syscall read { print args.cont }\n                          ^~~~~~~~~\n"
        "  note: read(fd, buf, count)\n");
}

TEST_CASE("fd needs every syscall of the block to have one") {
  CHECK(errors_of("on syscall io { count by fd }").find("'fd' is not an argument of open, openat, creat") !=
        std::string::npos);
}

TEST_CASE("fields that a probe kind does not have") {
  CHECK(errors_of("on profile 99hz { hist latency }") ==
        "t.obs:1:24: error: field 'latency' is not available in a profile block: it has no return\n"
        "  on profile 99hz { hist latency }\n                         ^~~~~~~\n");
  CHECK(errors_of("on uretprobe f in \"/x\" { hist latency }").find("the entry is not traced") != std::string::npos);
  CHECK(errors_of("on uretprobe f in \"/x\" { print arg0 }").find("arguments are gone at the return") !=
        std::string::npos);
  CHECK(errors_of("on tracepoint sched:sched_switch { print syscall }").find("only syscall blocks have it") !=
        std::string::npos);
}

TEST_CASE("types and units") {
  CHECK(errors_of("on syscall read { hist comm }").find("hist needs a number; 'comm' is not one") != std::string::npos);
  CHECK(errors_of("on syscall read { hist ret in ms }").find("'ret' is not a time, so it has no unit") !=
        std::string::npos);
  CHECK(errors_of("on syscall read where comm > \"a\" { count }").find("text compares only with == and !=") !=
        std::string::npos);
  CHECK(errors_of("on syscall read where comm == 3 { count }")
            .find("'comm' is text, so it compares with a quoted string") != std::string::npos);
  CHECK(errors_of("on syscall read where pid == \"a\" { count }")
            .find("'pid' is a number, so it compares with a number") != std::string::npos);
}

TEST_CASE("durations and windows") {
  CHECK(errors_of("duration 0s metrics rps").find("a duration must be longer than 0") != std::string::npos);
  CHECK(errors_of("window 2s duration 1s metrics rps").find("the window is longer than the whole run") !=
        std::string::npos);
  auto spec = checked("duration 1h window 250ms metrics rps");
  CHECK(*spec.duration_ms == 3600000);
  CHECK(*spec.window_ms == 250);
}

TEST_CASE("targets are validated before they reach the program") {
  CHECK(errors_of("target pid 0 metrics rps").find("'0' is not a valid process id") != std::string::npos);
  CHECK(errors_of("target pid 4194305 metrics rps").find("not a valid process id") != std::string::npos);
  CHECK(errors_of("target comm \"a-name-longer-than-15\" metrics rps").find("1 to 15 printable characters") !=
        std::string::npos);
  CHECK(errors_of("target comm \"a\\nb\" metrics rps").find("1 to 15 printable characters") != std::string::npos);
  CHECK(errors_of("target container \"web; rm -rf /\" metrics rps").find("a container name starts with") !=
        std::string::npos);
  CHECK(errors_of("target container \"$(id)\" metrics rps").find("a container name starts with") != std::string::npos);
  CHECK(errors_of("target cgroup \"../../etc\" metrics rps").find("without '..'") != std::string::npos);
  CHECK(errors_of("target command \"a\\nb\" metrics rps").find("printable") != std::string::npos);
}

TEST_CASE("hostile uprobe paths and symbols are refused") {
  CHECK(errors_of("on uprobe f in \"/bin/x\\\":sym\" { count }") ==
        "t.obs:1:16: error: a binary is named with only letters, digits and '/', '.', '_', '+', '-', and no '..'\n"
        "  on uprobe f in \"/bin/x\\\":sym\" { count }\n"
        "                 ^~~~~~~~~~~~~~\n");
  CHECK(errors_of("on uprobe f in \"/usr/../bin/sh\" { count }").find("and no '..'") != std::string::npos);
  CHECK(errors_of("on uprobe \"f { system(\\\"x\\\") }\" in \"/bin/x\" { count }")
            .find("error: a function name may use only letters, digits, blanks and _ . $ : ~ ( ) < > , & [ ] + -, "
                  "with '*' and '?' as wildcards") != std::string::npos);
  CHECK(errors_of("on kprobe \"a::b\" { count }").find("a kernel function name may use only") != std::string::npos);
}

TEST_CASE("uprobe functions are looked up in the binary, by C++ name, signature or glob") {
  const std::string target = UPROBE_TARGET;
  const std::string in = " in \"" + target + "\"";
  CHECK(errors_of("on uprobe shop::Cart::total" + in + " { count }") == "");
  CHECK(errors_of("on uprobe \"shop::Cart::add(int)\"" + in + " { count }") == "");
  CHECK(errors_of("on uprobe \"shop::*\"" + in + " { count }") == "");
  std::string ambiguous = errors_of("on uprobe shop::Cart::add" + in + " { count }");
  CHECK(ambiguous.find("t.obs:1:11: error: 'shop::Cart::add' is ambiguous in '" + target +
                       "': name one with its parameter list, e.g. 'shop::Cart::add(int)', or use a glob\n") == 0);
  CHECK(ambiguous.find("  note: shop::Cart::add(int)\n") != std::string::npos);
  CHECK(errors_of("on uprobe shop::Cart::totl" + in + " { count }")
            .find("t.obs:1:11: error: no function 'shop::Cart::totl' in '" + target + "'\n") == 0);
  CHECK(errors_of("on uprobe f in \"relative/x\" { count }") ==
        "t.obs:1:16: error: give an absolute path instead of 'relative/x', or a bare program name to look up in PATH\n"
        "  on uprobe f in \"relative/x\" { count }\n"
        "                 ^~~~~~~~~~~~\n");
  CHECK(errors_of("on uprobe main in \"/etc/passwd\" { count }").find("error: '/etc/passwd' is not an ELF file") !=
        std::string::npos);
}

TEST_CASE("metrics and options") {
  CHECK(errors_of("metrics rsp").find("unknown metric 'rsp'; did you mean 'rps'?") != std::string::npos);
  CHECK(errors_of("metrics rps, rps").find("metric 'rps' is listed twice") != std::string::npos);
  CHECK(errors_of("option syscall_probe = kprobe metrics rps").find("did you mean 'syscall_probes'?") !=
        std::string::npos);
  CHECK(errors_of("option syscall_probes = kprob metrics rps").find("did you mean 'kprobe'?") != std::string::npos);
  auto spec = checked("metrics latency, slack");
  CHECK(spec.metrics.has(Metric::latency));
  CHECK(spec.metrics.has(Metric::slack));
  CHECK_FALSE(spec.metrics.has(Metric::rps));
  CHECK(spec.metrics.wait.size() == 7);
}

TEST_CASE("result names: derived, unique, and never ebpfgen's own") {
  auto spec = checked("on syscall read { count by comm\n count by comm\n hist latency in ms\n sum args.count by pid }");
  CHECK(test::result_maps(spec.blocks[0]) ==
        std::vector<std::string>{"count_by_comm", "count_by_comm_2", "hist_latency_ms", "sum_args_count_by_pid"});
  CHECK(errors_of("on syscall read { count as _x }").find("'_x' is reserved") != std::string::npos);
  CHECK(errors_of("on syscall read { count as responses }").find("'responses' is reserved") != std::string::npos);
  CHECK(errors_of("on syscall read { count as a\n count as a }").find("a result named 'a' already exists") !=
        std::string::npos);
}

TEST_CASE("every problem is reported, not just the first") {
  std::string text = errors_of("on syscall reed { count }\non syscall writ { count }");
  CHECK(text.find("'reed'") != std::string::npos);
  CHECK(text.find("'writ'") != std::string::npos);
}

TEST_CASE("an empty spec is an error") {
  CHECK(errors_of("# nothing\n") == "t.obs:1:1: error: the spec traces nothing: add a 'metrics' line, 'io posix' or an 'on' block\n"
                                    "  # nothing\n  ^\n");
}

TEST_CASE("function arguments stop at arg5, as x86-64 registers do") {
  CHECK(errors_of("on kprobe vfs_read { print arg5 }") == "");
  CHECK(errors_of("on kprobe vfs_read { print arg7 }").find("unknown field 'arg7'") != std::string::npos);
}

TEST_CASE("arguments by name: any place for tracepoints, one place for kprobe-style probes") {
  CHECK(errors_of("on syscall open, openat { print args.filename }") == "");
  CHECK(errors_of("option syscall_probes = kprobe\non syscall open, openat { print args.filename }")
            .find("'args.filename' is not in the same place in every syscall of this block") != std::string::npos);
}

TEST_CASE("a uprobe glob may not match more functions than bpftrace attaches") {
  std::string e = errors_of("on uprobe \"std::*\" in libstdc++ { count }");
  CHECK(e.find("t.obs:1:11: error: 'std::*' matches ") == 0);
  CHECK(e.find(" functions; bpftrace attaches at most 512 probes: narrow it\n") != std::string::npos);
}

TEST_CASE("a pid with leading zeros is that pid in decimal, never octal") {
  // bpftrace reads `pid == 0100` as pid 64, and `pid == 08` as a syntax error.
  CHECK(test::program("target pid 0100\non syscall read { count }").find("/pid == 100/") != std::string::npos);
  CHECK(test::checked("target pid 008\non syscall read { count }").target.value == "8");
  CHECK(errors_of("target pid 000\non syscall read { count }") ==
        "t.obs:1:12: error: '000' is not a valid process id (1 to 4194304)\n"
        "  target pid 000\n"
        "             ^~~\n");
}

TEST_CASE("durations and windows are at most a year, so no time wraps around in the program") {
  CHECK(errors_of("duration 18446744073710ms\non syscall read { count }") ==
        "t.obs:1:10: error: a duration is at most 8760h (a year)\n"
        "  duration 18446744073710ms\n"
        "           ^~~~~~~~~~~~~~~~\n");
  CHECK(errors_of("window 8761h\non syscall read { count }").find("error: a window is at most 8760h (a year)") !=
        std::string::npos);
  CHECK(errors_of("duration 8760h\non syscall read { count }") == "");
}

TEST_CASE("what bpftrace 0.17 would reject is rejected at the spec's line and column") {
  std::string long_text(64, 'a');
  CHECK(errors_of("on syscall openat where args.filename == \"" + long_text + "\" { count }") ==
        "t.obs:1:42: error: this string has 64 bytes; bpftrace's strings hold at most 63 (BPFTRACE_STRLEN is 64, "
        "with the closing NUL)\n"
        "  on syscall openat where args.filename == \"" + long_text + "\" { count }\n"
        "                                           ^" + std::string(65, '~') + "\n");
  CHECK(errors_of("on syscall openat where args.filename == \"" + std::string(63, 'a') + "\" { count }") == "");
  CHECK(errors_of("on syscall read { lhist ret from -10 to 100 step 10 }") ==
        "t.obs:1:19: error: a linear histogram starts at 0 or above (bpftrace's lhist() min must be non-negative)\n"
        "  on syscall read { lhist ret from -10 to 100 step 10 }\n"
        "                    ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
  CHECK(errors_of("on kprobe vfs$read { count }") ==
        "t.obs:1:11: error: a kernel function name may use only letters, digits, '_' and '.', with '*' as a "
        "wildcard ('?' and '$' are bpftrace syntax errors)\n"
        "  on kprobe vfs$read { count }\n"
        "            ^~~~~~~~\n");
  CHECK(errors_of("on kprobe \"vfs_rea?\" { count }") ==
        "t.obs:1:11: error: a kernel function name may use only letters, digits, '_' and '.', with '*' as a "
        "wildcard ('?' and '$' are bpftrace syntax errors)\n"
        "  on kprobe \"vfs_rea?\" { count }\n"
        "            ^~~~~~~~~~\n");
  CHECK(errors_of("on kprobe \"vfs_*\" { count }") == "");
  CHECK(errors_of("on syscall read { lhist ret from 0 to 10 step 11 }") ==
        "t.obs:1:19: error: a linear histogram's step is at most HIGH - LOW (bpftrace's lhist() step is too large "
        "for the given range)\n"
        "  on syscall read { lhist ret from 0 to 10 step 11 }\n"
        "                    ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
  CHECK(errors_of("on syscall read { lhist ret from 0 to 10 step 10 }") == "");
}

TEST_CASE("names too long for the kernel are refused before they reach a regex or the file system") {
  CHECK(errors_of("on kprobe " + std::string(30000, 'a') + " { count }").find(
            "t.obs:1:11: error: a kernel function name has at most 512 characters\n") == 0);
  CHECK(errors_of("on tracepoint " + std::string(4069, 'a') + ":* { count }").find(
            "t.obs:1:15: error: a tracepoint's category and event have at most 255 characters each\n") == 0);
}

TEST_CASE("conditions nest at most 32 deep") {
  auto nested = [](int depth) {
    return "on syscall read where " + std::string(depth, '(') + "ret > 0" + std::string(depth, ')') + " { count }";
  };
  CHECK(errors_of(nested(32)) == "");
  CHECK(errors_of(nested(33)).find("t.obs:1:56: error: conditions nest too deeply: at most 32 levels of 'not' and "
                                   "parentheses\n") == 0);
}

TEST_CASE("option map_keys: a number of keys in bpftrace's range, written in decimal") {
  CHECK(checked("option map_keys = 65536 on syscall read { count by tid }").map_keys == 65536u);
  CHECK_FALSE(checked("on syscall read { count }").map_keys.has_value());
  const char* range = "map_keys is the number of keys each map holds (bpftrace's BPFTRACE_MAP_KEYS_MAX), from 1 to 1048576";
  CHECK(errors_of("option map_keys = 0 metrics rps") ==
        fmt::format("t.obs:1:19: error: {}, not '0'\n  option map_keys = 0 metrics rps\n                    ^\n", range));
  CHECK(errors_of("option map_keys = 1048577 metrics rps").find(fmt::format("{}, not '1048577'", range)) != std::string::npos);
  CHECK(errors_of("option map_keys = 010 metrics rps").find(fmt::format("{}, not '010'", range)) != std::string::npos);
  CHECK(errors_of("option map_keys = many metrics rps").find(fmt::format("{}, not 'many'", range)) != std::string::npos);
  CHECK(errors_of("option map_keys = 99999999999999999999999 metrics rps").find("not '99999999999999999999999'") !=
        std::string::npos);
  CHECK(errors_of("option request_probes = 4096 metrics rps").find("request_probes is socket or syscall, not '4096'") !=
        std::string::npos);
}

TEST_CASE("spans: keys paired in order and of one type, duration only at a span's end") {
  auto spec = checked("span runq from tracepoint sched:sched_wakeup key args.pid\n"
                      "  to tracepoint sched:sched_switch key args.next_pid { hist duration }");
  REQUIRE(spec.blocks.size() == 2);
  CHECK(spec.blocks[0].span->role == ast::SpanSide::Role::Start);
  CHECK(spec.blocks[1].span->role == ast::SpanSide::Role::End);
  CHECK(test::result_maps(spec.blocks[1]) == std::vector<std::string>{"hist_duration_us"});
  // A start keyed by a return value fires at the return.
  CHECK(checked("span c from syscall accept4 key pid, ret to syscall close key pid, args.fd { count }").blocks[0].paired);
  CHECK(errors_of("span c from syscall accept4 key pid, ret to syscall close key args.fd { count }") ==
        "t.obs:1:63: error: the span's end has 1 key field and its start 2: they are paired in order\n"
        "  span c from syscall accept4 key pid, ret to syscall close key args.fd { count }\n"
        "                                                                ^~~~~~~\n");
  CHECK(errors_of("span c from syscall openat key args.filename to syscall close key args.fd { count }")
            .find("error: 'args.fd' is a number but the start's 'args.filename' is a string: a span pairs keys of one "
                  "type") != std::string::npos);
  CHECK(errors_of("on syscall read { hist duration }")
            .find("error: field 'duration' is not available in a syscall block: only a span's actions have one (span "
                  "NAME from ... to ... { hist duration })") != std::string::npos);
  CHECK(errors_of("span c from syscall accept key ret to syscall close key args.fd nth 0 { count }")
            .find("t.obs:1:69: error: nth counts end events from 1") != std::string::npos);
  CHECK(errors_of("span c from syscall accept key ret to syscall close key args.fd { }")
            .find("error: this span has no actions; add what to do with it, e.g. { hist duration }") != std::string::npos);
  CHECK(errors_of("span c from syscall accept key ret to syscall close key args.fd { count }\n"
                  "span c from syscall accept key ret to syscall close key args.fd { count }")
            .find("t.obs:2:6: error: span 'c' is declared twice") != std::string::npos);
  CHECK(errors_of("span c from syscall accept to syscall close key args.fd { count }")
            .find("error: expected 'key' and the fields that pair the span's start with its end, e.g. key pid, ret") !=
        std::string::npos);
}

TEST_CASE("probe, and a kprobe's func, are text that bpftrace 0.17 compares with no string") {
  CHECK(errors_of("on syscall read where probe == \"tracepoint:syscalls:sys_enter_read\" { count }") ==
        "t.obs:1:23: error: 'probe' cannot be compared: bpftrace 0.17 gives it a type of its own, which compares with "
        "no string; give that probe a block of its own instead\n"
        "  on syscall read where probe == \"tracepoint:syscalls:sys_enter_read\" { count }\n"
        "                        ^~~~~\n");
  CHECK(errors_of("on syscall read where comm == probe { count }") ==
        "t.obs:1:31: error: 'probe' cannot be compared: bpftrace 0.17 gives it a type of its own, which compares with "
        "no string; give that probe a block of its own instead\n"
        "  on syscall read where comm == probe { count }\n"
        "                                ^~~~~\n");
  CHECK(errors_of("on kprobe vfs_read where func == \"vfs_read\" { count }") ==
        "t.obs:1:26: error: a kprobe's 'func' cannot be compared: bpftrace 0.17 makes it a kernel symbol (ksym), which "
        "compares with no string; name the function in the probe instead\n"
        "  on kprobe vfs_read where func == \"vfs_read\" { count }\n"
        "                           ^~~~\n");
  CHECK(errors_of("on kretprobe vfs_read where comm != func { count }").find(
            "t.obs:1:37: error: a kretprobe's 'func' cannot be compared") == 0);
  // As keys and in prints they work.
  CHECK(errors_of("on kprobe \"vfs_*\" { count by func, probe\n print func, probe }") == "");
  CHECK(errors_of("on uprobe shop::Cart::total in \"" UPROBE_TARGET "\" where func == \"shop::Cart::total\" { count }") ==
        "");
}

TEST_CASE("pointers print, compare and key as numbers, but bpftrace 0.17 aggregates only integers") {
  CHECK(errors_of("on syscall poll { sum args.ufds }") ==
        "t.obs:1:23: error: sum needs a number; 'args.ufds' is a pointer (struct pollfd *), and bpftrace 0.17's sum() "
        "takes only integers\n"
        "  on syscall poll { sum args.ufds }\n"
        "                        ^~~~~~~~~\n");
  CHECK(errors_of("on syscall poll { mean args.ufds }").find("'args.ufds' is a pointer (struct pollfd *), and bpftrace "
                                                               "0.17's stats() takes only integers") != std::string::npos);
  CHECK(errors_of("option syscall_probes = kprobe\non syscall poll { hist args.ufds }")
            .find("t.obs:2:24: error: hist needs a number; 'args.ufds' is a pointer") == 0);
  CHECK(errors_of("on syscall poll where args.ufds != 0 and ret > 0 { count by args.ufds\n print args.ufds }") == "");
  CHECK(errors_of("on syscall poll { sum args.nfds }") == "");
}

TEST_CASE("arrays other than char[] are neither numbers nor text to bpftrace 0.17") {
  if (!test::machine().tracepoint_fields("sock", "inet_sock_set_state")) {
    MESSAGE("skipped: no tracefs with sock:inet_sock_set_state");
    return;
  }
  const char* refused = "'args.saddr' is an array of numbers (__u8[4]), which bpftrace 0.17 can neither print, "
                        "compare, aggregate nor use as a key\n";
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state { count by args.saddr }") ==
        std::string("t.obs:1:51: error: ") + refused +
            "  on tracepoint sock:inet_sock_set_state { count by args.saddr }\n"
            "                                                    ^~~~~~~~~~\n");
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state where args.saddr == 0 { count }") ==
        std::string("t.obs:1:46: error: ") + refused +
            "  on tracepoint sock:inet_sock_set_state where args.saddr == 0 { count }\n"
            "                                               ^~~~~~~~~~\n");
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state { sum args.saddr }").find(refused) != std::string::npos);
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state { print args.saddr }").find(refused) != std::string::npos);
  // A pointer field: a key and a comparison, not a histogram.
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state where args.skaddr != 0 { count by args.skaddr }") == "");
  CHECK(errors_of("on tracepoint sock:inet_sock_set_state { hist args.skaddr }")
            .find("t.obs:1:47: error: hist needs a number; 'args.skaddr' is a pointer (const void *), and bpftrace "
                  "0.17's hist() takes only integers\n") == 0);
}

TEST_CASE("a tracepoint glob's fields are checked against every tracepoint it matches") {
  if (!test::machine().tracepoint_fields("sched", "sched_wakeup") ||
      !test::machine().tracepoint_fields("sched", "sched_switch")) {
    MESSAGE("skipped: no tracefs with the sched tracepoints");
    return;
  }
  std::string none = errors_of("on tracepoint sched:sched_wak* { count by args.prev_comm }");
  CHECK(none.find("t.obs:1:43: error: unknown tracepoint field 'args.prev_comm'\n"
                  "  on tracepoint sched:sched_wak* { count by args.prev_comm }\n"
                  "                                            ^~~~~~~~~~~~~~\n"
                  "  note: 'sched:sched_wak*' matches ") == 0);
  CHECK(none.find("sched:sched_wakeup, sched:sched_wakeup_new") != std::string::npos);
  std::string some = errors_of("on tracepoint sched:sched_switch, sched:sched_wakeup* { print args.prev_comm }");
  CHECK(some.find("t.obs:1:63: error: 'args.prev_comm' is not a field of every tracepoint of this block: "
                  "sched:sched_wakeup and sched:sched_wakeup_new lack it\n") == 0);
  CHECK(errors_of("on tracepoint sched:sched_wakeup* { count by args.comm, args.pid }") == "");
  CHECK(errors_of("on tracepoint sched:no_such_event_* { count }") ==
        "t.obs:1:15: error: no tracepoint matches 'sched:no_such_event_*'\n"
        "  on tracepoint sched:no_such_event_* { count }\n"
        "                ^~~~~~~~~~~~~~~~~~~~~\n"
        "  note: checked against the kernel tracefs\n");
  CHECK(checked("on tracepoint sched:sched_wakeup* { count }").blocks[0].points == 2);
}

namespace {

// The attach points of a generated program: one a line, BEGIN and END included.
std::size_t attach_lines(const std::string& program) {
  std::size_t n = 0;
  std::istringstream lines(program);
  for (std::string line; std::getline(lines, line);) {
    if (line == "BEGIN" || line == "END" ||
        (!line.empty() && std::islower(static_cast<unsigned char>(line[0])) && line.find(':') != std::string::npos)) {
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("the whole program stays within bpftrace's 512 probes") {
  std::string block = "on syscall io, send, recv, wait { hist latency by syscall }\n";
  std::string eight;
  for (int i = 0; i < 8; ++i) eight += block;
  CHECK(program_probes(checked(eight)) == 482);
  CHECK(errors_of(eight + block) ==
        "t.obs:9:4: error: with this block the program attaches 542 probes, over bpftrace's limit of 512 "
        "(BPFTRACE_MAX_PROBES)\n"
        "  on syscall io, send, recv, wait { hist latency by syscall }\n"
        "     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "  note: this block attaches 60: 30 syscalls, each with an entry and a return probe\n"
        "  note: before it: 482 (BEGIN, END and the blocks above)\n");
  // BEGIN, END, the clock and the request metrics count too; later blocks are counted in a note.
  CHECK(program_probes(checked("window 1s\n" + eight + "on syscall read { hist latency }")) == 485);
  std::string over = errors_of("duration 1s\nmetrics rps, slack\noption request_probes = syscall\n" + eight +
                               "on syscall read, write, openat, close, fsync, fdatasync { count }\non syscall read { count }");
  CHECK(over ==
        "t.obs:12:4: error: with this block the program attaches 513 probes, over bpftrace's limit of 512 "
        "(BPFTRACE_MAX_PROBES)\n"
        "  on syscall read, write, openat, close, fsync, fdatasync { count }\n"
        "     ^" + std::string(51, '~') + "\n"
        "  note: this block attaches 6: 6 syscalls\n"
        "  note: before it: 507 (BEGIN, END, the clock, the request metrics and the blocks above)\n"
        "  note: the whole program attaches 514\n");
  // Each probe of a program is one of its attach points: the count is what codegen writes.
  for (const char* spec :
       {"metrics rps, responses, saturation, slack, latency", "window 1s\nmetrics rps, latency\noption request_probes = syscall",
        "option syscall_probes = kprobe\nmetrics slack, responses\noption request_probes = syscall",
        "duration 2s\non syscall read, write where ret > 0 { count by syscall }\non syscall io { count }\non profile 99hz { count }",
        "metrics rps\non syscall send { hist latency }\non kprobe vfs_read { hist latency }\non kretprobe vfs_write { count }",
        "on uprobe \"shop::*\" in \"" UPROBE_TARGET "\" { hist latency by func }"}) {
    CAPTURE(spec);
    CHECK(program_probes(checked(spec)) == attach_lines(test::program(spec)));
  }
}

TEST_CASE("a uprobe glob counts each function it matches, with the program's other probes") {
  std::size_t functions = 0;
  try {
    std::string lib = ebpfgen::symbols::find_binary("libstdc++");
    functions = ebpfgen::symbols::resolve_function(ebpfgen::symbols::read_functions(lib), "std::__cxx11::basic_string*", lib)
                    .functions.size();
  } catch (const ebpfgen::symbols::Error&) {
  }
  if (functions != 512) {  // another libstdc++ than Debian 12's
    MESSAGE("skipped: this libstdc++ has not 512 functions std::__cxx11::basic_string*");
    return;
  }
  std::string e = errors_of("on uprobe \"std::__cxx11::basic_string*\" in libstdc++ { count }");
  CHECK(e == "t.obs:1:4: error: with this block the program attaches 514 probes, over bpftrace's limit of 512 "
             "(BPFTRACE_MAX_PROBES)\n"
             "  on uprobe \"std::__cxx11::basic_string*\" in libstdc++ { count }\n"
             "     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
             "  note: this block attaches 512: 512 functions\n"
             "  note: before it: 2 (BEGIN and END)\n");
}

TEST_CASE("a cgroup target's directory must exist: bpftrace looks it up when it compiles the program") {
  std::string dir = test::machine().cgroup2 + "/ebpfgen-no-such-cgroup";
  CHECK(errors_of("target cgroup \"ebpfgen-no-such-cgroup\"\non syscall read { count }") ==
        "t.obs:1:15: error: cgroup 'ebpfgen-no-such-cgroup' does not exist: no directory " + dir +
            " (bpftrace's cgroupid() reads it when the program is compiled)\n"
            "  target cgroup \"ebpfgen-no-such-cgroup\"\n"
            "                ^~~~~~~~~~~~~~~~~~~~~~~~\n");
  // The mount point itself exists wherever cgroup v2 is mounted.
  CHECK(checked("target cgroup \"/\"\non syscall read { count }").cgroup_directory == test::machine().cgroup2);
}

TEST_CASE("a uprobe binary under /proc/self is refused: ebpfgen and bpftrace would each read their own") {
  CHECK(errors_of("on uprobe main in \"/proc/self/exe\" { count }") ==
        "t.obs:1:19: error: '/proc/self/exe' is a different file for each process that opens it: ebpfgen would read its "
        "own, and bpftrace, which opens it again to attach, its own; give the binary's own path\n"
        "  on uprobe main in \"/proc/self/exe\" { count }\n"
        "                    ^~~~~~~~~~~~~~~~\n");
  for (const char* path : {"/proc/thread-self/exe", "//proc/./self/exe", "/dev/fd/3", "/proc/self/root/usr/bin/bash"}) {
    CAPTURE(path);
    CHECK(errors_of(fmt::format("on uprobe main in \"{}\" {{ count }}", path))
              .find("is a different file for each process that opens it") != std::string::npos);
  }
  CHECK(errors_of("on uretprobe readline in \"/usr/bin/bash\" { count }") == "");
}

namespace {

std::string repeated(const std::string& item, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? ", " : "") + item;
  return out;
}

std::size_t stack_of(const std::string& text) {
  auto spec = checked(text);
  return ebpfgen::stack_estimate(spec.blocks.at(0), spec);
}

}  // namespace

TEST_CASE("prints and keys fit bpftrace 0.17's 512-byte BPF stack, as measured") {
  // The measured limits: 62 numbers in a printf or a map key, 6 strings, 30 comm.
  CHECK(stack_of("on syscall openat { print " + repeated("pid", 62) + " }") == 512);
  CHECK(stack_of("on syscall openat { count by " + repeated("pid", 62) + " }") == 512);
  CHECK(stack_of("on syscall openat { print " + repeated("args.filename", 6) + " }") == 464);
  CHECK(stack_of("on syscall openat { print " + repeated("comm", 30) + " }") == 512);
  CHECK(errors_of("on syscall openat { print " + repeated("comm", 30) + " }") == "");
  std::string ints = "on syscall openat { print " + repeated("pid", 63) + " }";
  CHECK(errors_of(ints) ==
        "t.obs:1:21: error: this print needs about 520 bytes of BPF stack, over the 512 a BPF program has (bpftrace 0.17: "
        "\"BPF stack limit of 512 bytes is exceeded\")\n"
        "  " + ints + "\n"
        "                      ^" + std::string(ints.size() - 23, '~') + "\n"
        "  note: as measured with bpftrace 0.17: 16 bytes, 8 for each number, 16 for each comm, 64 for each string, and "
        "one buffer for the longest text the probe reads\n"
        "  note: print fewer fields, or split them over several prints\n");
  CHECK(errors_of("on syscall openat { print " + repeated("args.filename", 7) + " }")
            .find("t.obs:1:21: error: this print needs about 528 bytes of BPF stack") == 0);
  CHECK(errors_of("on syscall openat { print " + repeated("comm", 31) + " }")
            .find("t.obs:1:21: error: this print needs about 528 bytes of BPF stack") == 0);
  CHECK(errors_of("on syscall openat {\n  count by " + repeated("pid", 63) + "\n}")
            .find("t.obs:2:3: error: the keys of this count need about 520 bytes of BPF stack, over the 512 a BPF program "
                  "has (bpftrace 0.17: \"BPF stack limit of 512 bytes is exceeded\")\n") == 0);
  // Strings saved at entry cost the return probe more; so does a predicate of two texts.
  // (bpftrace 0.17 takes 9 numbers beside two saved strings, and 60 beside two comm tests.)
  CHECK(errors_of("on syscall renameat { print args.oldname, args.newname, ret, " + repeated("pid", 9) + " }") == "");
  CHECK(errors_of("on syscall renameat { print args.oldname, args.newname, ret, " + repeated("pid", 10) + " }")
            .find("error: this print needs about 520 bytes of BPF stack") != std::string::npos);
  CHECK(errors_of("on syscall openat where comm == \"a\" or comm == \"b\" { print " + repeated("pid", 60) + " }") == "");
  CHECK(errors_of("on syscall openat where comm == \"a\" or comm == \"b\" { print " + repeated("pid", 61) + " }") != "");
  // Separate statements share the stack.
  CHECK(errors_of("on syscall openat { print " + repeated("pid", 62) + "\n print " + repeated("pid", 62) + " }") == "");
}

TEST_CASE("a prefix test takes text and a printable prefix of 1 character up to what the field holds") {
  CHECK(errors_of("on syscall openat where comm starts with \"py\" or args.filename starts with \"/etc/\" { count }") == "");
  CHECK(errors_of("on syscall read, write where syscall starts with \"wr\" { count by syscall }") == "");
  CHECK(errors_of("on uprobe shop::Cart::total in \"" UPROBE_TARGET "\" where func starts with \"shop::\" { count }") == "");
  CHECK(errors_of("on syscall read where comm starts with \"abcdefghijklmno\" { count }") == "");  // 15: a whole name
  CHECK(errors_of("on syscall read where comm starts with \"\" { count }") ==
        "t.obs:1:40: error: the prefix is empty, so every text starts with it; give at least one character\n"
        "  on syscall read where comm starts with \"\" { count }\n"
        "                                         ^~\n");
  CHECK(errors_of("on syscall read where comm starts with \"abcdefghijklmnop\" { count }") ==
        "t.obs:1:40: error: a process name has at most 15 characters, so none starts with this 16-character prefix\n"
        "  on syscall read where comm starts with \"abcdefghijklmnop\" { count }\n"
        "                                         ^~~~~~~~~~~~~~~~~~\n");
  CHECK(errors_of("on syscall read where ret starts with \"1\" { count }") ==
        "t.obs:1:23: error: 'ret' is a number, and 'starts with' tests text; compare it with ==, !=, <, <=, > or >=\n"
        "  on syscall read where ret starts with \"1\" { count }\n"
        "                        ^~~\n");
  CHECK(errors_of("on syscall read where comm starts with \"a\\tb\" { count }") ==
        "t.obs:1:40: error: strings in conditions must be printable\n"
        "  on syscall read where comm starts with \"a\\tb\" { count }\n"
        "                                         ^~~~~~\n");
  std::string long_prefix(64, 'a');
  CHECK(errors_of("on syscall openat where args.filename starts with \"" + long_prefix + "\" { count }")
            .find("t.obs:1:51: error: this prefix has 64 bytes; bpftrace's strings hold at most 63 (BPFTRACE_STRLEN is "
                  "64, with the closing NUL)\n") == 0);
  CHECK(errors_of("on syscall read where kstack starts with \"a\" { count }").find("error: stacks cannot be compared") !=
        std::string::npos);
  CHECK(errors_of("on syscall read where probe starts with \"t\" { count }").find("error: 'probe' cannot be compared") !=
        std::string::npos);
  CHECK(errors_of("on kprobe vfs_read where func starts with \"vfs\" { count }")
            .find("error: a kprobe's 'func' cannot be compared") != std::string::npos);
  // A char[N] tracepoint field holds at most N characters (read from tracefs, where there is one).
  if (test::machine().tracepoint_fields("sched", "sched_switch")) {
    CHECK(errors_of("on tracepoint sched:sched_switch where args.prev_comm starts with \"abcdefghijklmnop\" { count }") ==
          "");
    CHECK(errors_of("on tracepoint sched:sched_switch where args.prev_comm starts with \"abcdefghijklmnopq\" { count }") ==
          "t.obs:1:67: error: 'args.prev_comm' holds at most 16 characters (char[16]), so it never starts with this "
          "17-character prefix\n"
          "  on tracepoint sched:sched_switch where args.prev_comm starts with \"abcdefghijklmnopq\" { count }\n"
          "                                                                    ^~~~~~~~~~~~~~~~~~~\n");
  } else {
    MESSAGE("skipped the char[N] cases: no tracefs with sched:sched_switch");
  }
}

TEST_CASE("a target by a name's prefix has 1 to 15 printable characters") {
  CHECK(errors_of("target comm starts with \"model\" metrics rps") == "");
  CHECK(errors_of("target comm starts with \"abcdefghijklmno\" metrics rps") == "");
  for (const char* bad : {"\"\"", "\"abcdefghijklmnop\"", "\"a\\nb\""}) {
    CHECK(errors_of(std::string("target comm starts with ") + bad + " metrics rps")
              .find("t.obs:1:25: error: a process name's prefix has 1 to 15 printable characters (the kernel keeps no "
                    "more of a name), so this one would never match\n") == 0);
  }
}
