// What each grammar rule reached through must<> says when it fails, and the
// words worth suggesting there ("did you mean ...?"). Every such rule needs
// an entry: the control below refuses to compile without one.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar/grammar.hpp"

namespace ebpfgen::grammar {

template <typename Rule> inline constexpr const char* error_message = nullptr;
template <typename Rule> inline constexpr const char* suggested_words = "";

#define EBPFGEN_ERROR(rule, text) template <> inline constexpr const char* error_message<rule> = text
#define EBPFGEN_WORDS(rule, words) template <> inline constexpr const char* suggested_words<rule> = words

EBPFGEN_ERROR(escape, "unknown escape in string; use \\\", \\\\, \\n or \\t");
EBPFGEN_ERROR(string_end, "unterminated string: expected a closing '\"' before the end of the line");
EBPFGEN_ERROR(target_kind, "expected a target: all, pid N, comm \"NAME\", cgroup \"PATH\", container \"NAME\" or command \"PROGRAM ARGS\"");
EBPFGEN_WORDS(target_kind, "all pid comm cgroup container command");
EBPFGEN_ERROR(pid_number, "expected a process id (a positive whole number)");
EBPFGEN_ERROR(comm_name, "expected a quoted process name, e.g. comm \"nginx\", or comm starts with \"model\"");
EBPFGEN_ERROR(cgroup_path, "expected a quoted cgroup v2 path, e.g. cgroup \"/sys/fs/cgroup/unified/web\"");
EBPFGEN_ERROR(container_name, "expected a quoted container name, e.g. container \"web\"");
EBPFGEN_ERROR(runtime_name, "expected a container runtime: docker, podman, nerdctl or crictl");
EBPFGEN_WORDS(runtime_name, "docker podman nerdctl crictl");
EBPFGEN_ERROR(command_line, "expected a quoted command, e.g. command \"redis-server --port 7000\"");
EBPFGEN_ERROR(duration_value, "expected a duration such as 500ms, 30s, 5m or 1h");
EBPFGEN_ERROR(option_name, "expected an option name, e.g. option syscall_probes = kprobe");
EBPFGEN_ERROR(option_equals, "expected '=' after the option name");
EBPFGEN_ERROR(option_value, "expected the option's value, e.g. option syscall_probes = kprobe");
EBPFGEN_ERROR(metric_name, "expected a metric name: rps, responses, saturation, slack or latency");
EBPFGEN_ERROR(probe, "expected a probe: syscall, tracepoint, uprobe, uretprobe, kprobe, kretprobe or profile");
EBPFGEN_WORDS(probe, "syscall tracepoint uprobe uretprobe kprobe kretprobe profile");
EBPFGEN_ERROR(syscall_name, "expected a syscall name or group (send, recv, wait, io)");
EBPFGEN_ERROR(tracepoint_name, "expected a tracepoint as category:name, e.g. sched:sched_switch");
EBPFGEN_ERROR(function_name, "expected a function name, e.g. readline, std::ostream::flush or \"ns::f(int)\"");
EBPFGEN_ERROR(in_binary, "expected 'in' and the binary, e.g. uprobe readline in bash");
EBPFGEN_WORDS(in_binary, "in");
EBPFGEN_ERROR(binary_path, "expected the binary: a path, a program on PATH or a library, e.g. \"/bin/bash\", bash, libc");
EBPFGEN_ERROR(profile_rate, "expected a sampling rate such as 99hz");
EBPFGEN_ERROR(compare_op, "expected a comparison operator: ==, !=, <, <=, > or >=, or 'starts with'");
EBPFGEN_WORDS(compare_op, "starts");
EBPFGEN_ERROR(with_keyword, "expected 'with' after 'starts', e.g. comm starts with \"model\"");
EBPFGEN_WORDS(with_keyword, "with");
EBPFGEN_ERROR(prefix_value, "expected a quoted prefix, e.g. comm starts with \"model\"");
EBPFGEN_ERROR(compared_value, "expected a number, a quoted string or a field to compare with");
EBPFGEN_ERROR(or_cond, "expected a condition such as ret > 0, fd == 3, comm == \"nginx\" or socket");
EBPFGEN_ERROR(and_cond, "expected a condition such as ret > 0, fd == 3, comm == \"nginx\" or socket");
EBPFGEN_ERROR(condition_atom, "expected a condition such as ret > 0, fd == 3, comm == \"nginx\" or socket");
EBPFGEN_ERROR(close_paren, "expected ')' to close the parenthesis");
EBPFGEN_ERROR(condition_too_deep, "conditions nest too deeply: at most 32 levels of 'not' and parentheses");
static_assert(max_condition_depth == 32, "say the new depth in condition_too_deep's message");
EBPFGEN_ERROR(unit, "expected a time unit: ns, us, ms or s");
EBPFGEN_WORDS(unit, "ns us ms s");
EBPFGEN_ERROR(value, "expected a field to aggregate, e.g. hist ret or hist latency in ms");
EBPFGEN_ERROR(print_item, "expected a field or a quoted string to print");
EBPFGEN_ERROR(key, "expected a field to group by, e.g. count by comm");
EBPFGEN_ERROR(map_name, "expected a name for the result, e.g. count as reads");
EBPFGEN_ERROR(lhist_from, "expected the linear histogram's range: from LOW to HIGH step SIZE");
EBPFGEN_WORDS(lhist_from, "from");
EBPFGEN_ERROR(lhist_to, "expected 'to HIGH' in the linear histogram's range: from LOW to HIGH step SIZE");
EBPFGEN_WORDS(lhist_to, "to");
EBPFGEN_ERROR(lhist_by_step, "expected 'step SIZE' in the linear histogram's range: from LOW to HIGH step SIZE");
EBPFGEN_WORDS(lhist_by_step, "step");
EBPFGEN_ERROR(lhist_low, "expected a whole number for the histogram's low end");
EBPFGEN_ERROR(lhist_high, "expected a whole number for the histogram's high end");
EBPFGEN_ERROR(lhist_step, "expected a positive whole number for the bucket size");
EBPFGEN_ERROR(block_open, "expected 'where CONDITION' or '{' to start the block's actions");
EBPFGEN_WORDS(block_open, "where");
EBPFGEN_ERROR(block_close, "expected an action (print, count, sum, min, max, mean, stats, hist, lhist) or '}' to close the block");
EBPFGEN_WORDS(block_close, "print count sum min max mean stats hist lhist");
EBPFGEN_ERROR(span_name, "expected the span's name, e.g. span conn from syscall accept4 ...");
EBPFGEN_ERROR(span_from_kw, "expected 'from' and the probe that starts the span");
EBPFGEN_WORDS(span_from_kw, "from");
EBPFGEN_ERROR(span_to_kw, "expected 'to' and the probe that ends the span");
EBPFGEN_WORDS(span_to_kw, "to");
EBPFGEN_ERROR(span_key, "expected 'key' and the fields that pair the span's start with its end, e.g. key pid, ret");
EBPFGEN_WORDS(span_key, "key where");
EBPFGEN_ERROR(span_key_field, "expected a field to key the span by, e.g. key args.pid");
EBPFGEN_ERROR(span_nth_value, "expected which end event ends the span, a whole number: nth 3");
EBPFGEN_ERROR(span_open, "expected 'nth N' or '{' to start the span's actions");
EBPFGEN_WORDS(span_open, "nth");
EBPFGEN_ERROR(io_module, "expected an I/O module after 'io': posix");
EBPFGEN_WORDS(io_module, "posix");
EBPFGEN_ERROR(io_prefix, "expected a quoted path prefix, e.g. exclude \"/scratch/tmp/\"");
EBPFGEN_ERROR(end_of_spec, "expected a statement: target, duration, window, option, metrics, io, on or span");
EBPFGEN_WORDS(end_of_spec, "target duration window option metrics io on span");

#undef EBPFGEN_ERROR
#undef EBPFGEN_WORDS

// A parse_error that also carries the rule's suggested words.
struct syntax_error : p::parse_error {
  template <typename Input>
  syntax_error(const char* message, const char* words, const Input& in)
      : p::parse_error(message, in), words(words) {}
  const char* words;
};

// Turns a failed must<> into a syntax_error with the rule's message.
template <typename Rule>
struct control : p::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    static_assert(error_message<Rule> != nullptr, "add an error_message for this rule in grammar/errors.hpp");
    throw syntax_error(error_message<Rule>, suggested_words<Rule>, in);
  }
};

}  // namespace ebpfgen::grammar
