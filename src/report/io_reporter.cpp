#include "report/io_reporter.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "report/darshan_text.hpp"
#include "report/io_records.hpp"
#include "report/io_summary.hpp"
#include "spec/io_posix_maps.hpp"
#include "target/description.hpp"

namespace ebpfgen::report {

namespace {

// Counters in Darshan's order (ordered_json keeps it).
nlohmann::ordered_json record_json(const io::Record& r, const IoRun& run, int rank) {
  using ordered = nlohmann::ordered_json;
  target::Mount m = mount_for(run, r);
  ordered counters = ordered::object(), fcounters = ordered::object();
  for (const auto& c : io::posix_counters()) {
    auto v = c.value(r, run.t0);
    if (c.is_float) fcounters[std::string(c.name)] = v ? static_cast<double>(*v) : -1.0;
    else counters[std::string(c.name)] = v ? static_cast<std::int64_t>(*v) : -1;
  }
  return ordered{{"schema", json_schema_version}, {"module", "POSIX"}, {"rank", rank}, {"pid", r.pid}, {"uid", r.uid},
                 {"record_id", io::record_id(r.path)}, {"file", r.path}, {"mount_point", m.point}, {"fs_type", m.fs_type},
                 {"counters", counters}, {"fcounters", fcounters}};
}

Window without_io(const Window& w) {
  Window out = w;
  std::erase_if(out.maps, [](const auto& m) { return io::is_io_map(m.first); });
  return out;
}

class IoReporter : public Reporter {
 public:
  IoReporter(Format format, std::ostream& out, const CheckedSpec& spec, std::unique_ptr<Reporter> inner)
      : format_(format), out_(out), spec_(spec), inner_(std::move(inner)) {}
  void event(const std::string& line) override {
    if (inner_) inner_->event(line);
  }
  void window(const Window& w, const RequestFigures& f) override {
    for (const auto& [name, map] : w.maps)
      if (io::is_io_map(name)) maps_[name] = map;
    // The spec's other results go on as they would without io posix.
    if (inner_ && others()) inner_->window(without_io(w), f);
  }
  void summary(const Window& run, const RequestFigures& f, const RunFacts& facts) override {
    if (inner_ && (others() || format_ == Format::Table)) inner_->summary(without_io(run), f, facts);
    IoRun info;
    auto records = io_records(maps_, info.t0);
    for (auto& r : records) r.filenos_counted = !spec_.io->fileno_library.empty();
    info.exe = spec_.target.kind == ast::TargetKind::Command ? spec_.target.value : target::description(spec_.target);
    info.start_unix = std::chrono::duration_cast<std::chrono::seconds>(run.start.time_since_epoch()).count();
    info.end_unix = std::chrono::duration_cast<std::chrono::seconds>(run.end.time_since_epoch()).count();
    info.seconds = run.seconds();
    info.mounts = facts.mounts;
    switch (format_) {
      case Format::Darshan: out_ << darshan_text(records, info); break;
      case Format::Json: {
        auto rank_of = ranks(records);
        for (const auto& r : records) out_ << record_json(r, info, rank_of[r.pid]).dump() << "\n";
        break;
      }
      default:
        out_ << io_summary_text(records, info,
                                spec_.io->fileno_library.empty() ? "POSIX_FILENOS (fileno(): " + spec_.io->fileno_missing + ")" : "");
        break;
    }
    out_ << std::flush;
  }

 private:
  bool others() const { return !spec_.blocks.empty() || spec_.metrics.any(); }
  Format format_;
  std::ostream& out_;
  const CheckedSpec& spec_;
  std::unique_ptr<Reporter> inner_;
  std::map<std::string, MapSnapshot> maps_;
};

}  // namespace

std::unique_ptr<Reporter> make_io_reporter(Format format, std::ostream& out, const CheckedSpec& spec,
                                           std::unique_ptr<Reporter> inner) {
  return std::make_unique<IoReporter>(format, out, spec, std::move(inner));
}

}  // namespace ebpfgen::report
