#include "pipeline/pipeline.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "check/check.hpp"
#include "codegen/codegen.hpp"
#include "target/description.hpp"
#include "kernel/list.hpp"
#include "parse/parse.hpp"
#include "run/preflight.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::pipeline {

namespace {

using namespace ebpfgen::run;

// --targets: what the target resolves to now.
int show_target(const ast::Target& target, const kernel::Facts& facts) {
  std::cout << "target: " << shown(target::description(target)) << "\n";
  for (const auto& fact : target::resolve_target(target, facts).facts) std::cout << "  " << shown(fact) << "\n";
  return 0;
}

// --emit shows what a container resolves to; the program itself takes it as $1, so it
// can still be written for a container that is not running here.
std::vector<std::string> container_facts(const ast::Target& target, const kernel::Facts& facts) {
  try {
    return target::resolve_target(target, facts).facts;
  } catch (const target::TargetError& e) {
    std::cerr << "ebpfgen: warning: " << shown(e.what()) << "\n";
    return {"not found when this program was made: give its mount namespace inode as $1 (ebpfgen --targets shows it)"};
  }
}

// The spec as parsed, with the command line's replacements; nothing when a replacement
// does not fit the spec (said on stderr).
std::optional<ast::Spec> spec_of(const Request& r) {
  auto spec = r.source.text.empty() && r.action == Action::Targets ? ast::Spec{} : parse_spec(r.source);
  if (r.target) {
    // --container NAME names another container of the spec's runtime, unless --runtime says otherwise.
    std::string runtime;
    if (spec.target && spec.target->kind == ast::TargetKind::Container) runtime = spec.target->runtime;
    spec.target = r.target;
    if (spec.target->kind == ast::TargetKind::Container) spec.target->runtime = runtime;
  }
  if (r.runtime) {
    if (!spec.target || spec.target->kind != ast::TargetKind::Container) {
      print_error("--runtime is for a container target");
      return std::nullopt;
    }
    spec.target->runtime = *r.runtime;
  }
  if (r.descendants) {
    if (!spec.target || spec.target->kind != ast::TargetKind::Pid) {
      print_error("--descendants is for a pid target");
      return std::nullopt;
    }
    spec.target->descendants = true;
  }
  if (r.duration_ms) spec.duration = ast::Duration{*r.duration_ms, {}};
  return spec;
}

}  // namespace

int run(const Request& r) {
  try {
    auto spec = spec_of(r);
    if (!spec) return exit_usage_error;
    if (r.action == Action::Targets) {
      auto options = r.kernel;
      options.read_syscalls = false;
      return show_target(spec->target.value_or(ast::Target{}), kernel::read_facts(options));
    }
    auto facts = kernel::read_facts(r.kernel);
    // A --cgroup is not in the spec, so its directory is not a spec error but a target not found.
    if (r.target_is_cgroup_option) {
      if (auto missing = target::missing_cgroup(spec->target->value, facts.cgroup2); !missing.empty()) {
        throw target::TargetError(missing);
      }
    }
    auto checked = check_program(*spec, facts);
    if (r.action == Action::Emit) {
      if (checked.target.kind == ast::TargetKind::Container) {
        checked.target_facts = checked.resolved ? checked.resolved->facts : container_facts(checked.target, facts);
      }
      std::cout << generate_program(checked, r.source);
    }
    if (r.action == Action::Run) return run_spec(checked, r.source, facts, r.run);
    return 0;
  } catch (const SpecError& e) {
    std::cerr << render(r.source, e);
    return exit_spec_error;
  } catch (const target::TargetError& e) {
    return fail(exit_no_target, e.what());
  } catch (const std::exception& e) {  // the machine failed us: a file, a process, a pipe
    return fail(exit_bpftrace_failed, e.what());
  }
}

int list_probes(const std::string& pattern, bool verbose) {
  try {
    auto listing = kernel::list_probes(pattern, verbose, kernel::read_facts());
    for (const auto& line : listing.lines) std::cout << shown(line) << "\n";
    for (const auto& note : listing.notes) std::cerr << "ebpfgen: note: " << note << "\n";
    if (listing.lines.empty()) {
      std::cerr << "ebpfgen: nothing matches '" << shown(pattern) << "'\n";
      return exit_spec_error;
    }
  } catch (const kernel::ListError& e) {
    return fail(exit_usage_error, e.what());
  }
  return 0;
}

int list_symbols(const std::string& binary_name, const std::optional<std::string>& pattern,
                 const std::optional<ast::Target>& target) {
  try {
    std::string name = binary_name;
    if (name.find('/') != std::string::npos && name.front() != '/') name = std::filesystem::absolute(name).string();
    auto root = target::binaries_root(target::resolve_target(target.value_or(ast::Target{}), kernel::read_facts({.read_syscalls = false})));
    std::string binary = symbols::find_binary(name, root);
    auto functions = symbols::read_functions(binary);
    if (pattern) {
      std::string glob = pattern->find_first_of("*?") == std::string::npos ? "*" + *pattern + "*" : *pattern;
      functions = symbols::resolve_function(functions, glob, binary).functions;
    }
    for (const auto& f : functions) {
      std::cout << shown(f.demangled);
      if (f.mangled != f.demangled) std::cout << "  " << shown(f.mangled);
      std::cout << "\n";
    }
    std::cerr << fmt::format("{} function{} in {}\n", functions.size(), functions.size() == 1 ? "" : "s", shown(binary));
  } catch (const symbols::Error& e) {
    std::vector<std::string> notes;
    for (const auto& note : e.notes) notes.push_back("note: " + note);
    return fail(exit_spec_error, e.what(), notes);
  } catch (const target::TargetError& e) {
    return fail(exit_no_target, e.what());
  }
  return 0;
}

}  // namespace ebpfgen::pipeline
