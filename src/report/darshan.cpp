#include "report/darshan.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "codegen/codegen.hpp"
#include "diag/diagnostic.hpp"

namespace ebpfgen::report {

namespace {

using nlohmann::json;

bool is_io_map(const std::string& name) { return name.rfind("@io_", 0) == 0; }

std::vector<std::int64_t> numbers(const std::string& text) {
  std::vector<std::int64_t> out;
  for (const auto& v : json::parse(text)) out.push_back(v.is_number() ? v.get<std::int64_t>() : 0);
  return out;
}

const MapSnapshot* find_map(const std::map<std::string, MapSnapshot>& maps, const std::string& name) {
  auto it = maps.find(name);
  return it == maps.end() ? nullptr : &it->second;
}

// "ID,VALUE" keys of the histograms.
bool split_key(const std::string& key, std::uint64_t& id, std::int64_t& value) {
  auto comma = key.find(',');
  if (comma == std::string::npos) return false;
  try {
    id = std::stoull(key.substr(0, comma));
    value = std::stoll(key.substr(comma + 1));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// Mount points escape blanks, tabs, newlines and backslashes as octal (\040).
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() + 0 && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ctime_text(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  char buffer[64];
  return ctime_r(&t, buffer) ? std::string(buffer) : "\n";
}

// Processes as ranks: in the order of their first open; one process is rank 0, as in Darshan's
// non-MPI logs.
std::map<std::int64_t, int> ranks(const std::vector<io::Record>& records) {
  std::vector<std::pair<std::int64_t, std::int64_t>> first;  // (first open, pid)
  for (const auto& r : records) {
    auto it = std::find_if(first.begin(), first.end(), [&](const auto& f) { return f.second == r.pid; });
    std::int64_t at = r.meta[io::meta_open_start_ns] ? r.meta[io::meta_open_start_ns] : INT64_MAX;
    if (it == first.end()) first.emplace_back(at, r.pid);
    else it->first = std::min(it->first, at);
  }
  std::sort(first.begin(), first.end());
  std::map<std::int64_t, int> out;
  for (std::size_t i = 0; i < first.size(); ++i) out[first[i].second] = static_cast<int>(i);
  return out;
}

Mount mount_for(const IoRun& run, const io::Record& r) {
  auto it = run.mounts.find(r.pid);
  if (it != run.mounts.end())
    if (const Mount* m = mount_of(it->second, r.path)) return *m;
  return {"UNKNOWN", "UNKNOWN"};
}

}  // namespace

std::vector<Mount> parse_mountinfo(const std::string& text) {
  std::vector<Mount> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    auto dash = std::find(w.begin(), w.end(), "-");
    if (w.size() < 5 || dash == w.end() || dash + 1 == w.end()) continue;
    out.push_back({unescape(w[4]), *(dash + 1)});
  }
  return out;
}

const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path) {
  const Mount* best = nullptr;
  for (const auto& m : mounts) {  // a later mount on the same point hides an earlier one
    bool under = m.point == "/" ? path.starts_with("/")
                                : path.starts_with(m.point) && (path.size() == m.point.size() || path[m.point.size()] == '/');
    if (under && (!best || m.point.size() >= best->point.size())) best = &m;
  }
  return best;
}

std::vector<io::Record> io_records(const std::map<std::string, MapSnapshot>& maps, std::int64_t& t0) {
  if (const auto* m = find_map(maps, "@io_t0"); m && m->entries.contains("")) {
    if (const auto* n = std::get_if<std::int64_t>(&m->entries.at(""))) t0 = *n;
  }
  std::map<std::uint64_t, io::Record> by_id;
  if (const auto* files = find_map(maps, "@io_file")) {
    for (const auto& [key, text] : files->raw) {
      json v = json::parse(text);
      if (!v.is_array() || v.size() != 3) continue;
      io::Record r;
      r.id = std::stoull(key);
      r.pid = v[0].get<std::int64_t>();
      r.uid = v[1].get<std::int64_t>();
      r.path = v[2].is_string() ? v[2].get<std::string>() : "";
      by_id[r.id] = std::move(r);
    }
  }
  auto tuples = [&](const char* name, auto&& take) {
    if (const auto* m = find_map(maps, name))
      for (const auto& [key, text] : m->raw) {
        auto it = by_id.find(std::stoull(key));
        if (it != by_id.end()) take(it->second, numbers(text));
      }
  };
  auto fill = [](std::vector<std::int64_t>& into, const std::vector<std::int64_t>& from) {
    for (std::size_t i = 0; i < io::rw_time_ns && i < from.size(); ++i) into[i] = from[i];
  };
  tuples("@io_reads", [&](io::Record& r, const auto& v) { fill(r.reads, v); });
  tuples("@io_writes", [&](io::Record& r, const auto& v) { fill(r.writes, v); });
  auto fill_times = [](std::vector<std::int64_t>& into, const std::vector<std::int64_t>& from) {
    for (std::size_t i = 0; io::rw_time_ns + i < into.size() && i < from.size(); ++i) into[io::rw_time_ns + i] = from[i];
  };
  tuples("@io_rtime", [&](io::Record& r, const auto& v) { fill_times(r.reads, v); });
  tuples("@io_wtime", [&](io::Record& r, const auto& v) { fill_times(r.writes, v); });
  for (std::size_t i = 0; i < io::meta_fields; ++i) {
    const auto& source = io::meta_sources()[i];
    std::string name = "@" + std::string(source.map);
    if (source.element >= 0) {
      tuples(name.c_str(), [&](io::Record& r, const auto& v) {
        if (static_cast<std::size_t>(source.element) < v.size()) r.meta[i] = v[source.element];
      });
    } else if (const auto* m = find_map(maps, name)) {
      for (const auto& [key, value] : m->entries) {
        auto it = by_id.find(std::stoull(key));
        if (const auto* n = std::get_if<std::int64_t>(&value); n && it != by_id.end()) it->second.meta[i] = *n;
      }
    }
  }
  tuples("@io_state", [&](io::Record& r, const auto& v) {
    if (v.size() >= 6) {
      r.file_alignment = v[4];
      r.stride0_first_ns = v[5];
    }
  });
  auto histogram = [&](const char* name, std::map<std::int64_t, io::Seen> io::Record::*into) {
    if (const auto* m = find_map(maps, name))
      for (const auto& [key, text] : m->raw) {
        std::uint64_t id = 0;
        std::int64_t value = 0;
        auto v = numbers(text);
        auto it = split_key(key, id, value) ? by_id.find(id) : by_id.end();
        if (it != by_id.end() && v.size() >= 2) (it->second.*into)[value] = {v[0], v[1]};
      }
  };
  histogram("@io_rsize", &io::Record::read_sizes);
  histogram("@io_wsize", &io::Record::write_sizes);
  histogram("@io_stride", &io::Record::strides);
  if (const auto* m = find_map(maps, "@io_renamed"))
    for (const auto& [key, value] : m->entries) {
      auto it = by_id.find(std::stoull(key));
      const auto* from = std::get_if<std::int64_t>(&value);
      if (it != by_id.end() && from) {
        auto source = by_id.find(static_cast<std::uint64_t>(*from));
        if (source != by_id.end()) it->second.renamed_from = source->second.path;
      }
    }
  std::vector<io::Record> out;
  for (auto& [id, r] : by_id) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const io::Record& a, const io::Record& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.path < b.path;
  });
  return out;
}

