#include "run/tracer_choice.hpp"

#include <optional>

#include <fmt/format.h>

#include "run/aot.hpp"
#include "spec/limits.hpp"

namespace ebpfgen::run {

TracerRun choose_tracer(const CheckedSpec& spec, const std::string& program, const std::string& path,
                        const RunOptions& options, const std::string& bpftrace_version) {
  TracerRun run;
  std::string why_not_aot = "asked for with --no-aot";
  std::optional<std::string> compiled;
  if (options.ahead_of_time && !spec.window_ms && !spec.duration_ms) {
    why_not_aot = "a program without a window or a duration has no clock to end it by";
  } else if (options.ahead_of_time && spec.map_keys) {
    why_not_aot = fmt::format("option map_keys: bpftrace's ahead-of-time runtime makes every map {} keys",
                              default_map_keys);
  } else if (options.ahead_of_time) {
    compiled = aot_compiled(program, path, options.bpftrace, bpftrace_version, why_not_aot);
  }
  run.compiled = compiled.has_value();
  run.tracer = compiled ? "bpftrace-aotrt" : options.bpftrace;
  // -k: every failed map update is reported (the ahead-of-time compiler refuses it).
  run.args = {"-f", "json", compiled.value_or(path)};
  if (!compiled) run.args.insert(run.args.begin(), "-k");
  if (spec.map_keys) run.environment["BPFTRACE_MAP_KEYS_MAX"] = std::to_string(*spec.map_keys);
  if (spec.resolved && spec.resolved->parameter) run.args.push_back(std::to_string(*spec.resolved->parameter));
  run.description = compiled ? "bpftrace-aotrt (compiled ahead of time, cached in " + aot_cache_dir() + ")"
                             : "bpftrace (" + why_not_aot + ")";
  return run;
}

}  // namespace ebpfgen::run
