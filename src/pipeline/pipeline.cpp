#include "pipeline/pipeline.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "codegen/codegen.hpp"
#include "target/description.hpp"
#include "kernel/list.hpp"
#include "parse/parse.hpp"
#include "diag/exit_status.hpp"
#include "pipeline/trace.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"
#include "target/resolve.hpp"

namespace ebpfgen::pipeline {

namespace {

// --targets: what the target resolves to now.
int show_target(const ast::Target& target, const kernel::Facts& facts) {
  std::cout << "target: " << shown(target::description(target)) << "\n";
  for (const auto& fact : target::resolve_target(target, facts).facts) std::cout << "  " << shown(fact) << "\n";
  return 0;
}

}  // namespace

int run(const Request& r) {
  try {
    auto spec = spec_of(r.source, r.overrides, r.action);
    if (r.action == Action::Targets) {
      auto options = r.kernel;
      options.read_syscalls = false;
      return show_target(spec.target.value_or(ast::Target{}), kernel::read_facts(options));
    }
    auto facts = kernel::read_facts(r.kernel);
    auto checked = prepare(spec, facts, r.action, r.overrides.target_is_cgroup_option);
    switch (r.action) {
      case Action::Emit: std::cout << generate_program(checked, r.source); return exit_success;
      case Action::Run: return trace(std::move(checked), r.source, facts, r.run);
      default: return exit_success;
    }
  } catch (const UsageError& e) {
    return fail(exit_usage_error, e.what());
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
    if (target) check_target_option(*target);
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
  } catch (const UsageError& e) {
    return fail(exit_usage_error, e.what());
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
