// bpftrace's ahead-of-time runtime: a program compiled once with
// `bpftrace --aot FILE program.bt` runs under `bpftrace-aotrt FILE`, which
// does not keep LLVM in memory and attaches at once. bpftrace 0.17 compiles
// this way only programs without `curtask`, casts and positional parameters
// (so pid, comm, cgroup and whole-system targets, not containers or launched
// commands); anything else runs under plain bpftrace.
#pragma once

#include <optional>
#include <string>

namespace ebpfgen::run {

// The compiled file for `program` (the text of `program_path`), from the cache, kept by
// the program's text and bpftrace's `version_line`, or compiled now; nothing when this
// program cannot run ahead of time, with `why`.
std::optional<std::string> aot_compiled(const std::string& program, const std::string& program_path,
                                        const std::string& bpftrace, const std::string& version_line,
                                        std::string& why);

// Where compiled programs are kept: $XDG_CACHE_HOME/ebpfgen, else ~/.cache/ebpfgen.
std::string aot_cache_dir();

}  // namespace ebpfgen::run
