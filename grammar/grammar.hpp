// The .obs spec grammar (PEGTL). One rule per line with a comment; every
// rule that follows a commitment point (a keyword, an opening bracket) is
// reached through `then<>`, and has its own message in errors.hpp.
// grammar/obs.ebnf is the readable form of the same grammar.
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

namespace ebpfgen::grammar {

namespace p = tao::pegtl;

// --- Lexical ----------------------------------------------------------------
struct comment : p::seq<p::one<'#'>, p::until<p::eolf>> {};            // # to end of line
struct _ : p::star<p::sor<p::space, comment>> {};                       // blanks and comments
// After a commitment: Rule must follow. On failure the error points at the
// start of what stands there (Rule is rewound by sor before raise).
template <typename Rule> struct then : p::seq<_, p::sor<Rule, p::raise<Rule>>> {};
struct identifier : p::identifier {};                                   // name, syscall, field part
struct digits : p::plus<p::digit> {};                                   // unsigned number
struct integer : p::seq<p::opt<p::one<'-'>>, digits> {};                // signed number
struct escape : p::one<'"', '\\', 'n', 't'> {};                         // after a backslash
struct string_char : p::sor<p::seq<p::one<'\\'>, p::must<escape>>,
                            p::not_one<'"', '\\', '\n', '\r'>> {};      // one character in quotes
struct string_end : p::one<'"'> {};                                     // closing quote
struct string : p::seq<p::one<'"'>, p::star<string_char>, p::must<string_end>> {};  // "text"
struct list_sep : p::seq<_, p::one<','>> {};                            // comma in lists

// Conditions nest (`not`, parentheses) at most this deep. Every stage walks
// them recursively, the parser first: without a bound, a few thousand '('
// overflow the stack.
inline constexpr int max_condition_depth = 32;
inline thread_local int condition_depth = 0;  // atoms around the one being matched now
struct condition_too_deep : p::failure {};    // its error (errors.hpp); never matches
// Rule, one level deeper; past the limit, an error at the atom that goes too deep.
template <typename Rule>
struct nested {
  using rule_t = nested;
  using subs_t = p::type_list<Rule>;
  template <p::apply_mode A, p::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    if (condition_depth > max_condition_depth) Control<condition_too_deep>::raise(in, st...);
    struct level {
      level() { ++condition_depth; }
      ~level() { --condition_depth; }
    } deeper;
    return Control<Rule>::template match<A, M, Action, Control>(in, st...);
  }
};

// --- Keywords ----------------------------------------------------------------
struct kw_target : TAO_PEGTL_KEYWORD("target") {};
struct kw_duration : TAO_PEGTL_KEYWORD("duration") {};
struct kw_window : TAO_PEGTL_KEYWORD("window") {};
struct kw_option : TAO_PEGTL_KEYWORD("option") {};
struct kw_metrics : TAO_PEGTL_KEYWORD("metrics") {};
struct kw_on : TAO_PEGTL_KEYWORD("on") {};
struct kw_where : TAO_PEGTL_KEYWORD("where") {};
struct kw_span : TAO_PEGTL_KEYWORD("span") {};

// --- Fields and values -------------------------------------------------------
struct field : p::seq<identifier, p::opt<p::one<'.'>, identifier>> {};  // pid, args.fd
struct operand : p::sor<string, integer, field> {};                     // right side of a comparison
struct unit : p::sor<TAO_PEGTL_KEYWORD("ns"), TAO_PEGTL_KEYWORD("us"),
                     TAO_PEGTL_KEYWORD("ms"), TAO_PEGTL_KEYWORD("s")> {};  // time unit
struct value_unit : p::seq<_, TAO_PEGTL_KEYWORD("in"), then<unit>> {};    // in ms
struct value : p::seq<field, p::opt<value_unit>> {};                    // aggregated field

