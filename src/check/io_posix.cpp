#include "check/io_posix.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "spec/limits.hpp"
#include "check/text_rules.hpp"
#include "spec/io_counters.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"

namespace ebpfgen {

const std::vector<std::string>& io_posix_syscalls() {
  static const std::vector<std::string> names = {
      "open", "openat", "openat2", "creat",                              // records and their descriptors
      "read", "pread64", "readv", "preadv", "preadv2",                   // reads
      "write", "pwrite64", "writev", "pwritev", "pwritev2",              // writes
      "lseek", "fsync", "fdatasync", "close", "mmap",                    // by descriptor
      "dup", "dup2", "dup3", "fcntl",                                    // descriptors of the same record
      "newstat", "newlstat", "newfstat", "newfstatat", "statx",          // stats
      "rename", "renameat", "renameat2"};
  return names;
}

IoPosixPlan check_io_posix(const ast::Spec& spec, const SyscallCatalog& catalog) {
  const ast::IoPosix& io = *spec.io;
  IoPosixPlan plan;
  plan.where = io.where;
  if (spec.window) {
    throw SpecError(spec.window->where, "io posix reports each file's counters once, when the run ends: it takes no window",
                    {fmt::format("io posix is at line {}", io.where.line)});
  }
  std::set<std::string> seen;
  auto take = [&](const std::vector<ast::Name>& prefixes, std::vector<std::string>& into) {
    for (const auto& p : prefixes) {
      if (p.text.empty() || p.text.front() != '/') {
        throw SpecError(p.where, "a prefix is an absolute path: it starts with '/' (a relative path is never matched)");
      }
      if (has_control_chars(p.text) ||
          p.text.find('"') != std::string::npos || p.text.find('\\') != std::string::npos) {
        throw SpecError(p.where, "a prefix must be printable, without '\"' or '\\'");
      }
      if (p.text.size() > bpftrace_max_string) {
        throw SpecError(p.where, too_long_for_bpftrace("prefix", p.text.size()));
      }
      if (!seen.insert(p.text).second) throw SpecError(p.where, fmt::format("prefix \"{}\" is listed twice", p.text));
      into.push_back(p.text);
    }
  };
  if (io.exclude_given) take(io.exclude, plan.exclude);
  else plan.exclude = io::default_excluded_prefixes();
  take(io.include, plan.include);
  for (const auto& name : io_posix_syscalls())
    if (catalog.find(name)) plan.syscalls.push_back(name);
  for (const char* needed : {"openat", "read", "write", "close"}) {
    if (!catalog.find(needed)) {
      throw SpecError(io.where, fmt::format("io posix needs the syscall tracepoint of {}, which this kernel does not have", needed),
                      {fmt::format("checked against the {}", catalog.origin())});
    }
  }
  return plan;
}

void check_fileno(IoPosixPlan& plan, const symbols::Binary& libc) {
  try {
    if (libc.error) throw *libc.error;
    const std::string& library = libc.path;
    auto found = symbols::resolve_function(libc.functions, "fileno", library);
    if (found.functions.front().mangled != "fileno") throw symbols::Error("no function named fileno in " + library);
    // It goes into the program's attach point, in quotes.
    if (!matches(library, "[A-Za-z0-9/._+-]+")) {
      throw symbols::Error("the C library's path has characters an attach point cannot hold");
    }
    plan.fileno_library = library;
  } catch (const symbols::Error& e) {
    plan.fileno_missing = e.what();
  }
}

}  // namespace ebpfgen