std::string counter_text(const io::Counter& counter, const io::Record& record, std::int64_t t0) {
  auto v = counter.value(record, t0);
  if (!v) return "-1";
  if (counter.is_float) return fmt::format("{:.6f}", static_cast<double>(*v));
  return std::to_string(static_cast<std::int64_t>(*v));
}

std::string darshan_text(const std::vector<io::Record>& records, const IoRun& run) {
  std::string out;
  auto rank_of = ranks(records);
  out += "# darshan log version: 3.41\n";
  out += "# compression method: NONE\n";
  out += fmt::format("# exe: {}\n", run.exe);
  out += fmt::format("# uid: {}\n", records.empty() ? -1 : records.front().uid);
  out += fmt::format("# jobid: {}\n", records.empty() ? 0 : records.front().pid);
  out += fmt::format("# start_time: {}\n", run.start_unix);
  out += "# start_time_asci: " + ctime_text(run.start_unix);
  out += fmt::format("# end_time: {}\n", run.end_unix);
  out += "# end_time_asci: " + ctime_text(run.end_unix);
  out += fmt::format("# nprocs: {}\n", std::max<std::size_t>(1, rank_of.size()));
  out += fmt::format("# run time: {:.4f}\n", run.seconds);
  out += "# metadata: lib_ver = ebpfgen (counted from syscall tracepoints; no Darshan log file)\n";
  for (const auto& [pid, rank] : rank_of) out += fmt::format("# metadata: rank {} = pid {}\n", rank, pid);
  out += "\n# log file regions\n# -------------------------------------------------------\n";
  out += "# none: the counters come from kernel events, not from a log file\n";
  out += "\n# mounted file systems (mount point and fs type)\n# -------------------------------------------------------\n";
  std::set<std::pair<std::string, std::string>> mounts;
  for (const auto& r : records) {
    Mount m = mount_for(run, r);
    if (m.point != "UNKNOWN") mounts.insert({m.point, m.fs_type});
  }
  for (const auto& [point, type] : mounts) out += fmt::format("# mount entry:\t{}\t{}\n", point, type);
  out += "\n# description of columns:\n"
         "#   <module>: module responsible for this I/O record.\n"
         "#   <rank>: MPI rank.  -1 indicates that the file is shared\n"
         "#      across all processes and statistics are aggregated.\n"
         "#   <record id>: hash of the record's file path\n"
         "#   <counter name> and <counter value>: statistical counters.\n"
         "#      A value of -1 indicates that Darshan could not monitor\n"
         "#      that counter, and its value should be ignored.\n"
         "#   <file name>: full file path for the record.\n"
         "#   <mount pt>: mount point that the file resides on.\n"
         "#   <fs type>: type of file system that the file resides on.\n";
  out += "\n# *******************************************************\n# POSIX module data\n"
         "# *******************************************************\n";
  out += "\n#<module>\t<rank>\t<record id>\t<counter>\t<value>\t<file name>\t<mount pt>\t<fs type>\n";
  for (const auto& r : records) {
    Mount m = mount_for(run, r);
    std::uint64_t id = io::record_id(r.path);
    for (const auto& c : io::posix_counters()) {
      out += fmt::format("POSIX\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", rank_of[r.pid], id, c.name, counter_text(c, r, run.t0),
                         r.path, m.point, m.fs_type);
    }
  }
  return out;
}