// --- Target ------------------------------------------------------------------
struct pid_number : digits {};                                          // pid 1234
struct comm_name : string {};                                           // comm "nginx"
struct cgroup_path : string {};                                         // cgroup "/sys/fs/cgroup/x"
struct container_name : string {};                                      // container "web"
struct runtime_name : p::sor<TAO_PEGTL_KEYWORD("docker"), TAO_PEGTL_KEYWORD("podman"),
                             TAO_PEGTL_KEYWORD("nerdctl"), TAO_PEGTL_KEYWORD("crictl")> {};  // runtime podman
struct command_line : string {};                                        // command "redis-server --port 7000"
struct with_descendants : p::seq<_, TAO_PEGTL_KEYWORD("and"), _, TAO_PEGTL_KEYWORD("descendants")> {};
struct target_pid : p::seq<TAO_PEGTL_KEYWORD("pid"), then<pid_number>, p::opt<with_descendants>> {};  // pid 1234 and descendants
struct with_keyword : TAO_PEGTL_KEYWORD("with") {};                     // after `starts`
struct comm_starts_with : p::seq<_, TAO_PEGTL_KEYWORD("starts"), then<with_keyword>> {};  // a name's prefix
struct target_comm : p::seq<TAO_PEGTL_KEYWORD("comm"), p::opt<comm_starts_with>, then<comm_name>> {};  // comm [starts with] "nginx"
struct target_cgroup : p::seq<TAO_PEGTL_KEYWORD("cgroup"), then<cgroup_path>> {};
struct target_runtime : p::seq<_, TAO_PEGTL_KEYWORD("runtime"), then<runtime_name>> {};
struct target_container : p::seq<TAO_PEGTL_KEYWORD("container"), then<container_name>, p::opt<target_runtime>> {};
struct target_command : p::seq<TAO_PEGTL_KEYWORD("command"), then<command_line>> {};
struct target_all : TAO_PEGTL_KEYWORD("all") {};
struct target_kind : p::sor<target_pid, target_comm, target_cgroup, target_container,
                            target_command, target_all> {};             // what to watch
struct target_stmt : p::seq<kw_target, then<target_kind>> {};

// --- Run shape and options -----------------------------------------------------
struct duration_unit : p::sor<TAO_PEGTL_STRING("ms"), p::one<'s', 'm', 'h'>> {};
struct duration_value : p::seq<digits, duration_unit, p::not_at<p::identifier_other>> {};  // 30s
struct duration_stmt : p::seq<kw_duration, then<duration_value>> {};
struct window_stmt : p::seq<kw_window, then<duration_value>> {};
struct option_name : identifier {};
struct option_equals : p::one<'='> {};
struct option_value : p::sor<identifier, p::seq<digits, p::not_at<p::identifier_other>>> {};  // socket, 16384
struct option_stmt : p::seq<kw_option, then<option_name>, then<option_equals>, then<option_value>> {};
struct metric_name : identifier {};
struct metrics_stmt : p::seq<kw_metrics, then<metric_name>, p::star<list_sep, then<metric_name>>> {};

// --- Probes ------------------------------------------------------------------
struct syscall_name : identifier {};                                    // read, or a group: recv
struct syscall_probe : p::seq<TAO_PEGTL_KEYWORD("syscall"), then<syscall_name>,
                              p::star<list_sep, then<syscall_name>>> {};
struct tracepoint_part : p::plus<p::sor<p::identifier_other, p::one<'*'>>> {};
struct tracepoint_name : p::seq<tracepoint_part, p::one<':'>, tracepoint_part> {};  // sched:sched_switch
struct tracepoint_probe : p::seq<TAO_PEGTL_KEYWORD("tracepoint"), then<tracepoint_name>,
                                 p::star<list_sep, then<tracepoint_name>>> {};
