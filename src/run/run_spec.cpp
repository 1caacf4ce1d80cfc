#include "run/run_spec.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "codegen/codegen.hpp"
#include "target/description.hpp"
#include "diag/diagnostic.hpp"
#include "export/files.hpp"
#include "export/html.hpp"
#include "run/bpftrace.hpp"
#include "run/launch.hpp"
#include "run/preflight.hpp"
#include "run/tracer_choice.hpp"
#include "run/tracer_output.hpp"
#include "run/target_end.hpp"
#include "report/io_records.hpp"
#include "target/mounts.hpp"
#include "target/process.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::run {

namespace fs = std::filesystem;

std::string spec_origin(const std::string& program, std::size_t line) {
  std::istringstream in(program);
  std::string text, origin;
  static const std::regex comment(R"(^// (.+:\d+: .*)$)");
  std::smatch m;
  for (std::size_t n = 1; n <= line && std::getline(in, text); ++n) {
    if (std::regex_match(text, m, comment)) origin = m[1].str();
  }
  return origin;
}

namespace {

std::string program_file(const std::string& program, const std::string& keep) {
  std::string path = keep;
  if (path.empty()) {
    char name[] = "/tmp/ebpfgen-XXXXXX.bt";
    int fd = mkstemps(name, 3);
    if (fd < 0) throw std::runtime_error("cannot create a temporary file in /tmp");
    close(fd);
    path = name;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << program;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
  return path;
}

// The note that names the spec line a failing probe came from, when one is known.
std::vector<std::string> in_probe(const std::string& origin) {
  if (origin.empty()) return {};
  return {"in the probe generated from " + origin};
}

// The line of the program where an attach point is written, or 0.
std::size_t line_of_point(const std::string& program, const std::string& point) {
  std::istringstream in(program);
  std::string text;
  for (std::size_t n = 1; std::getline(in, text); ++n) {
    if (text == point || text == point + ",") return n;
  }
  return 0;
}

// bpftrace's errors, each with the spec line that produced the failing probe.
void show_errors(const std::vector<std::string>& errors, const std::string& program, const std::string& path) {
  // "prog.bt:13:6-77: ERROR: ..." or, for a whole probe, "prog.bt:15-18: ERROR: ..." where the
  // range ends at the probe's attach point (bpftrace 0.17 starts it after the previous probe).
  static const std::regex located(R"(^[^:]*:(\d+)(?:-(\d+))?(?::[0-9-]+)?: ERROR: (.*)$)");
  static const std::regex unattached(R"(Error attaching probe: '?([^' ]+)'?)");
  std::smatch m;
  for (const auto& line : errors) {
    if (std::regex_match(line, m, located) && line.rfind(path, 0) == 0) {
      std::string origin = spec_origin(program, std::stoul(m[m[2].matched ? 2 : 1].str()));
      print_error("bpftrace: " + m[3].str(), in_probe(origin));
    } else if (std::regex_search(line, m, unattached)) {
      // No location: find the attach point's line in the program.
      print_error("bpftrace: " + m[0].str(), in_probe(spec_origin(program, line_of_point(program, m[1].str()))));
    } else if (line.find("ERROR:") != std::string::npos) {
      print_error("bpftrace: " + line.substr(line.find("ERROR:") + 7));
    }
  }
}

}  // namespace

int run_spec(const CheckedSpec& checked, const Source& source, const kernel::Facts& facts, const RunOptions& options) {
  if (options.format == report::Format::Darshan && !checked.io) {
    return fail(exit_usage_error, "--format darshan prints the counters of 'io posix', which this spec does not have");
  }
  // The report's and the page's directories must take them: known before the run, not after it.
  for (const auto& [flag, file] : {std::pair{"-o", &options.output_file}, {"--report", &options.report_file}}) {
    if (file->empty()) continue;
    try {
      exporter::check_writable_directory(fs::path(*file).parent_path().string());
    } catch (const std::exception& e) {
      return fail(exit_usage_error, fmt::format("{} {}: cannot write in its directory: {}", flag, *file, e.what()));
    }
  }
  std::string bpftrace_version;
  if (auto problem = preflight(checked, facts, options.bpftrace, bpftrace_version)) {
    return fail(problem->exit_status, problem->message);
  }
  std::optional<exporter::Exporter> exports;
  if (options.exports.any()) {
    try {
      exports.emplace(checked, options.exports, target::description(checked.target));
    } catch (const exporter::ExportError& e) {
      return fail(exit_usage_error, e.what());
    }
    if (!exports->serving_at().empty()) std::cerr << "ebpfgen: metrics at " << exports->serving_at() << "\n";
  }

  CheckedSpec spec = checked;
  try {
    if (!spec.resolved) spec.resolved = target::resolve_target(spec.target, facts);
  } catch (const target::TargetError& e) {
    return fail(exit_no_target, e.what());
  }
  if (spec.target.kind == ast::TargetKind::Container) spec.target_facts = spec.resolved->facts;
  std::string program = generate_program(spec, source);
  if (auto problem = map_memory_problem(program, spec.map_keys)) return fail(problem->exit_status, problem->message);
  std::string path = program_file(program, options.keep_file);
  // Removed however the run ends (and once bpftrace has read it, below), unless --keep asks for it.
  struct Removal {
    std::string path;
    ~Removal() {
      std::error_code ec;
      if (!path.empty()) fs::remove(path, ec);
    }
  } removal{options.keep_file.empty() ? path : ""};
  // Ahead of time where the program allows it: a lean tracer that attaches at once.
  TracerRun tracer = choose_tracer(spec, program, path, options, bpftrace_version);
  const target::Resolved& resolved = *spec.resolved;
  // A command target: launched held in a cgroup of its own, whose id is the program's $1.
  std::optional<LaunchedCommand> command;
  if (spec.target.kind == ast::TargetKind::Command) {
    try {
      command.emplace(spec.target.argv, facts.cgroup2);
    } catch (const std::exception& e) {
      return fail(exit_bpftrace_failed, e.what());
    }
    tracer.args.push_back(std::to_string(command->cgroup_id()));
  }
  std::optional<TargetEnd> target_end;
  if (command) {
    // Whatever ends the run, what is left of the command ends with it.
    target_end.emplace([&](const std::atomic<bool>&) { return "the command " + command->wait(); },
                       [&] { command->kill_all(); });
  } else if (resolved.watched) {
    target_end.emplace([&](const std::atomic<bool>& over) {
      return target::wait_for_exit(*resolved.watched, over) ? resolved.watched_name + " exited" : "";
    });
  }
  if (options.verbose) {
    std::cerr << "ebpfgen: tracer: " << tracer.description << "\n";
    std::cerr << "ebpfgen: running: " << tracer.tracer;
    for (const auto& a : tracer.args) std::cerr << " " << shown(a);
    std::cerr << "\n";
  }
  if (exports) exports->tracer(tracer.description);

  std::ostringstream buffered;
  std::ostream& out = options.output_file.empty() ? std::cout : buffered;
  auto reporter = report::make_reporter(options.format, out, spec);
  // stdout closed (a pipe whose reader left) or full: the report cannot be written, so the run ends.
  bool unwritable = false;
  int write_error = 0;
  TracerOutput output(spec, program, *reporter, exports ? &*exports : nullptr, tracer.compiled,
                      {[&] {
                         if (command) command->release();  // it runs from here on
                         if (target_end) target_end->start();
                         std::error_code ec;
                         if (options.keep_file.empty()) fs::remove(path, ec);  // bpftrace has read it
                       },
                       [&] {
                         if (out || unwritable) return;
                         unwritable = true;
                         write_error = errno;  // of the write that failed
                         stop_bpftrace();
                       }});
  report::RunFacts& run_facts = output.facts();
  run_facts.tracer = tracer.description;

  // From here to the end, a Ctrl-C or SIGTERM goes to the tracer once, then is only noted, so
  // that a second one cannot cut the report short; a closed stdout is a failed write.
  InterruptHandling interrupts;
  BpftraceExit exit = run_bpftrace(tracer.tracer, tracer.args, [&](const std::string& line) { output.line(line); },
                                   tracer.compiled ? StopBy::StopMap : StopBy::Signal, tracer.environment);
  if (target_end) target_end->finish();
  auto ended_by_target = target_end ? target_end->ended_the_run() : std::nullopt;
  output.finish();
  if (options.verbose)
    for (const auto& w : exit.warnings) std::cerr << shown(w) << "\n";

  if (run_facts.skipped_runs) std::cerr << "ebpfgen: " << report::skipped_runs_warning(run_facts.skipped_runs) << "\n";
  run_facts.map_failures = output.map_failures();
  for (const auto& failure : run_facts.map_failures)
    std::cerr << "ebpfgen: " << report::map_failure_warning(failure, spec.map_key_limit()) << "\n";
  run_facts.interrupted = exit.interrupted;
  bool failed = exit.status != 0 && !exit.interrupted;
  if (failed) {
    show_errors(exit.errors, program, path);
    if (exit.errors.empty()) print_error(fmt::format("bpftrace stopped with status {}", exit.status));
    run_facts.ended_by = output.collected() ? "bpftrace stopped with an error" : "";
  } else if (ended_by_target) {
    run_facts.interrupted = false;
    run_facts.ended_by = *ended_by_target;
    std::cerr << "ebpfgen: " << shown(*ended_by_target) << "; the run ends here\n";
  } else if (exit.interrupted) {
    run_facts.ended_by = "interrupted";
  }
  const auto& windows = output.windows();
  if (spec.io) run_facts.mounts = target::mount_tables(report::record_pids(windows));
  if (output.collected() && !windows.empty()) {
    auto run = report::merge_windows(windows, [&](const std::string& name) { return report::merge_rule(spec, name); });
    reporter->summary(run, report::request_figures(run, spec.metrics), run_facts);
  }
  if (exports) exports->finish(run_facts);
  if (!options.output_file.empty()) {
    try {
      exporter::write_atomically(options.output_file, buffered.str());
    } catch (const std::exception& e) {
      // Not lost: it goes to stdout instead.
      print_error(std::string(e.what()) + "; the report follows on stdout");
      std::cout << buffered.str() << std::flush;
      return exit_output_failed;
    }
  }
  if (!options.report_file.empty()) {
    auto run = report::merge_windows(windows, [&](const std::string& name) { return report::merge_rule(spec, name); });
    try {
      exporter::write_atomically(options.report_file, exporter::html_report(spec, source, windows, run, run_facts));
    } catch (const std::exception& e) {
      return fail(exit_output_failed, std::string("--report: ") + e.what());
    }
  }
  if (std::cout && !(std::cout << std::flush)) write_error = errno;
  if (!std::cout || unwritable) {
    return fail(exit_output_failed, fmt::format("cannot write the report to stdout: {}; it is incomplete",
                                                write_error ? std::strerror(write_error) : "write failed"));
  }
  return failed ? exit_bpftrace_failed : exit_success;
}

}  // namespace ebpfgen::run
