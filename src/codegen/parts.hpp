// The pieces codegen assembles a program from; one file each.
#pragma once

#include <functional>
#include <set>
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
  // Attach points used by more than one probe. bpftrace 0.17 loses the events
  // of one of them when such a point is also part of a list of attach points,
  // so probes on them are written one point each.
  std::set<std::string> shared_points;
};

// Renders one probe per group of attach points: the points no other probe
// uses stay together in one probe, each shared point gets a probe of its own.
std::string render_probes(const ProgramContext& program, const std::vector<std::string>& points,
                          const std::function<std::string(const std::string& attach)>& render);

// A generated section, the result maps it fills and the helper maps to clear at exit.
struct Section {
  std::string code;
  std::vector<std::string> results;     // printed and cleared at every cut
  std::vector<std::string> cumulative;  // printed at every cut, never cleared (the report takes differences)
  std::vector<std::string> helpers;
  std::vector<std::string> at_cut;      // statements the clock runs at every cut
};

// `spec.obs:12: on syscall read { ... }`: where a probe came from.
std::string origin_comment(const ProgramContext& program, const Location& where);
// "/a && (b)/" from the parts that apply, or "" when none does.
std::string predicate(const std::vector<std::string>& conditions);

Section request_metrics_section(const ProgramContext& program);
std::vector<std::string> request_metrics_points(const CheckedSpec& spec);
Section block_section(const ProgramContext& program, const CheckedBlock& block, int index);
std::vector<std::string> block_points(const CheckedBlock& block, SyscallStyle style);

}  // namespace ebpfgen::codegen