// readline, ns::Class::method, _ZN4shop4Cart3addEi, shop::*; a parameter list needs quotes.
struct symbol : p::plus<p::sor<p::identifier_other, p::one<'.', '*', '?', '$', '~'>, TAO_PEGTL_STRING("::")>> {};
struct function_name : p::sor<string, symbol> {};                       // readline, "ns::f(int)"
struct binary_word : p::plus<p::sor<p::identifier_other, p::one<'.', '-', '+', '/'>>> {};
struct binary_path : p::sor<string, binary_word> {};                    // "/bin/bash", bash, libc
struct in_binary : TAO_PEGTL_KEYWORD("in") {};
struct uprobe_probe : p::seq<TAO_PEGTL_KEYWORD("uprobe"), then<function_name>, then<in_binary>, then<binary_path>> {};
struct uretprobe_probe : p::seq<TAO_PEGTL_KEYWORD("uretprobe"), then<function_name>, then<in_binary>, then<binary_path>> {};
struct kprobe_probe : p::seq<TAO_PEGTL_KEYWORD("kprobe"), then<function_name>> {};
struct kretprobe_probe : p::seq<TAO_PEGTL_KEYWORD("kretprobe"), then<function_name>> {};
struct profile_rate : p::seq<digits, TAO_PEGTL_STRING("hz"), p::not_at<p::identifier_other>> {};  // 99hz
struct profile_probe : p::seq<TAO_PEGTL_KEYWORD("profile"), then<profile_rate>> {};
struct probe : p::sor<syscall_probe, tracepoint_probe, uprobe_probe, uretprobe_probe,
                      kprobe_probe, kretprobe_probe, profile_probe> {};  // what fires the block

// --- Conditions (`where`) ------------------------------------------------------
struct or_cond;
struct compare_op : p::sor<TAO_PEGTL_STRING("=="), TAO_PEGTL_STRING("!="), TAO_PEGTL_STRING("<="),
                           TAO_PEGTL_STRING(">="), p::one<'<'>, p::one<'>'>> {};
struct compared_value : operand {};                                     // right of an operator
struct comparison : p::seq<field, then<compare_op>, then<compared_value>> {};  // ret > 0
struct prefix_value : string {};                                        // the text a prefix test looks for
struct starts_with : p::seq<TAO_PEGTL_KEYWORD("starts"), then<with_keyword>> {};  // the prefix operator
struct prefix_test : p::seq<field, _, starts_with, then<prefix_value>> {};  // comm starts with "model"
struct socket_test : TAO_PEGTL_KEYWORD("socket") {};                    // fd is a socket
struct condition_atom;
struct not_cond : p::seq<TAO_PEGTL_KEYWORD("not"), then<condition_atom>> {};
struct close_paren : p::one<')'> {};
struct paren_cond : p::seq<p::one<'('>, then<or_cond>, then<close_paren>> {};
struct condition_atom : nested<p::sor<not_cond, paren_cond, socket_test, prefix_test, comparison>> {};  // depth-limited
struct and_cond : p::seq<condition_atom, p::star<_, TAO_PEGTL_KEYWORD("and"), then<condition_atom>>> {};
struct or_cond : p::seq<and_cond, p::star<_, TAO_PEGTL_KEYWORD("or"), then<and_cond>>> {};
struct where_clause : p::seq<_, kw_where, then<or_cond>> {};

// --- Actions -------------------------------------------------------------------
struct print_item : p::sor<string, field> {};
struct print_action : p::seq<TAO_PEGTL_KEYWORD("print"), then<print_item>, p::star<list_sep, then<print_item>>> {};
struct key : field {};
struct by_clause : p::seq<_, TAO_PEGTL_KEYWORD("by"), then<key>, p::star<list_sep, then<key>>> {};
struct map_name : identifier {};
struct as_clause : p::seq<_, TAO_PEGTL_KEYWORD("as"), then<map_name>> {};
struct count_function : TAO_PEGTL_KEYWORD("count") {};
struct value_function : p::sor<TAO_PEGTL_KEYWORD("sum"), TAO_PEGTL_KEYWORD("min"), TAO_PEGTL_KEYWORD("max"),
                               TAO_PEGTL_KEYWORD("mean"), TAO_PEGTL_KEYWORD("stats"),
                               TAO_PEGTL_KEYWORD("hist")> {};
