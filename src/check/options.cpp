#include "check/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "spec/limits.hpp"
#include "check/syscall_groups.hpp"
#include "diag/suggest.hpp"
#include "spec/request_metrics.hpp"

namespace ebpfgen {

namespace {

std::vector<std::string> present(const SyscallCatalog& catalog, const char* group) {
  std::vector<std::string> out;
  for (const auto& name : *syscall_group(group))
    if (catalog.find(name)) out.push_back(name);
  return out;
}

// The options a spec may set, with the values each takes (the first is the
// default), or, for a number, its range.
struct OptionChoice {
  std::string_view name;
  std::vector<std::string_view> values;  // empty: a number from `low` to `high`
  std::uint64_t low = 0, high = 0;
  std::string_view number_meaning = {};
};
const std::vector<OptionChoice>& option_choices() {
  static const std::vector<OptionChoice> choices = {
      {"syscall_probes", {"tracepoint", "kprobe"}},
      {"request_probes", {"socket", "syscall"}},
      // bpftrace preallocates every map at this size (about 100 bytes a key).
      {"map_keys", {}, 1, max_map_keys, "the number of keys each map holds (bpftrace's BPFTRACE_MAP_KEYS_MAX)"}};
  return choices;
}

// A number option's value, in its range.
std::uint64_t option_number(const OptionChoice& choice, const ast::Name& value) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.text.data(), value.text.data() + value.text.size(), n);
  bool is_number = !value.text.empty() && std::isdigit(static_cast<unsigned char>(value.text[0]));
  if (!is_number || ec != std::errc() || end != value.text.data() + value.text.size() || n < choice.low ||
      n > choice.high || (value.text.size() > 1 && value.text[0] == '0')) {
    throw SpecError(value.where, fmt::format("{} is {}, from {} to {}, not '{}'", choice.name, choice.number_meaning,
                                             choice.low, choice.high, value.text));
  }
  return n;
}

}  // namespace

RequestMetrics check_metrics(const std::vector<ast::Name>& names, const SyscallCatalog& catalog) {
  RequestMetrics m;
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name.text).second) throw SpecError(name.where, fmt::format("metric '{}' is listed twice", name.text));
    const MetricInfo* metric = find_metric(name.text);
    if (!metric) {
      throw SpecError(name.where, fmt::format("unknown metric '{}'{}", name.text, did_you_mean(name.text, metric_names())),
                      {"metrics are: " + fmt::format("{}", fmt::join(metric_names(), ", "))});
    }
    m.asked.add(metric->id);
  }
  m.send = present(catalog, "send");
  m.recv = present(catalog, "recv");
  m.wait = present(catalog, "wait");
  return m;
}

Options check_options(const std::vector<ast::Option>& options) {
  Options out;
  std::set<std::string> seen;
  std::vector<std::string> names;
  for (const auto& choice : option_choices()) names.emplace_back(choice.name);
  for (const auto& option : options) {
    auto choice = std::find_if(option_choices().begin(), option_choices().end(),
                               [&](const OptionChoice& c) { return c.name == option.name.text; });
    if (choice == option_choices().end()) {
      throw SpecError(option.name.where,
                      fmt::format("unknown option '{}'{}", option.name.text, did_you_mean(option.name.text, names)));
    }
    if (!seen.insert(option.name.text).second) {
      throw SpecError(option.name.where, fmt::format("option '{}' is set twice", option.name.text));
    }
    if (choice->values.empty()) {
      out.map_keys = option_number(*choice, option.value);
      continue;
    }
    if (std::find(choice->values.begin(), choice->values.end(), option.value.text) == choice->values.end()) {
      std::vector<std::string> values(choice->values.begin(), choice->values.end());
      throw SpecError(option.value.where, fmt::format("{} is {} or {}, not '{}'{}", option.name.text, values[0], values[1],
                                                      option.value.text, did_you_mean(option.value.text, values)));
    }
    if (option.name.text == "syscall_probes" && option.value.text == "kprobe") out.style = SyscallStyle::Kprobe;
    if (option.name.text == "request_probes") {
      out.request_probes = option.value.text == "socket" ? RequestProbes::Socket : RequestProbes::Syscall;
    }
  }
  return out;
}

void choose_request_probes(RequestMetrics& m, std::optional<RequestProbes> asked, const Location& where,
                           const SyscallCatalog& catalog) {
  if (asked == RequestProbes::Socket && !catalog.socket_tracepoints()) {
    throw SpecError(where, "this kernel has no socket tracepoints (sock:sock_send_length, sock:sock_recv_length, "
                           "sock:inet_sock_set_state; Linux 6.4 and later)",
                    {"'option request_probes = syscall' watches the send and receive syscalls instead"});
  }
  if (asked) {
    m.probes = *asked;
    m.probes_reason = "as the spec's 'option request_probes' asks";
  } else if (catalog.socket_tracepoints()) {
    m.probes = RequestProbes::Socket;
    m.probes_reason = catalog.origin() == "kernel tracefs"
                          ? "the kernel has them (tracefs lists sock:sock_send_length and sock:sock_recv_length)"
                          : "assumed for a kernel of Linux 6.4 or later (tracefs was not read)";
  } else {
    m.probes = RequestProbes::Syscall;
    m.probes_reason = "this kernel has no socket tracepoints (tracefs lists no sock:sock_send_length)";
  }
}

}  // namespace ebpfgen
