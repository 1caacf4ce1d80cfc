// The pieces codegen assembles a program from; one file each.
#pragma once

#include <string>
#include <vector>

#include "check/check.hpp"
#include "diag/diagnostic.hpp"

namespace ebpfgen::codegen {

// What every part needs to know about the whole program.
struct ProgramContext {
  const CheckedSpec& spec;
  const Source& source;
  std::string target_filter;  // bpftrace predicate text for the target, "" for all
};

// A generated section, the result maps it fills and the helper maps to clear at exit.
struct Section {
  std::string code;
  std::vector<std::string> results;
  std::vector<std::string> helpers;
};

// `spec.obs:12: on syscall read { ... }`: where a probe came from.
std::string origin_comment(const ProgramContext& program, const Location& where);
// "/a && (b)/" from the parts that apply, or "" when none does.
std::string predicate(const std::vector<std::string>& conditions);

Section request_metrics_section(const ProgramContext& program);
Section block_section(const ProgramContext& program, const CheckedBlock& block, int index);

}  // namespace ebpfgen::codegen