struct lhist_function : TAO_PEGTL_KEYWORD("lhist") {};
struct lhist_low : integer {};
struct lhist_high : integer {};
struct lhist_step : digits {};
struct lhist_from : p::seq<TAO_PEGTL_KEYWORD("from"), then<lhist_low>> {};
struct lhist_to : p::seq<TAO_PEGTL_KEYWORD("to"), then<lhist_high>> {};
struct lhist_by_step : p::seq<TAO_PEGTL_KEYWORD("step"), then<lhist_step>> {};
struct aggregation : p::seq<p::sor<count_function,
                                   p::seq<value_function, then<value>>,
                                   p::seq<lhist_function, then<value>, then<lhist_from>, then<lhist_to>, then<lhist_by_step>>>,
                            p::opt<by_clause>, p::opt<as_clause>> {};
struct action : p::sor<print_action, aggregation> {};
struct block_open : p::one<'{'> {};
struct block_close : p::one<'}'> {};
struct probe_block : p::seq<kw_on, then<probe>, p::opt<where_clause>, then<block_open>,
                            p::star<_, action>, then<block_close>> {};

// --- Spans: from one event to another with the same key ------------------------
//   span conn from syscall accept4 where ret >= 0 key pid, ret
//             to syscall close key pid, args.fd { hist duration in ms }
struct span_name : identifier {};
struct span_key_field : field {};
struct span_key : p::seq<_, TAO_PEGTL_KEYWORD("key"), then<span_key_field>, p::star<list_sep, then<span_key_field>>> {};
struct span_from_kw : TAO_PEGTL_KEYWORD("from") {};
struct span_to_kw : TAO_PEGTL_KEYWORD("to") {};
struct span_nth_value : digits {};
struct span_nth : p::seq<_, TAO_PEGTL_KEYWORD("nth"), then<span_nth_value>> {};
struct span_start : p::seq<then<span_from_kw>, then<probe>, p::opt<where_clause>, then<span_key>> {};
struct span_end : p::seq<_, then<span_to_kw>, then<probe>, p::opt<where_clause>, then<span_key>, p::opt<span_nth>> {};
struct span_open : p::one<'{'> {};
struct span_block : p::seq<kw_span, then<span_name>, _, span_start, span_end, then<span_open>,
                           p::star<_, action>, then<block_close>> {};

// --- I/O counters: io posix exclude "/etc/", "/usr/" include "/usr/local/data/" --
struct io_prefix : string {};                                           // "/scratch/"
struct io_exclude : p::seq<TAO_PEGTL_KEYWORD("exclude"), then<io_prefix>, p::star<list_sep, then<io_prefix>>> {};
struct io_include : p::seq<TAO_PEGTL_KEYWORD("include"), then<io_prefix>, p::star<list_sep, then<io_prefix>>> {};
struct io_module : TAO_PEGTL_KEYWORD("posix") {};                       // Darshan's POSIX module
struct io_stmt : p::seq<TAO_PEGTL_KEYWORD("io"), then<io_module>, p::star<_, p::sor<io_exclude, io_include>>> {};

// --- Spec --------------------------------------------------------------------
struct statement : p::sor<target_stmt, duration_stmt, window_stmt, option_stmt, metrics_stmt, io_stmt, probe_block,
                          span_block> {};
struct end_of_spec : p::eof {};
struct spec : p::seq<_, p::star<statement, _, p::opt<p::one<';'>, _>>, p::must<end_of_spec>> {};

}  // namespace ebpfgen::grammar

// For the grammar analysis (tests/unit/test_grammar.cpp): nested<Rule> matches as Rule does.
template <typename Name, typename Rule>
struct tao::pegtl::analyze_traits<Name, ebpfgen::grammar::nested<Rule>> : tao::pegtl::analyze_seq_traits<Rule> {};
