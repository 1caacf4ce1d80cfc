// libFuzzer target: the input is spec text, run through parse -> check ->
// codegen as `ebpfgen --emit --syscall-table builtin` runs it, and every
// SpecError is rendered as ebpfgen prints it. A SpecError is the expected
// answer to a bad spec; anything else (another exception, a crash, a hang,
// a leak, undefined behaviour) is a finding.
//
// What the stages do on the machine while fuzzing: nothing is written and no
// process is started. Uprobe blocks are checked but not resolved (that reads
// ELF binaries on this machine), so no program is generated for them. Check
// still reads a few things: for `tracepoint` blocks, tracefs (the event's
// /sys/kernel/tracing/events/CATEGORY/NAME/format, the events a glob matches
// and their formats, and the list of events for "did you mean"; the name has
// only letters, digits, '_' and '*'), for a kprobe glob, tracefs's
// available_filter_functions, and for a `target cgroup`, /proc/self/mounts
// (where cgroup v2 is mounted) and whether its directory exists. Codegen
// reads nothing; container and command targets read nothing either: the
// program takes them as $1.
//
// Built by -Dfuzzing=true (tests/fuzz/meson.build); run by scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check/check.hpp"
#include "check/functions.hpp"
#include "codegen/codegen.hpp"
#include "diag/diagnostic.hpp"
#include "parse/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The built-in syscall table, this kernel's tracepoints.
  static const ebpfgen::kernel::Facts facts = ebpfgen::kernel::read_facts({ebpfgen::kernel::SyscallTable::Builtin});
  ebpfgen::Source source{"fuzz.obs", std::string(reinterpret_cast<const char*>(data), size)};
  try {
    auto spec = ebpfgen::parse_spec(source);
    auto checked = ebpfgen::check_spec(spec, facts);
    if (ebpfgen::has_uprobes(checked)) return 0;
    std::string program = ebpfgen::generate_program(checked, source);
    if (program.empty()) __builtin_trap();  // a checked spec always makes a program
  } catch (const ebpfgen::SpecError& e) {
    std::string text = ebpfgen::render(source, e);
    if (text.empty()) __builtin_trap();  // every error says something
  }
  // Any other exception leaves this function: libFuzzer reports it as a crash.
  return 0;
}
