// ebpfgen: compiles a .obs observability spec to a bpftrace program, and
// runs it. This file only reads the command line and runs the stages:
// parse -> check -> codegen -> run -> report.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "check/check.hpp"
#include "check/functions.hpp"
#include "codegen/codegen.hpp"
#include "kernel/list.hpp"
#include "parse/parse.hpp"
#include "run/preflight.hpp"
#include "run/run_spec.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"
#include "target/resolve.hpp"

namespace {

using ebpfgen::shown;

constexpr int exit_spec_error = 1;
constexpr int exit_usage_error = 2;

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

// --targets: what the target resolves to now.
int show_target(const ebpfgen::ast::Target& target) {
  std::cout << "target: " << shown(ebpfgen::target_description(target)) << "\n";
  try {
    for (const auto& fact : ebpfgen::target::resolve_target(target).facts) std::cout << "  " << shown(fact) << "\n";
  } catch (const ebpfgen::target::TargetError& e) {
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    return ebpfgen::run::exit_no_target;
  }
  return 0;
}

// --list [PATTERN]: the probes a spec can name here, as `bpftrace -l` lists them.
int list_probes(const std::vector<std::string>& args, bool verbose) {
  try {
    auto listing = ebpfgen::kernel::list_probes(args.empty() ? "" : args[0], verbose);
    for (const auto& line : listing.lines) std::cout << shown(line) << "\n";
    for (const auto& note : listing.notes) std::cerr << "ebpfgen: note: " << note << "\n";
    if (listing.lines.empty()) {
      std::cerr << "ebpfgen: nothing matches '" << shown(args.empty() ? "" : args[0]) << "'\n";
      return 1;
    }
  } catch (const ebpfgen::kernel::ListError& e) {
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    return exit_usage_error;
  }
  return 0;
}

// --symbols BINARY [PATTERN]: the functions a uprobe can name, demangled, with their
// mangled names; a PATTERN without wildcards matches anywhere in the name.
int list_symbols(const std::vector<std::string>& args, const std::optional<ebpfgen::ast::Target>& target) {
  namespace symbols = ebpfgen::symbols;
  try {
    std::string name = args.at(0);
    if (name.find('/') != std::string::npos && name.front() != '/') name = std::filesystem::absolute(name).string();
    auto root = ebpfgen::target::binaries_root(ebpfgen::target::resolve_target(target.value_or(ebpfgen::ast::Target{})));
    std::string binary = symbols::find_binary(name, root);
    auto functions = symbols::read_functions(binary);
    if (args.size() == 2) {
      std::string pattern = args[1].find_first_of("*?") == std::string::npos ? "*" + args[1] + "*" : args[1];
      functions = symbols::resolve_function(functions, pattern, binary).functions;
    }
    for (const auto& f : functions) {
      std::cout << shown(f.demangled);
      if (f.mangled != f.demangled) std::cout << "  " << shown(f.mangled);
      std::cout << "\n";
    }
    std::cerr << fmt::format("{} function{} in {}\n", functions.size(), functions.size() == 1 ? "" : "s", shown(binary));
  } catch (const symbols::Error& e) {
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    for (const auto& note : e.notes) std::cerr << "  note: " << shown(note) << "\n";
    return exit_spec_error;
  } catch (const ebpfgen::target::TargetError& e) {
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    return ebpfgen::run::exit_no_target;
  }
  return 0;
}

// --emit shows what a container resolves to; the program itself takes it as $1, so it
// can still be written for a container that is not running here.
std::vector<std::string> container_facts(const ebpfgen::ast::Target& target) {
  try {
    return ebpfgen::target::resolve_target(target).facts;
  } catch (const ebpfgen::target::TargetError& e) {
    std::cerr << "ebpfgen: warning: " << shown(e.what()) << "\n";
    return {"not found when this program was made: give its mount namespace inode as $1 (ebpfgen --targets shows it)"};
  }
}

// A target option that the spec's own checks refuse: the reason, or "".
std::string refused_override(const std::optional<ebpfgen::ast::Target>& target) {
  if (!target) return "";
  try {
    if (target->kind == ebpfgen::ast::TargetKind::Pid &&
        (target->value.empty() || target->value.find_first_not_of("0123456789") != std::string::npos)) {
      return "'" + target->value + "' is not a process id";
    }
    ebpfgen::check_target(*target);
  } catch (const ebpfgen::SpecError& e) {
    return e.diagnostics().front().message;
  }
  return "";
}

int compile(const Options& o, const ebpfgen::Source& source) {
  auto override_target = target_override(o);
  std::optional<std::uint64_t> duration;
  if (o.duration) {
    duration = ebpfgen::parse_duration_text(*o.duration);
    if (!duration || *duration == 0) {
      std::cerr << "ebpfgen: error: --duration: '" << *o.duration << "' is not a duration such as 500ms, 30s, 5m or 1h\n";
      return exit_usage_error;
    }
  }
  try {
    auto spec = source.text.empty() && o.targets ? ebpfgen::ast::Spec{} : ebpfgen::parse_spec(source);
    if (override_target) spec.target = override_target;
    if (o.runtime) {
      if (!spec.target || spec.target->kind != ebpfgen::ast::TargetKind::Container) {
        std::cerr << "ebpfgen: error: --runtime is for a container target\n";
        return exit_usage_error;
      }
      spec.target->runtime = *o.runtime;
    }
    if (o.descendants) {
      if (!spec.target || spec.target->kind != ebpfgen::ast::TargetKind::Pid) {
        std::cerr << "ebpfgen: error: --descendants is for a pid target\n";
        return exit_usage_error;
      }
      spec.target->descendants = true;
    }
    if (o.targets) return show_target(spec.target.value_or(ebpfgen::ast::Target{}));
    if (duration) spec.duration = ebpfgen::ast::Duration{*duration, {}};
    // A --cgroup is not in the spec, so its directory is not a spec error but a target not found.
    if (o.cgroup && spec.target && spec.target->kind == ebpfgen::ast::TargetKind::Cgroup) {
      if (auto missing = ebpfgen::target::missing_cgroup(spec.target->value); !missing.empty()) {
        throw ebpfgen::target::TargetError(missing);
      }
    }
    auto catalog = o.syscall_table == "builtin" ? ebpfgen::SyscallCatalog::builtin() : ebpfgen::SyscallCatalog::load();
    auto checked = ebpfgen::check_spec(spec, catalog);
    // The target as it is now, resolved once: uprobe binaries are looked up through its root.
    std::optional<ebpfgen::target::Resolved> resolved;
    if (ebpfgen::has_uprobes(checked)) {
      resolved = ebpfgen::target::resolve_target(checked.target);
      ebpfgen::resolve_functions(checked, ebpfgen::target::binaries_root(*resolved));
    }
    if (o.emit && checked.target.kind == ebpfgen::ast::TargetKind::Container) {
      checked.target_facts = resolved ? resolved->facts : container_facts(checked.target);
    }
    if (o.emit) std::cout << ebpfgen::generate_program(checked, source);
    if (o.run) {
      ebpfgen::run::RunOptions run = o.run_options;
      run.exports.textfile_name = ebpfgen::exporter::textfile_name_for(source.name);
      run.format = o.format == "json"  ? ebpfgen::report::Format::Json
                   : o.format == "csv" ? ebpfgen::report::Format::Csv
                                       : ebpfgen::report::Format::Table;
      return ebpfgen::run::run_spec(checked, source, run, resolved);
    }
    return 0;
  } catch (const ebpfgen::SpecError& e) {
    std::cerr << ebpfgen::render(source, e);
    return exit_spec_error;
  } catch (const ebpfgen::target::TargetError& e) {
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    return ebpfgen::run::exit_no_target;
  } catch (const std::exception& e) {  // the machine failed us: a file, a process, a pipe
    std::cerr << "ebpfgen: error: " << shown(e.what()) << "\n";
    return ebpfgen::run::exit_bpftrace_failed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ebpfgen: compile a .obs observability spec to a bpftrace program", "ebpfgen"};
  app.set_version_flag("--version", std::string("ebpfgen ") + EBPFGEN_VERSION);
  Options o;
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
  app.add_option("--format", o.format, "--run's output: table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("-o,--output", o.run_options.output_file, "--run: write the report to this file (atomically)");
  app.add_option("--report", o.run_options.report_file,
                 "--run: write an HTML page with charts of every series when the run ends")
      ->type_name("FILE.html");
  app.add_option("--keep", o.run_options.keep_file, "--run: save the generated program to this file");
  app.add_flag("-v,--verbose", o.run_options.verbose, "--run: show the bpftrace command and its warnings");
  app.add_flag("--mount-tracefs", o.run_options.mount_tracefs, "--run: mount tracefs if it is missing");
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
      ->check(CLI::IsMember({"docker", "podman", "nerdctl", "crictl"}));
  target->add_option("-c,--command", o.command, "launch this command (split on blanks) and trace it and its children");
  target->require_option(0, 1);
  app.footer("Exit status: 0 success, 1 errors in the spec, 2 usage errors; --run also: 3 bpftrace missing or\n"
             "older than 0.17, 4 not permitted, 5 tracefs not mounted, 6 probe not available, 7 bpftrace failed;\n"
             "--run and --targets: 8 the target cannot be found; --run: 9 the maps need more memory than is available,\n"
             "10 the report could not be written.");
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
    std::cerr << "ebpfgen: error: give a command after --\n";
    return exit_usage_error;
  }
  try {
    app.parse(own_args, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : exit_usage_error;
  }

  bool inline_given = app.count("-e") > 0;
  if (!o.command_argv.empty() && (o.pid || o.comm || o.cgroup || o.container || o.command)) {
    std::cerr << "ebpfgen: error: give one target: `-- COMMAND` and a target option are two\n";
    return exit_usage_error;
  }
  bool listing = app.count("--list") > 0;
  if (int(o.emit) + int(o.check) + int(o.run) + int(o.targets) + int(!o.symbols.empty()) + int(listing) != 1) {
    std::cerr << "ebpfgen: error: say what to do: one of --run, --emit (print the program), --check, --targets, "
                 "--symbols or --list\n";
    return exit_usage_error;
  }
  if (auto refused = refused_override(target_override(o)); !refused.empty()) {
    std::cerr << "ebpfgen: error: target option: " << refused << "\n";
    return exit_usage_error;
  }
  if (o.run_options.exports.any() && !o.run) {
    std::cerr << "ebpfgen: error: --serve and --textfile export what --run measures: add --run\n";
    return exit_usage_error;
  }
  if (!o.run_options.report_file.empty() && !o.run) {
    std::cerr << "ebpfgen: error: --report draws what --run measures: add --run\n";
    return exit_usage_error;
  }
  try {
    if (!o.run_options.exports.serve.empty()) ebpfgen::exporter::listen_address(o.run_options.exports.serve);
  } catch (const ebpfgen::exporter::ExportError& e) {
    std::cerr << "ebpfgen: error: " << e.what() << "\n";
    return exit_usage_error;
  }
  if (!o.symbols.empty()) return list_symbols(o.symbols, target_override(o));
  if (listing && (!o.spec_file.empty() || inline_given)) {
    std::cerr << "ebpfgen: error: --list takes a pattern, not a spec: ebpfgen [-v] --list 'tracepoint:sched:*'\n";
    return exit_usage_error;
  }
  if (listing) return list_probes(o.list, o.run_options.verbose);
  bool target_given = o.pid || o.comm || o.cgroup || o.container || o.command || !o.command_argv.empty();
  if (o.targets && o.spec_file.empty() && !inline_given && target_given) {
    return compile(o, {"<command-line>", ""});
  }
  if (o.spec_file.empty() == !inline_given) {
    std::cerr << "ebpfgen: error: give a spec file or -e 'SPEC' (one of them)\n";
    return exit_usage_error;
  }
  ebpfgen::Source source{"<command-line>", o.inline_spec};
  if (!o.spec_file.empty()) {
    std::ifstream in(o.spec_file, std::ios::binary);
    if (!in) {
      std::cerr << "ebpfgen: error: cannot read " << o.spec_file << "\n";
      return exit_usage_error;
    }
    std::ostringstream text;
    text << in.rdbuf();
    source = {o.spec_file, text.str()};
  }
  return compile(o, source);
}
