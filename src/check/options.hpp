// The spec's `option` lines and its `metrics` line: their names, their values,
// and the probes the request metrics take (socket tracepoints or syscalls).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "check/check.hpp"

namespace ebpfgen {

struct Options {
  SyscallStyle style = SyscallStyle::Tracepoint;
  std::optional<RequestProbes> request_probes;  // unset: the socket tracepoints where the kernel has them
  std::optional<std::uint64_t> map_keys;        // unset: bpftrace's default_map_keys
};

// Throws SpecError.
Options check_options(const std::vector<ast::Option>& options);

// The metrics named, with the send, receive and wait syscalls this kernel has. Throws SpecError.
RequestMetrics check_metrics(const std::vector<ast::Name>& names, const SyscallCatalog& catalog);

// Socket tracepoints where they can be had, syscalls otherwise (or as `asked`); and why,
// for the program's comments. Throws SpecError at `where` when the kernel lacks what was asked.
void choose_request_probes(RequestMetrics& m, std::optional<RequestProbes> asked, const Location& where,
                           const SyscallCatalog& catalog);

}  // namespace ebpfgen
