// Ending a run under bpftrace-aotrt: its 0.17 runtime dies on SIGINT without
// running END, so the generated program's clock polls a map, @_stop, and
// exits by itself once ebpfgen sets it (with the bpf() syscall, on the map
// that the tracer process holds).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ebpfgen::run {

// Sets the scalar map bpftrace calls `@name` in the process `tracer` to 1.
// Returns "" on success, else what went wrong.
std::string set_stop_map(pid_t tracer, const std::string& name = "_stop");

// How many times the kernel skipped one of the tracer's BPF programs because it
// fired while another BPF program ran on that CPU (recursion_misses, summed over
// the programs the process holds).
std::uint64_t skipped_program_runs(pid_t tracer);

}  // namespace ebpfgen::run
