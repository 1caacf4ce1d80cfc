#include "check/functions.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "spec/limits.hpp"
#include "check/stack.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"

namespace ebpfgen {

namespace {


// A symbol the generated program may name: what bpftrace 0.17 parses in an attach
// point (a '$' there is a syntax error).
bool attachable(const std::string& mangled) {
  static const std::regex word("[A-Za-z0-9_.]+");
  return std::regex_match(mangled, word);
}

// What a uprobe block's `func` prints for each function: the C++ name without
// parameters, or with them when the block has several overloads, cut to fit
// bpftrace's 64-byte strings.
std::vector<std::string> function_labels(const std::vector<std::string>& demangled) {
  constexpr std::size_t longest = bpftrace_max_string;
  std::vector<std::string> bare;
  for (const auto& f : demangled) bare.push_back(symbols::name_without_parameters(f));
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < demangled.size(); ++i) {
    bool overloaded = std::count(bare.begin(), bare.end(), bare[i]) > 1;
    std::string label = overloaded ? demangled[i] : bare[i];
    labels.push_back(label.size() > longest ? label.substr(0, longest - 3) + "..." : label);
  }
  return labels;
}

}  // namespace

bool has_uprobes(const CheckedSpec& spec) { return std::any_of(spec.blocks.begin(), spec.blocks.end(), [](const CheckedBlock& b) { return b.is_uprobe(); }); }

void check_functions(CheckedSpec& spec, const std::map<std::size_t, symbols::Binary>& binaries) {
  std::vector<Diagnostic> problems;
  for (const auto& [index, binary] : binaries) {
    auto& block = spec.blocks[index];
    const auto& probe = block.probe;
    const ast::Name& function = probe.names.front();
    if (binary.error) {
      problems.push_back({probe.binary.where, binary.error->what(), binary.error->notes});
      continue;
    }
    block.binary = binary.path;
    try {
      auto found = symbols::resolve_function(binary.functions, function.text, block.binary);
      block.attach.clear();
      block.functions.clear();
      for (const auto& f : found.functions) {
        if (!attachable(f.mangled)) continue;  // such names cannot be written in a bpftrace attach point
        block.attach.push_back(f.mangled);
        block.functions.push_back(f.demangled);
      }
      block.labels = function_labels(block.functions);
      block.points = block.attach.size();
      try {
        if (!block.attach.empty()) check_stack(block, spec);  // with the names `func` prints
      } catch (const SpecError& e) {
        problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
      }
      std::size_t probes = block.attach.size() * (block.paired ? 2 : 1);
      if (block.attach.empty()) {
        problems.push_back({function.where, fmt::format("'{}' names no function bpftrace can attach to", function.text)});
      } else if (probes > bpftrace_max_probes) {
        problems.push_back({function.where, fmt::format("'{}' matches {} functions{}; bpftrace attaches at most {} "
                                                        "probes: narrow it",
                                                        function.text, block.attach.size(),
                                                        block.paired ? ", two probes each (entry and return)" : "",
                                                        bpftrace_max_probes)});
      }
    } catch (const symbols::Error& e) {
      problems.push_back({function.where, e.what(), e.notes});
    }
  }
  if (!problems.empty()) throw SpecError(std::move(problems));
  check_probe_total(spec);  // now with every function found
}

}  // namespace ebpfgen
