#include "pipeline/trace.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "codegen/codegen.hpp"
#include "diag/exit_status.hpp"
#include "export/files.hpp"
#include "export/html.hpp"
#include "report/io_records.hpp"
#include "run/bpftrace.hpp"
#include "run/bpftrace_errors.hpp"
#include "run/launch.hpp"
#include "run/preflight.hpp"
#include "run/target_end.hpp"
#include "run/tracer_choice.hpp"
#include "run/tracer_output.hpp"
#include "target/description.hpp"
#include "target/mounts.hpp"
#include "target/process.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::pipeline {

namespace {

namespace fs = std::filesystem;
using namespace ebpfgen::run;

// The program's file: --keep's, or a temporary one.
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

// Removed however the run ends (and once bpftrace has read it), unless --keep asks for it.
struct Removal {
  std::string path;
  void now() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
  ~Removal() { now(); }
};

// What a command line asks that this spec cannot give, known before the run: its status.
std::optional<int> refused_before_run(const CheckedSpec& spec, const RunOptions& options) {
  if (options.format == report::Format::Darshan && !spec.io) {
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
  return std::nullopt;
}

// One run: the steps after the checks, each with what it needs of the ones before.
class TracedRun {
 public:
  TracedRun(CheckedSpec spec, const Source& source, const kernel::Facts& facts, const RunOptions& options)
      : spec_(std::move(spec)), source_(source), facts_(facts), options_(options) {}

  int run() {
    if (auto refused = refused_before_run(spec_, options_)) return *refused;
    std::string bpftrace_version;
    if (auto problem = preflight(spec_, facts_, options_.bpftrace, bpftrace_version)) {
      return fail(problem->exit_status, problem->message);
    }
    if (auto status = start_exports()) return *status;
    try {
      if (!spec_.resolved) spec_.resolved = target::resolve_target(spec_.target, facts_);
    } catch (const target::TargetError& e) {
      return fail(exit_no_target, e.what());
    }
    if (spec_.target.kind == ast::TargetKind::Container) spec_.target_facts = spec_.resolved->facts;
    program_ = generate_program(spec_, source_);
    if (auto problem = map_memory_problem(program_, spec_.map_keys)) return fail(problem->exit_status, problem->message);
    path_ = program_file(program_, options_.keep_file);
    removal_.path = options_.keep_file.empty() ? path_ : "";
    // Ahead of time where the program allows it: a lean tracer that attaches at once.
    tracer_ = choose_tracer(spec_, program_, path_, options_, bpftrace_version);
    if (auto status = prepare_target()) return *status;
    return trace_and_report();
  }

 private:
  std::optional<int> start_exports() {
    if (!options_.exports.any()) return std::nullopt;
    try {
      exports_.emplace(spec_, options_.exports, target::description(spec_.target));
    } catch (const exporter::ExportError& e) {
      return fail(exit_usage_error, e.what());
    }
    if (!exports_->serving_at().empty()) std::cerr << "ebpfgen: metrics at " << exports_->serving_at() << "\n";
    return std::nullopt;
  }

  // A command target is launched held in a cgroup of its own, whose id is the program's $1; a
  // process target is watched, and the run ends when it does.
  std::optional<int> prepare_target() {
    const target::Resolved& resolved = *spec_.resolved;
    if (spec_.target.kind == ast::TargetKind::Command) {
      try {
        command_.emplace(spec_.target.argv, facts_.cgroup2);
      } catch (const std::exception& e) {
        return fail(exit_bpftrace_failed, e.what());
      }
      tracer_.args.push_back(std::to_string(command_->cgroup_id()));
      // Whatever ends the run, what is left of the command ends with it.
      target_end_.emplace([this](const std::atomic<bool>&) { return "the command " + command_->wait(); },
                          [this] { command_->kill_all(); });
    } else if (resolved.watched) {
      target_end_.emplace([&resolved](const std::atomic<bool>& over) {
        return target::wait_for_exit(*resolved.watched, over) ? resolved.watched_name + " exited" : "";
      });
    }
    if (options_.verbose) {
      std::cerr << "ebpfgen: tracer: " << tracer_.description << "\n";
      std::cerr << "ebpfgen: running: " << tracer_.tracer;
      for (const auto& a : tracer_.args) std::cerr << " " << shown(a);
      std::cerr << "\n";
    }
    if (exports_) exports_->tracer(tracer_.description);
    return std::nullopt;
  }

  int trace_and_report();
  void note_how_it_ended(const BpftraceExit& exit, TracerOutput& output);
  int write_outputs(const std::vector<report::Window>& windows, const report::RunFacts& facts);

  CheckedSpec spec_;
  const Source& source_;
  const kernel::Facts& facts_;
  const RunOptions& options_;
  std::optional<exporter::Exporter> exports_;
  std::string program_, path_;
  Removal removal_;
  TracerRun tracer_;
  std::optional<LaunchedCommand> command_;
  std::optional<TargetEnd> target_end_;
  std::ostringstream buffered_;  // -o's report, written when the run ends
  bool unwritable_ = false;      // stdout closed (a pipe whose reader left) or full
  int write_error_ = 0;
  bool failed_ = false;
};

int TracedRun::trace_and_report() {
  std::ostream& out = options_.output_file.empty() ? std::cout : buffered_;
  auto reporter = report::make_reporter(options_.format, out, spec_);
  TracerOutput output(spec_, program_, *reporter, exports_ ? &*exports_ : nullptr, tracer_.compiled,
                      {[&] {
                         if (command_) command_->release();  // it runs from here on
                         if (target_end_) target_end_->start();
                         if (options_.keep_file.empty()) removal_.now();  // bpftrace has read it
                       },
                       [&] {
                         // The report cannot be written, so the run ends.
                         if (out || unwritable_) return;
                         unwritable_ = true;
                         write_error_ = errno;  // of the write that failed
                         stop_bpftrace();
                       }});
  report::RunFacts& facts = output.facts();
  facts.tracer = tracer_.description;
  BpftraceExit exit;
  {
    // From here to the end, a Ctrl-C or SIGTERM goes to the tracer once, then is only noted, so
    // that a second one cannot cut the report short; a closed stdout is a failed write.
    InterruptHandling interrupts;
    exit = run_bpftrace(tracer_.tracer, tracer_.args, [&](const std::string& line) { output.line(line); },
                        tracer_.compiled ? StopBy::StopMap : StopBy::Signal, tracer_.environment);
    note_how_it_ended(exit, output);
    const auto& windows = output.windows();
    if (spec_.io) facts.mounts = target::mount_tables(report::record_pids(windows));
    if (output.collected() && !windows.empty()) {
      auto run = report::merge_windows(windows, [&](const std::string& name) { return report::merge_rule(spec_, name); });
      reporter->summary(run, report::request_figures(run, spec_.metrics), facts);
    }
    if (exports_) exports_->finish(facts);
    return write_outputs(windows, facts);
  }
}

// How the run ended, said on stderr and kept for the summary.
void TracedRun::note_how_it_ended(const BpftraceExit& exit, TracerOutput& output) {
  if (target_end_) target_end_->finish();
  auto ended_by_target = target_end_ ? target_end_->ended_the_run() : std::nullopt;
  output.finish();
  if (options_.verbose)
    for (const auto& w : exit.warnings) std::cerr << shown(w) << "\n";
  report::RunFacts& facts = output.facts();
  if (facts.skipped_runs) std::cerr << "ebpfgen: " << report::skipped_runs_warning(facts.skipped_runs) << "\n";
  facts.map_failures = output.map_failures();
  for (const auto& failure : facts.map_failures)
    std::cerr << "ebpfgen: " << report::map_failure_warning(failure, spec_.map_key_limit()) << "\n";
  facts.interrupted = exit.interrupted;
  failed_ = exit.status != 0 && !exit.interrupted;
  if (failed_) {
    show_bpftrace_errors(exit.errors, program_, path_);
    if (exit.errors.empty()) print_error(fmt::format("bpftrace stopped with status {}", exit.status));
    facts.ended_by = output.collected() ? "bpftrace stopped with an error" : "";
  } else if (ended_by_target) {
    facts.interrupted = false;
    facts.ended_by = *ended_by_target;
    std::cerr << "ebpfgen: " << shown(*ended_by_target) << "; the run ends here\n";
  } else if (exit.interrupted) {
    facts.ended_by = "interrupted";
  }
}

// -o's report and --report's page, written atomically; stdout's last flush.
int TracedRun::write_outputs(const std::vector<report::Window>& windows, const report::RunFacts& facts) {
  if (!options_.output_file.empty()) {
    try {
      exporter::write_atomically(options_.output_file, buffered_.str());
    } catch (const std::exception& e) {
      // Not lost: it goes to stdout instead.
      print_error(std::string(e.what()) + "; the report follows on stdout");
      std::cout << buffered_.str() << std::flush;
      return exit_output_failed;
    }
  }
  if (!options_.report_file.empty()) {
    auto run = report::merge_windows(windows, [&](const std::string& name) { return report::merge_rule(spec_, name); });
    try {
      exporter::write_atomically(options_.report_file, exporter::html_report(spec_, source_, windows, run, facts));
    } catch (const std::exception& e) {
      return fail(exit_output_failed, std::string("--report: ") + e.what());
    }
  }
  if (std::cout && !(std::cout << std::flush)) write_error_ = errno;
  if (!std::cout || unwritable_) {
    return fail(exit_output_failed, fmt::format("cannot write the report to stdout: {}; it is incomplete",
                                                write_error_ ? std::strerror(write_error_) : "write failed"));
  }
  return failed_ ? exit_bpftrace_failed : exit_success;
}

}  // namespace

int trace(CheckedSpec spec, const Source& source, const kernel::Facts& facts, const RunOptions& options) {
  return TracedRun(std::move(spec), source, facts, options).run();
}

}  // namespace ebpfgen::pipeline
