#include "kernel/list.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "symbols/binary_path.hpp"
#include "symbols/elf_symbols.hpp"

namespace ebpfgen::kernel {

namespace {

bool glob(const std::string& pattern, const std::string& text) { return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0; }

// The fields of a record, the way a spec names them.
void add_fields(Listing& out, const std::vector<EventField>& fields) {
  for (const auto& f : fields) out.lines.push_back(fmt::format("    args.{}  {}", f.name, f.type));
}

void list_syscalls(Listing& out, const std::string& pattern, bool verbose, const Facts& facts) {
  const SyscallCatalog& catalog = facts.syscalls;
  if (catalog.origin() != "kernel tracefs") out.notes.push_back("syscalls from the built-in x86-64 table: tracefs is not mounted");
  for (const auto& name : catalog.names()) {
    if (!glob(pattern, name)) continue;
    out.lines.push_back("syscall:" + name);
    if (verbose) add_fields(out, catalog.find(name)->args);
  }
}

void list_tracepoints(Listing& out, const std::string& category, const std::string& event, bool verbose,
                      const Facts& facts) {
  if (!facts.tracefs) {
    out.notes.push_back("tracepoints: tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
    return;
  }
  for (const auto& [cat, ev] : facts.available_events()) {
    if (!glob(category, cat) || !glob(event, ev)) continue;
    out.lines.push_back(fmt::format("tracepoint:{}:{}", cat, ev));
    if (verbose)
      if (auto fields = facts.tracepoint_fields(cat, ev)) add_fields(out, *fields);
  }
}

void list_kprobes(Listing& out, const std::string& pattern, const Facts& facts) {
  if (!facts.kprobes) {
    out.notes.push_back("kprobes: this kernel cannot attach them (no kprobe PMU, no kprobe_events in tracefs)");
    return;
  }
  for (const auto& name : facts.kernel_functions(pattern)) out.lines.push_back("kprobe:" + name);
}

void list_uprobes(Listing& out, const std::string& binary_name, const std::string& pattern) {
  std::string binary;
  std::vector<symbols::Function> functions;
  try {
    binary = symbols::find_binary(binary_name);
    functions = symbols::read_functions(binary);
  } catch (const std::exception& e) {
    throw ListError(e.what());
  }
  std::vector<std::string> names;
  for (const auto& f : functions)
    if (glob(pattern, f.mangled)) names.push_back(fmt::format("uprobe:{}:{}", binary, f.mangled));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  out.lines.insert(out.lines.end(), names.begin(), names.end());
}

}  // namespace

Listing list_probes(const std::string& pattern, bool verbose, const Facts& facts) {
  Listing out;
  auto colon = pattern.find(':');
  std::string type = colon == std::string::npos ? "" : pattern.substr(0, colon);
  std::string rest = colon == std::string::npos ? pattern : pattern.substr(colon + 1);
  if (type.empty()) {
    // A bare word: matched anywhere in syscall and tracepoint names.
    std::string anywhere = rest.find_first_of("*?[") == std::string::npos ? "*" + rest + "*" : rest;
    list_syscalls(out, anywhere, verbose, facts);
    for (const auto& [cat, ev] : facts.available_events()) {
      if (!glob(anywhere, cat + ":" + ev)) continue;
      out.lines.push_back(fmt::format("tracepoint:{}:{}", cat, ev));
      if (verbose)
        if (auto fields = facts.tracepoint_fields(cat, ev)) add_fields(out, *fields);
    }
    if (!facts.tracefs) out.notes.push_back("tracepoints: tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
  } else if (type == "syscall") {
    list_syscalls(out, rest, verbose, facts);
  } else if (type == "tracepoint" || type == "t") {
    auto second = rest.find(':');
    list_tracepoints(out, rest.substr(0, second), second == std::string::npos ? "*" : rest.substr(second + 1), verbose,
                     facts);
  } else if (type == "kprobe" || type == "k") {
    list_kprobes(out, rest.empty() ? "*" : rest, facts);
  } else if (type == "uprobe" || type == "u") {
    auto last = rest.rfind(':');
    if (last == std::string::npos || last == 0) throw ListError("list a binary's functions with uprobe:BINARY:PATTERN, e.g. uprobe:bash:read*");
    list_uprobes(out, rest.substr(0, last), rest.substr(last + 1).empty() ? "*" : rest.substr(last + 1));
  } else {
    throw ListError(fmt::format("--list: '{}' is not a probe type here: syscall, tracepoint, kprobe or uprobe", type));
  }
  return out;
}

}  // namespace ebpfgen::kernel