namespace {

std::string bytes_text(double b) {
  if (b >= 1 << 30) return fmt::format("{:.1f} GiB", b / (1 << 30));
  if (b >= 1 << 20) return fmt::format("{:.1f} MiB", b / (1 << 20));
  if (b >= 1 << 10) return fmt::format("{:.1f} KiB", b / (1 << 10));
  return fmt::format("{:.0f} B", b);
}

double value(const io::Record& r, std::string_view name, std::int64_t t0) {
  for (const auto& c : io::posix_counters())
    if (c.name == name) return static_cast<double>(c.value(r, t0).value_or(-1));
  return 0;
}

// A person's summary: one block per file, then the job's totals.
std::string table_text(const std::vector<io::Record>& records, const IoRun& run, const std::string& not_collected) {
  std::string out = fmt::format("\n== io posix: {} file record{} (Darshan's POSIX counters, from the kernel)\n",
                                records.size(), records.size() == 1 ? "" : "s");
  double reads = 0, writes = 0, bytes_read = 0, bytes_written = 0, read_time = 0, write_time = 0, meta_time = 0;
  std::set<std::int64_t> pids;
  std::map<std::int64_t, double> io_time;  // by process: its files' read, write and metadata time
  static constexpr std::string_view buckets[] = {"0-100", "100-1K", "1K-10K", "10K-100K", "100K-1M",
                                                 "1M-4M", "4M-10M", "10M-100M", "100M-1G", "1G+"};
  for (const auto& r : records) {
    auto v = [&](std::string_view name) { return value(r, std::string("POSIX_") + std::string(name), run.t0); };
    pids.insert(r.pid);
    reads += v("READS");
    writes += v("WRITES");
    bytes_read += v("BYTES_READ");
    bytes_written += v("BYTES_WRITTEN");
    read_time += v("F_READ_TIME");
    write_time += v("F_WRITE_TIME");
    meta_time += v("F_META_TIME");
    io_time[r.pid] += v("F_READ_TIME") + v("F_WRITE_TIME") + v("F_META_TIME");
    out += fmt::format("\n{}  (pid {})\n", shown(r.path), r.pid);
    out += fmt::format("  opens {:.0f} (dups {:.0f})  reads {:.0f}  writes {:.0f}  seeks {:.0f}  stats {:.0f}  mmaps {:.0f}  "
                       "fsyncs {:.0f}  fdatasyncs {:.0f}  renames {:.0f}/{:.0f}\n",
                       v("OPENS"), v("DUPS"), v("READS"), v("WRITES"), v("SEEKS"), v("STATS"), v("MMAPS"), v("FSYNCS"),
                       v("FDSYNCS"), v("RENAME_SOURCES"), v("RENAME_TARGETS"));
    out += fmt::format("  bytes read {} (highest offset {:.0f}), written {} (highest offset {:.0f})\n", bytes_text(v("BYTES_READ")),
                       v("MAX_BYTE_READ"), bytes_text(v("BYTES_WRITTEN")), v("MAX_BYTE_WRITTEN"));
    out += fmt::format("  time: read {:.6f} s, write {:.6f} s (syncs included), metadata {:.6f} s\n", v("F_READ_TIME"),
                       v("F_WRITE_TIME"), v("F_META_TIME"));
    auto share = [](double part, double whole) { return whole > 0 ? fmt::format("{:.0f}%", 100 * part / whole) : std::string("-"); };
    out += fmt::format("  sequential: reads {}, writes {}; consecutive: reads {}, writes {}; read/write switches {:.0f}\n",
                       share(v("SEQ_READS"), v("READS")), share(v("SEQ_WRITES"), v("WRITES")),
                       share(v("CONSEC_READS"), v("READS")), share(v("CONSEC_WRITES"), v("WRITES")), v("RW_SWITCHES"));
    std::string sizes;
    for (int i = 0; i < 10; ++i) {
      double rd = 0, wr = 0;
      for (const auto& [size, seen] : r.read_sizes) rd += io::size_bucket(size) == i ? seen.count : 0;
      for (const auto& [size, seen] : r.write_sizes) wr += io::size_bucket(size) == i ? seen.count : 0;
      if (rd || wr) sizes += fmt::format("    {:<9} reads {:>8.0f}  writes {:>8.0f}\n", buckets[i], rd, wr);
    }
    if (!sizes.empty()) out += "  access sizes (bytes):\n" + sizes;
    std::string common;
    for (int i = 1; i <= 4; ++i) {
      double size = v(fmt::format("ACCESS{}_ACCESS", i)), count = v(fmt::format("ACCESS{}_COUNT", i));
      if (count > 0) common += fmt::format("{}{:.0f} B x {:.0f}", common.empty() ? "" : ", ", size, count);
    }
    if (!common.empty()) out += "  most common sizes: " + common + "\n";
    std::string strides;
    for (int i = 1; i <= 4; ++i) {
      double stride = v(fmt::format("STRIDE{}_STRIDE", i)), count = v(fmt::format("STRIDE{}_COUNT", i));
      if (count > 0) strides += fmt::format("{}{:.0f} B x {:.0f}", strides.empty() ? "" : ", ", stride, count);
    }
    if (!strides.empty()) out += "  most common strides: " + strides + "\n";
  }
  out += fmt::format("\njob: {} process{}, {} file record{}; {:.0f} reads ({}), {:.0f} writes ({}); time in reads {:.6f} s, "
                     "writes {:.6f} s, metadata {:.6f} s\n",
                     pids.size(), pids.size() == 1 ? "" : "es", records.size(), records.size() == 1 ? "" : "s", reads,
                     bytes_text(bytes_read), writes, bytes_text(bytes_written), read_time, write_time, meta_time);
  // darshan-parser --perf's figures for files no two ranks share: the slowest process's time
  // in I/O (agg_time_by_slowest), and all bytes moved over it (agg_perf_by_slowest).
  auto slowest = std::max_element(io_time.begin(), io_time.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (slowest != io_time.end() && slowest->second > 0) {
    out += fmt::format("performance: {:.0f} bytes moved; the slowest process (pid {}) spent {:.6f} s in I/O: {:.2f} MiB/s "
                       "(darshan-parser --perf's agg_time_by_slowest and agg_perf_by_slowest)\n",
                       bytes_read + bytes_written, slowest->first, slowest->second,
                       (bytes_read + bytes_written) / 1048576.0 / slowest->second);
  }
  if (!not_collected.empty()) out += "not collected: " + not_collected + "\n";
  out += "--format darshan prints every counter\n";
  return out;
}

// Counters in Darshan's order (ordered_json keeps it).
nlohmann::ordered_json record_json(const io::Record& r, const IoRun& run, int rank) {
  using ordered = nlohmann::ordered_json;
  Mount m = mount_for(run, r);
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

class IoReporter : public Reporter {
 public:
  IoReporter(Format format, std::ostream& out, const CheckedSpec& spec, std::unique_ptr<Reporter> inner)
      : format_(format), out_(out), spec_(spec), inner_(std::move(inner)) {}
  void event(const std::string& line) override {
    if (inner_) inner_->event(line);
  }
  void window(const Window& w, const RequestFigures& f) override {
    for (const auto& [name, map] : w.maps)
      if (is_io_map(name)) maps_[name] = map;
    if (!inner_) return;
    // The spec's other results go on as they would without io posix.
    bool others = !spec_.blocks.empty() || spec_.metrics.any();
    if (others) inner_->window(without_io(w), f);
  }
  void summary(const Window& run, const RequestFigures& f, const RunFacts& facts) override {
    if (inner_ && (!spec_.blocks.empty() || spec_.metrics.any() || format_ == Format::Table)) {
      inner_->summary(without_io(run), f, facts);
    }
    IoRun info;
    std::int64_t t0 = 0;
    auto records = io_records(maps_, t0);
    for (auto& r : records) r.filenos_counted = !spec_.io->fileno_library.empty();
    info.t0 = t0;
    info.exe = spec_.target.kind == ast::TargetKind::Command ? spec_.target.value : codegen_target();
    info.start_unix = std::chrono::duration_cast<std::chrono::seconds>(run.start.time_since_epoch()).count();
    info.end_unix = std::chrono::duration_cast<std::chrono::seconds>(run.end.time_since_epoch()).count();
    info.seconds = run.seconds();
    std::vector<Mount> own = parse_mountinfo(read_file("/proc/self/mountinfo"));
    for (const auto& r : records) {
      if (info.mounts.contains(r.pid)) continue;
      std::string text = read_file(fmt::format("/proc/{}/mountinfo", r.pid));
      info.mounts[r.pid] = text.empty() ? own : parse_mountinfo(text);
    }
    auto rank_of = ranks(records);
    switch (format_) {
      case Format::Darshan: out_ << darshan_text(records, info); break;
      case Format::Json:
        for (const auto& r : records) out_ << record_json(r, info, rank_of[r.pid]).dump() << "\n";
        break;
      default:
        out_ << table_text(records, info,
                           spec_.io->fileno_library.empty() ? "POSIX_FILENOS (fileno(): " + spec_.io->fileno_missing + ")" : "");
        break;
    }
    out_ << std::flush;
  }

 private:
  std::string codegen_target() const { return ebpfgen::target_description(spec_.target); }
  static Window without_io(const Window& w) {
    Window out = w;
    std::erase_if(out.maps, [](const auto& m) { return is_io_map(m.first); });
    return out;
  }
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
