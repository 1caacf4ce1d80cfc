// ebpfgen: compiles a .obs observability spec to a bpftrace program, and
// runs it. This file only reads the command line; the pipeline
// (pipeline/pipeline.hpp) runs the stages: parse -> check -> codegen -> run -> report.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>

#include "check/check.hpp"
#include "parse/parse.hpp"
#include "pipeline/pipeline.hpp"
#include "target/container.hpp"
#include "diag/exit_status.hpp"

namespace {


using ebpfgen::exit_usage_error;
using ebpfgen::fail;

struct Options {
  std::string spec_file;
  std::string inline_spec;
  bool emit = false;
  bool check = false;
  bool run = false;
  bool targets = false;
  std::vector<std::string> symbols;  // --symbols BINARY [PATTERN]
  std::vector<std::string> list;     // --list [PATTERN]
  std::string format = "table";
  ebpfgen::run::RunOptions run_options;
  bool mount_tracefs = false;
  std::string syscall_table = "auto";
  std::optional<std::string> pid, comm, cgroup, container, command;
  std::optional<std::string> runtime;  // of --container, or of the spec's container
  bool descendants = false;            // of --pid, or of the spec's pid
  std::vector<std::string> command_argv;  // after `--`
  std::optional<std::string> duration;
};

// The target given on the command line, which replaces the spec's.
std::optional<ebpfgen::ast::Target> target_override(const Options& o) {
  using ebpfgen::ast::TargetKind;
  std::optional<ebpfgen::ast::Target> t;
  if (o.pid) t = {TargetKind::Pid, ebpfgen::canonical_pid(*o.pid)};
  if (o.comm) t = {TargetKind::Comm, *o.comm};
  if (o.cgroup) t = {TargetKind::Cgroup, *o.cgroup};
  if (o.container) t = {TargetKind::Container, *o.container};
  if (o.command || !o.command_argv.empty()) {
    t = {TargetKind::Command, o.command.value_or("")};
    t->argv = o.command_argv;
    if (o.command) {  // -c 'PROGRAM ARGS': split on blanks, no shell
      std::istringstream words(*o.command);
      t->argv = {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    } else {
      for (const auto& a : o.command_argv) t->value += (t->value.empty() ? "" : " ") + a;
    }
  }
  return t;
}

// The pipeline's request: what to do with which spec, from the command line.
int run_pipeline(const Options& o, const ebpfgen::Source& source) {
  namespace pipeline = ebpfgen::pipeline;
  pipeline::Request r;
  r.source = source;
  r.action = o.targets ? pipeline::Action::Targets
             : o.emit  ? pipeline::Action::Emit
             : o.run   ? pipeline::Action::Run
                       : pipeline::Action::Check;
  r.overrides.target = target_override(o);
  r.overrides.target_is_cgroup_option = o.cgroup.has_value();
  r.overrides.runtime = o.runtime;
  r.overrides.descendants = o.descendants;
  if (o.duration) {
    r.overrides.duration_ms = ebpfgen::parse_duration_text(*o.duration);
    if (!r.overrides.duration_ms || *r.overrides.duration_ms == 0) {
      return fail(exit_usage_error, "--duration: '" + *o.duration + "' is not a duration such as 500ms, 30s, 5m or 1h");
    }
  }
  r.kernel.syscall_table = o.syscall_table == "builtin" ? ebpfgen::kernel::SyscallTable::Builtin
                                                        : ebpfgen::kernel::SyscallTable::Auto;
  r.kernel.mount_tracefs = o.run && o.mount_tracefs;
  r.run = o.run_options;
  r.run.exports.textfile_name = ebpfgen::exporter::textfile_name_for(source.name);
  r.run.format = o.format == "json"      ? ebpfgen::report::Format::Json
                 : o.format == "csv"     ? ebpfgen::report::Format::Csv
                 : o.format == "darshan" ? ebpfgen::report::Format::Darshan
                                         : ebpfgen::report::Format::Table;
  return pipeline::run(r);
}

// The command line's options and flags, into `o`.
void define_options(CLI::App& app, Options& o) {
  app.add_option("spec", o.spec_file, "the .obs spec file");
  app.add_option("-e,--expr", o.inline_spec, "the spec itself, given inline (one-liners)");
  app.add_flag("--emit", o.emit, "print the generated bpftrace program");
  app.add_flag("--check", o.check, "parse and check only");
  app.add_flag("--run", o.run, "run the program under bpftrace and report its metrics");
  app.add_option("--symbols", o.symbols, "list the functions of BINARY (a path, program or library) [matching PATTERN]")
      ->expected(1, 2)
      ->type_name("BINARY [PATTERN]");
  app.add_option("--list", o.list,
                 "list the probes a spec can name here, as bpftrace -l does: syscall:GLOB, tracepoint:CAT:GLOB, "
                 "kprobe:GLOB, uprobe:BINARY:GLOB, or a word (with -v, their fields)")
      ->expected(0, 1)
      ->type_name("[PATTERN]");
  app.add_flag("--targets", o.targets, "show what the target resolves to now (processes, cgroup, namespace)");
  app.add_option("--format", o.format, "--run's output: table (default), json, csv, or darshan (io posix: darshan-parser's text)")
      ->check(CLI::IsMember({"table", "json", "csv", "darshan"}));
  app.add_option("-o,--output", o.run_options.output_file, "--run: write the report to this file (atomically)");
  app.add_option("--report", o.run_options.report_file,
                 "--run: write an HTML page with charts of every series when the run ends")
      ->type_name("FILE.html");
  app.add_option("--keep", o.run_options.keep_file, "--run: save the generated program to this file");
  app.add_flag("-v,--verbose", o.run_options.verbose, "--run: show the bpftrace command and its warnings");
  app.add_flag("--mount-tracefs", o.mount_tracefs, "--run: mount tracefs if it is missing");
  app.add_option("--serve", o.run_options.exports.serve,
                 "--run: serve Prometheus metrics at http://[ADDR:]PORT/metrics (ADDR 127.0.0.1 unless given)");
  app.add_option("--textfile", o.run_options.exports.textfile_dir,
                 "--run: keep a .prom file for node_exporter's textfile collector in this directory");
  app.add_option("--node", o.run_options.exports.node, "--run: the node label of exported metrics (the host's name)");
  app.add_flag("--no-aot{false}", o.run_options.ahead_of_time,
               "--run: always run under plain bpftrace, never its ahead-of-time runtime");
  app.add_option("--syscall-table", o.syscall_table,
                 "syscall names to check against: auto (the kernel's tracefs, else built-in) or builtin")
      ->check(CLI::IsMember({"auto", "builtin"}));
  app.add_option("--duration", o.duration, "replace the spec's duration, e.g. 10s");
  auto* target = app.add_option_group("target", "replace the spec's target");
  target->add_option("--pid", o.pid, "a process and its threads");
  target->add_option("--comm", o.comm, "processes with this name");
  target->add_option("--cgroup", o.cgroup, "a cgroup v2 directory");
  target->add_option("--container", o.container, "a container by name");
  app.add_flag("--descendants", o.descendants, "with a pid target: also the processes it started, and theirs");
  app.add_option("--runtime", o.runtime, "the container's runtime (by default every one installed is asked)")
      ->check(CLI::IsMember(ebpfgen::target::known_runtimes()));
  target->add_option("-c,--command", o.command, "launch this command (split on blanks) and trace it and its children");
  target->require_option(0, 1);
  app.footer(ebpfgen::exit_status_help());
}

// What the command line asks that does not fit together: the status to exit with.
std::optional<int> refused(const Options& o, const CLI::App& app) {
  if (!o.command_argv.empty() && (o.pid || o.comm || o.cgroup || o.container || o.command)) {
    return fail(exit_usage_error, "give one target: `-- COMMAND` and a target option are two");
  }
  bool listing = app.count("--list") > 0;
  if (int(o.emit) + int(o.check) + int(o.run) + int(o.targets) + int(!o.symbols.empty()) + int(listing) != 1) {
    return fail(exit_usage_error, "say what to do: one of --run, --emit (print the program), --check, --targets, "
                                  "--symbols or --list");
  }
  if (o.run_options.exports.any() && !o.run) {
    return fail(exit_usage_error, "--serve and --textfile export what --run measures: add --run");
  }
  if (!o.run_options.report_file.empty() && !o.run) {
    return fail(exit_usage_error, "--report draws what --run measures: add --run");
  }
  try {
    if (!o.run_options.exports.serve.empty()) ebpfgen::exporter::listen_address(o.run_options.exports.serve);
  } catch (const ebpfgen::exporter::ExportError& e) {
    return fail(exit_usage_error, e.what());
  }
  return std::nullopt;
}

// --symbols, --list, --targets or a spec: what the command line asks for, done.
int dispatch(const Options& o, const CLI::App& app) {
  bool inline_given = app.count("-e") > 0;
  bool listing = app.count("--list") > 0;
  if (!o.symbols.empty()) {
    return ebpfgen::pipeline::list_symbols(o.symbols[0], o.symbols.size() == 2 ? std::optional(o.symbols[1]) : std::nullopt,
                                           target_override(o));
  }
  if (listing && (!o.spec_file.empty() || inline_given)) {
    return fail(exit_usage_error, "--list takes a pattern, not a spec: ebpfgen [-v] --list 'tracepoint:sched:*'");
  }
  if (listing) return ebpfgen::pipeline::list_probes(o.list.empty() ? "" : o.list[0], o.run_options.verbose);
  bool target_given = o.pid || o.comm || o.cgroup || o.container || o.command || !o.command_argv.empty();
  if (o.targets && o.spec_file.empty() && !inline_given && target_given) {
    return run_pipeline(o, {"<command-line>", ""});
  }
  if (o.spec_file.empty() == !inline_given) {
    return fail(exit_usage_error, "give a spec file or -e 'SPEC' (one of them)");
  }
  ebpfgen::Source source{"<command-line>", o.inline_spec};
  if (!o.spec_file.empty()) {
    std::ifstream in(o.spec_file, std::ios::binary);
    if (!in) {
      return fail(exit_usage_error, "cannot read " + o.spec_file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    source = {o.spec_file, text.str()};
  }
  return run_pipeline(o, source);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ebpfgen: compile a .obs observability spec to a bpftrace program", "ebpfgen"};
  app.set_version_flag("--version", std::string("ebpfgen ") + EBPFGEN_VERSION);
  Options o;
  define_options(app, o);
  // `-- PROGRAM ARGS...`: a command to launch, its arguments taken as they are.
  int own_args = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      own_args = i;
      o.command_argv.assign(argv + i + 1, argv + argc);
      break;
    }
  }
  if (own_args < argc && o.command_argv.empty()) {
    return fail(exit_usage_error, "give a command after --");
  }
  try {
    app.parse(own_args, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : exit_usage_error;
  }

  if (auto status = refused(o, app)) return *status;
  return dispatch(o, app);
}
