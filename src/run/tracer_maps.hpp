// The running tracer's maps and programs, through the bpf() syscall and the
// fds the tracer process holds (/proc/PID/fdinfo): the stop switch, the
// programs' skipped runs, and maps that filled up.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/maps.hpp"

namespace ebpfgen::run {

// Ending a run under bpftrace-aotrt: its 0.17 runtime dies on SIGINT without
// running END, so the generated program's clock polls a map (clock_maps::stop) and
// exits by itself once ebpfgen sets it.
// Sets the scalar map bpftrace calls `@name` in the process `tracer` to 1.
// Returns "" on success, else what went wrong.
std::string set_stop_map(pid_t tracer, std::string_view name = clock_maps::stop);

// How many times the kernel skipped one of the tracer's BPF programs because it
// fired while another BPF program ran on that CPU (recursion_misses, summed over
// the programs the process holds).
std::uint64_t skipped_program_runs(pid_t tracer);

// A hash map of the tracer that holds as many keys as it can: further inserts fail.
struct FullMap {
  std::string kernel_name;  // "AT_" + bpftrace's name, cut to 15 characters by the kernel
  std::uint32_t max_entries = 0;
};
std::vector<FullMap> full_maps(pid_t tracer);

}  // namespace ebpfgen::run
