#include "report/io_summary.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "diag/diagnostic.hpp"

namespace ebpfgen::report {

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

// A record's counter by its name without POSIX_.
struct Counters {
  const io::Record& r;
  std::int64_t t0;
  double operator()(std::string_view name) const { return value(r, std::string("POSIX_") + std::string(name), t0); }
};

// How many reads and writes fell in each of Darshan's size buckets.
std::string size_lines(const io::Record& r) {
  static constexpr std::string_view buckets[] = {"0-100", "100-1K", "1K-10K", "10K-100K", "100K-1M",
                                                 "1M-4M", "4M-10M", "10M-100M", "100M-1G", "1G+"};
  std::string sizes;
  for (int i = 0; i < 10; ++i) {
    double rd = 0, wr = 0;
    for (const auto& [size, seen] : r.read_sizes) rd += io::size_bucket(size) == i ? seen.count : 0;
    for (const auto& [size, seen] : r.write_sizes) wr += io::size_bucket(size) == i ? seen.count : 0;
    if (rd || wr) sizes += fmt::format("    {:<9} reads {:>8.0f}  writes {:>8.0f}\n", buckets[i], rd, wr);
  }
  return sizes.empty() ? "" : "  access sizes (bytes):\n" + sizes;
}

// "4096 B x 7, ...": the top four of ACCESS or STRIDE, or "" when none counted.
std::string top_four_text(const Counters& v, const char* what) {
  std::string out;
  for (int i = 1; i <= 4; ++i) {
    double size = v(fmt::format("{}{}_{}", what, i, what)), count = v(fmt::format("{}{}_COUNT", what, i));
    if (count > 0) out += fmt::format("{}{:.0f} B x {:.0f}", out.empty() ? "" : ", ", size, count);
  }
  return out;
}

std::string record_text(const io::Record& r, std::int64_t t0) {
  Counters v{r, t0};
  std::string out = fmt::format("\n{}  (pid {})\n", shown(r.path), r.pid);
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
  out += size_lines(r);
  if (auto common = top_four_text(v, "ACCESS"); !common.empty()) out += "  most common sizes: " + common + "\n";
  if (auto strides = top_four_text(v, "STRIDE"); !strides.empty()) out += "  most common strides: " + strides + "\n";
  return out;
}

// The job's totals, and darshan-parser --perf's figures for files no two ranks share: the
// slowest process's time in I/O (agg_time_by_slowest), and all bytes moved over it
// (agg_perf_by_slowest).
std::string job_text(const std::vector<io::Record>& records, std::int64_t t0) {
  double reads = 0, writes = 0, bytes_read = 0, bytes_written = 0, read_time = 0, write_time = 0, meta_time = 0;
  std::set<std::int64_t> pids;
  std::map<std::int64_t, double> io_time;  // by process: its files' read, write and metadata time
  for (const auto& r : records) {
    Counters v{r, t0};
    pids.insert(r.pid);
    reads += v("READS");
    writes += v("WRITES");
    bytes_read += v("BYTES_READ");
    bytes_written += v("BYTES_WRITTEN");
    read_time += v("F_READ_TIME");
    write_time += v("F_WRITE_TIME");
    meta_time += v("F_META_TIME");
    io_time[r.pid] += v("F_READ_TIME") + v("F_WRITE_TIME") + v("F_META_TIME");
  }
  std::string out =
      fmt::format("\njob: {} process{}, {} file record{}; {:.0f} reads ({}), {:.0f} writes ({}); time in reads {:.6f} s, "
                  "writes {:.6f} s, metadata {:.6f} s\n",
                  pids.size(), pids.size() == 1 ? "" : "es", records.size(), records.size() == 1 ? "" : "s", reads,
                  bytes_text(bytes_read), writes, bytes_text(bytes_written), read_time, write_time, meta_time);
  auto slowest = std::max_element(io_time.begin(), io_time.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (slowest != io_time.end() && slowest->second > 0) {
    out += fmt::format("performance: {:.0f} bytes moved; the slowest process (pid {}) spent {:.6f} s in I/O: {:.2f} MiB/s "
                       "(darshan-parser --perf's agg_time_by_slowest and agg_perf_by_slowest)\n",
                       bytes_read + bytes_written, slowest->first, slowest->second,
                       (bytes_read + bytes_written) / 1048576.0 / slowest->second);
  }
  return out;
}

}  // namespace

std::string io_summary_text(const std::vector<io::Record>& records, const IoRun& run, const std::string& not_collected) {
  std::string out = fmt::format("\n== io posix: {} file record{} (Darshan's POSIX counters, from the kernel)\n",
                                records.size(), records.size() == 1 ? "" : "s");
  for (const auto& r : records) out += record_text(r, run.t0);
  out += job_text(records, run.t0);
  if (!not_collected.empty()) out += "not collected: " + not_collected + "\n";
  out += "--format darshan prints every counter\n";
  return out;
}

}  // namespace ebpfgen::report
