// The limits a spec and its program can reach, in one table: bpftrace 0.17's,
// the kernel's and the BPF verifier's, and the bounds ebpfgen sets
// (docs/LANGUAGE.md section 9). Every stage takes them from here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ebpfgen {

// bpftrace's strings: BPFTRACE_STRLEN bytes, the closing NUL included, so 63 of text.
inline constexpr std::size_t bpftrace_strlen = 64;
inline constexpr std::size_t bpftrace_max_string = bpftrace_strlen - 1;
// A task's name (comm): TASK_COMM_LEN bytes, the closing NUL included, so 15 characters.
inline constexpr std::size_t task_comm_len = 16;
inline constexpr std::size_t max_comm_chars = task_comm_len - 1;
// A BPF map's name in the kernel (BPF_OBJ_NAME_LEN, with its NUL): bpftrace's "AT_" names are cut to it.
inline constexpr std::size_t kernel_map_name_chars = 15;
// bpftrace attaches at most BPFTRACE_MAX_PROBES probes, 512 by default, and refuses a
// program with more ("Can't attach to N probes", or, with `probe` in a glob's block, "more
// than N BPF programs"). It counts every attach point once its globs are expanded.
inline constexpr std::size_t bpftrace_max_probes = 512;
// The BPF stack of one program, 512 bytes (MAX_BPF_STACK); measured against
// bpftrace 0.17, a printf of 62 integers fits and one of 63 does not.
inline constexpr std::size_t bpf_stack_limit = 512;
// Durations and windows: a year, so that nsecs + the duration in ns stays far inside 64 bits.
inline constexpr std::uint64_t max_duration_ms = 8760ULL * 3'600'000;
// Keys per map: bpftrace's default (BPFTRACE_MAP_KEYS_MAX unset), and the most `option
// map_keys` allows. bpftrace preallocates each map, about 100 bytes a key (a million keys is
// about 100 MB for each map of the program).
inline constexpr std::uint64_t default_map_keys = 4096;
inline constexpr std::uint64_t max_map_keys = 1'048'576;
// A kernel symbol's name (KSYM_NAME_LEN), and a path (PATH_MAX).
inline constexpr std::size_t max_kernel_symbol = 512;
inline constexpr std::size_t max_path = 4096;
// Linux pids are at most 2^22 (PID_MAX_LIMIT).
inline constexpr unsigned long max_pid = 4'194'304;

}  // namespace ebpfgen
