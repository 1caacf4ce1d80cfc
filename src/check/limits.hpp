// The limits a spec can reach, in one table: bpftrace 0.17's and the BPF
// verifier's, and the bounds ebpfgen sets (docs/LANGUAGE.md section 9).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ebpfgen {

// bpftrace's strings hold 63 bytes: BPFTRACE_STRLEN is 64, with the closing NUL.
inline constexpr std::size_t bpftrace_max_string = 63;
// bpftrace attaches at most BPFTRACE_MAX_PROBES probes, 512 by default, and refuses a
// program with more ("Can't attach to N probes", or, with `probe` in a glob's block, "more
// than N BPF programs"). It counts every attach point once its globs are expanded.
inline constexpr std::size_t bpftrace_max_probes = 512;
// The BPF stack of one program, 512 bytes (MAX_BPF_STACK); measured against
// bpftrace 0.17, a printf of 62 integers fits and one of 63 does not.
inline constexpr std::size_t bpf_stack_limit = 512;
// Durations and windows: a year, so that nsecs + the duration in ns stays far inside 64 bits.
inline constexpr std::uint64_t max_duration_ms = 8760ULL * 3'600'000;
// Keys per map: bpftrace preallocates each map, about 100 bytes a key (a
// million keys is about 100 MB for each map of the program).
inline constexpr std::uint64_t max_map_keys = 1'048'576;

}  // namespace ebpfgen
