#include "check/probe.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "check/syscall_groups.hpp"
#include "check/text_rules.hpp"
#include "diag/suggest.hpp"
#include "spec/limits.hpp"

namespace ebpfgen {

namespace {

class ProbeResolver {
 public:
  explicit ProbeResolver(const kernel::Facts& facts) : facts_(facts), catalog_(facts.syscalls) {}

  ProbeResolution run(const ast::Probe& probe) {
    out_.context.kind = probe.kind;
    resolve(probe);
    return std::move(out_);
  }

 private:
  void resolve(const ast::Probe& probe) {
    switch (probe.kind) {
      case ast::ProbeKind::Syscall:
        for (const auto& name : probe.names) add_syscalls(name);
        break;
      case ast::ProbeKind::Tracepoint:
        for (const auto& name : probe.names) add_tracepoint(name);
        break;
      case ast::ProbeKind::Uprobe:
      case ast::ProbeKind::Uretprobe: {
        // Both are looked up in the binary before anything is generated (resolve_functions).
        const auto& fn = probe.names.front();
        if (fn.text.empty() || fn.text.size() > 1000 ||
            !matches(fn.text, R"([A-Za-z0-9_.$*?:~()<>,&\[\] +\-]+)")) {
          throw SpecError(fn.where, "a function name may use only letters, digits, blanks and _ . $ : ~ ( ) < > , & [ ] "
                                    "+ -, with '*' and '?' as wildcards");
        }
        if (probe.binary.text.size() > max_path || !matches(probe.binary.text, "[A-Za-z0-9/._+-]+") ||
            matches(probe.binary.text, "(.*/)?\\.\\.(/.*)?")) {
          throw SpecError(probe.binary.where, "a binary is named with only letters, digits and '/', '.', '_', '+', "
                                              "'-', and no '..'");
        }
        out_.attach.push_back(fn.text);
        out_.points = 1;  // until resolve_functions has found the functions
        break;
      }
      case ast::ProbeKind::Kprobe:
      case ast::ProbeKind::Kretprobe: {
        const auto& fn = probe.names.front();
        // bpftrace 0.17 reads '$' or '?' in an attach point as a syntax error, so '*' is the
        // only wildcard; kernel symbols have at most KSYM_NAME_LEN characters, and the
        // length is checked before the regex.
        if (fn.text.size() > max_kernel_symbol) {
          throw SpecError(fn.where, fmt::format("a kernel function name has at most {} characters", max_kernel_symbol));
        }
        if (!matches(fn.text, "[A-Za-z0-9_.*]+")) {
          throw SpecError(fn.where, "a kernel function name may use only letters, digits, '_' and '.', with '*' "
                                    "as a wildcard ('?' and '$' are bpftrace syntax errors)");
        }
        out_.attach.push_back(fn.text);
        out_.points = fn.text.find('*') == std::string::npos ? 1 : facts_.kernel_functions(fn.text).size();
        break;
      }
      case ast::ProbeKind::Profile:
        if (probe.hz == 0 || probe.hz > 100000) throw SpecError(probe.where, "a sampling rate is 1hz to 100000hz");
        out_.points = 1;
        break;
    }
  }

  void add_syscall(const SyscallInfo& info) {
    if (std::find(out_.attach.begin(), out_.attach.end(), info.name) != out_.attach.end()) return;
    out_.attach.push_back(info.name);
    out_.context.syscalls.push_back(info);
    ++out_.points;
  }

  void add_syscalls(const ast::Name& name) {
    if (const auto* group = syscall_group(name.text)) {
      for (const auto& member : *group)
        if (const auto* info = catalog_.find(member)) add_syscall(*info);
      return;
    }
    const auto* info = catalog_.find(name.text);
    if (!info) {
      auto candidates = catalog_.names();
      for (auto& g : syscall_group_names()) candidates.push_back(g);
      throw SpecError(name.where, fmt::format("unknown syscall '{}'{}", name.text, did_you_mean(name.text, candidates)),
                      {fmt::format("checked against the {}", catalog_.origin())});
    }
    add_syscall(*info);
  }

  void add_tracepoint(const ast::Name& name) {
    out_.attach.push_back(name.text);
    auto colon = name.text.find(':');
    auto category = name.text.substr(0, colon);
    auto event = name.text.substr(colon + 1);
    bool glob = name.text.find('*') != std::string::npos;
    // A file name has at most 255 bytes: longer parts name no tracepoint (and must not reach the file system).
    if (category.size() > 255 || event.size() > 255) {
      throw SpecError(name.where, "a tracepoint's category and event have at most 255 characters each");
    }
    if (!facts_.tracefs) {  // bpftrace finds it, or the tracepoints a glob matches
      out_.context.events.emplace_back();
      out_.context.event_names.push_back(name.text);
      ++out_.points;
      return;
    }
    if (glob && (category.find('*') != std::string::npos || facts_.has_tracepoint_category(category))) {
      // Each tracepoint the glob matches, as bpftrace expands it: every field the block
      // reads is checked against each of them, and each is one probe.
      auto matched = facts_.tracepoints(category, event);
      if (matched.empty()) {
        throw SpecError(name.where, fmt::format("no tracepoint matches '{}'", name.text),
                        {"checked against the kernel tracefs"});
      }
      for (const auto& [cat, ev] : matched) {
        out_.context.events.push_back(facts_.tracepoint_fields(cat, ev));
        out_.context.event_names.push_back(cat + ":" + ev);
      }
      std::vector<std::string> names(out_.context.event_names.end() - static_cast<std::ptrdiff_t>(matched.size()),
                                     out_.context.event_names.end());
      out_.context.event_notes.push_back(fmt::format("'{}' matches {} tracepoint{}: {}", name.text, matched.size(),
                                                     matched.size() == 1 ? "" : "s", some_names(names)));
      out_.points += matched.size();
      return;
    }
    auto format = facts_.tracepoint_fields(category, event);
    if (!format) {
      std::vector<std::string> known;
      bool category_known = facts_.has_tracepoint_category(category);
      for (const auto& [cat, ev] : facts_.tracepoints(category_known ? category : "*", "*")) {
        known.push_back(category_known ? cat + ":" + ev : cat);
      }
      if (!category_known) known.erase(std::unique(known.begin(), known.end()), known.end());
      throw SpecError(name.where, fmt::format("unknown tracepoint '{}'{}", name.text,
                                              did_you_mean(category_known ? name.text : category, known)));
    }
    out_.context.events.push_back(std::move(format));
    out_.context.event_names.push_back(name.text);
    ++out_.points;
  }

  const kernel::Facts& facts_;
  const SyscallCatalog& catalog_;
  ProbeResolution out_;
};

}  // namespace

ProbeResolution resolve_probe(const ast::Probe& probe, const kernel::Facts& facts) { return ProbeResolver(facts).run(probe); }

}  // namespace ebpfgen
