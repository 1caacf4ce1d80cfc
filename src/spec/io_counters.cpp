#include "spec/io_counters.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ebpfgen::io {

const std::vector<std::string>& default_excluded_prefixes() {
  static const std::vector<std::string> prefixes = {"/etc/", "/dev/", "/usr/", "/bin/", "/boot/", "/lib/",
                                                    "/opt/", "/sbin/", "/sys/", "/proc/", "/var/"};
  return prefixes;
}

const std::vector<MetaSource>& meta_sources() {
  using enum IoMap;
  static const std::vector<MetaSource> sources = {
      {io_opens, open_count}, {io_opens, open_dups}, {io_seeks, -1}, {io_stats, -1}, {io_mmaps, -1},
      {io_fsyncs, -1}, {io_fdsyncs, -1}, {io_sync_ns, -1}, {io_meta_ns, -1}, {io_opens, open_start_ns},
      {io_opens, open_end_ns}, {io_close, close_first_ns}, {io_close, close_last_ns}, {io_opens, open_mode},
      {io_rename_src, -1}, {io_rename_tgt, -1}, {io_opens, open_filenos}};
  return sources;
}

int size_bucket(std::int64_t size) {
  static constexpr std::int64_t upper[] = {100, 1024, 10240, 102400, 1048576, 4194304, 10485760, 104857600,
                                           1073741824};
  for (int i = 0; i < 9; ++i)
    if (size <= upper[i]) return i;
  return 9;
}

std::vector<ValueCount> top_four(const std::map<std::int64_t, Seen>& values, std::optional<std::int64_t> zero_first_ns) {
  // The values Darshan keeps: the first 32 distinct ones, in the order they were first seen.
  struct Entry {
    std::int64_t value, count, first_ns;
  };
  std::vector<Entry> seen;
  for (const auto& [value, s] : values) seen.push_back({value, s.count, s.first_ns});
  if (zero_first_ns && !values.contains(0)) seen.push_back({0, 0, *zero_first_ns});
  std::stable_sort(seen.begin(), seen.end(), [](const Entry& a, const Entry& b) { return a.first_ns < b.first_ns; });
  if (seen.size() > tracked_values) seen.resize(tracked_values);
  std::erase_if(seen, [](const Entry& e) { return e.value == 0; });
  std::sort(seen.begin(), seen.end(), [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.value > b.value;
  });
  std::vector<ValueCount> out;
  for (std::size_t i = 0; i < seen.size() && i < 4; ++i) out.push_back({seen[i].value, seen[i].count});
  return out;
}

std::uint64_t record_id(std::string_view path) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : path) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

namespace {

using Value = std::optional<long double>;  // long double: a 64-bit record id is exact in it (x86-64)

double seconds(std::int64_t ns, std::int64_t t0) { return ns == 0 ? 0.0 : static_cast<double>(ns - t0) / 1e9; }

Counter meta(std::string_view name, Meta field, std::string_view how) {
  return {name, false, [field](const Record& r, std::int64_t) -> Value { return static_cast<long double>(r.meta[field]); }, how};
}
Counter rw(std::string_view name, bool reads, Rw field, std::string_view how) {
  return {name, false,
          [reads, field](const Record& r, std::int64_t) -> Value {
            return static_cast<long double>((reads ? r.reads : r.writes)[field]);
          },
          how};
}
Counter both(std::string_view name, Rw field, std::string_view how) {
  return {name, false,
          [field](const Record& r, std::int64_t) -> Value { return static_cast<long double>(r.reads[field] + r.writes[field]); },
          how};
}
Counter bucket(std::string_view name, bool reads, int index) {
  return {name, false,
          [reads, index](const Record& r, std::int64_t) -> Value {
            std::int64_t n = 0;
            for (const auto& [size, seen] : reads ? r.read_sizes : r.write_sizes)
              if (size_bucket(size) == index) n += seen.count;
            return static_cast<long double>(n);
          },
          "calls whose returned size falls in the bucket (upper bounds inclusive), from the exact size histogram"};
}
std::map<std::int64_t, Seen> accesses(const Record& r) {
  auto out = r.read_sizes;
  for (const auto& [size, seen] : r.write_sizes) {
    auto& s = out[size];
    s.first_ns = s.count == 0 ? seen.first_ns : std::min(s.first_ns, seen.first_ns);
    s.count += seen.count;
  }
  return out;
}
Counter top(std::string_view name, bool stride, std::size_t rank, bool count) {
  return {name, false,
          [stride, rank, count](const Record& r, std::int64_t) -> Value {
            auto four = stride ? top_four(r.strides, r.stride0_first_ns ? std::optional(r.stride0_first_ns) : std::nullopt)
                               : top_four(accesses(r), std::nullopt);
            if (rank >= four.size()) return 0.0;
            return static_cast<long double>(count ? four[rank].count : four[rank].value);
          },
          stride ? "top-4 of the exact stride histogram (Darshan's tie rule and 32-value limit, in the report)"
                 : "top-4 of the exact access-size histogram (Darshan's tie rule and 32-value limit, in the report)"};
}
Counter zero(std::string_view name, std::string_view how) {
  return {name, false, [](const Record&, std::int64_t) -> Value { return 0.0; }, how};
}
Counter fzero(std::string_view name, std::string_view how) {
  return {name, true, [](const Record&, std::int64_t) -> Value { return 0.0; }, how};
}
Counter stamp(std::string_view name, bool reads, Rw field, std::string_view how) {
  return {name, true,
          [reads, field](const Record& r, std::int64_t t0) -> Value {
            return seconds((reads ? r.reads : r.writes)[field], t0);
          },
          how};
}
Counter meta_stamp(std::string_view name, Meta field, std::string_view how) {
  return {name, true, [field](const Record& r, std::int64_t t0) -> Value { return seconds(r.meta[field], t0); }, how};
}
Counter duration(std::string_view name, std::function<std::int64_t(const Record&)> ns, std::string_view how) {
  return {name, true, [ns](const Record& r, std::int64_t) -> Value { return static_cast<long double>(ns(r)) / 1e9; }, how};
}

// The counts, in Darshan's order up to the size buckets.
void add_counts(std::vector<Counter>& c) {
  c = {
      meta("POSIX_OPENS", meta_opens, "successful open, openat, openat2 and creat calls, plus dups and filenos"),
      {"POSIX_FILENOS", false,
       [](const Record& r, std::int64_t) -> Value {
         if (!r.filenos_counted) return std::nullopt;
         return static_cast<long double>(r.meta[meta_filenos]);
       },
       "fileno() calls (the C library's, by uprobe) that return a recorded descriptor; -1 when no C library with fileno was found"},
      meta("POSIX_DUPS", meta_dups, "successful dup, dup2, dup3 and fcntl F_DUPFD/F_DUPFD_CLOEXEC of a recorded descriptor"),
      rw("POSIX_READS", true, rw_count, "successful read, pread64, readv, preadv and preadv2 calls (0 bytes included)"),
      rw("POSIX_WRITES", false, rw_count, "successful write, pwrite64, writev, pwritev and pwritev2 calls"),
      meta("POSIX_SEEKS", meta_seeks, "successful lseek calls"),
      meta("POSIX_STATS", meta_stats, "successful stat family calls on a regular file (newstat, newlstat, newfstat, newfstatat, statx)"),
      meta("POSIX_MMAPS", meta_mmaps, "successful mmap calls of a recorded descriptor (Darshan's preloaded build prints -1)"),
      meta("POSIX_FSYNCS", meta_fsyncs, "successful fsync calls"),
      meta("POSIX_FDSYNCS", meta_fdsyncs, "successful fdatasync calls"),
      meta("POSIX_RENAME_SOURCES", meta_rename_sources, "successful renames away from this path"),
      meta("POSIX_RENAME_TARGETS", meta_rename_targets, "successful renames to this path from a recorded one"),
      {"POSIX_RENAMED_FROM", false,
       [](const Record& r, std::int64_t) -> Value {
         return r.renamed_from ? static_cast<long double>(static_cast<std::int64_t>(record_id(*r.renamed_from))) : 0.0;
       },
       "the record id of the first path renamed to this one"},
      meta("POSIX_MODE", meta_mode, "the mode argument of the latest creating open (decimal)"),
      rw("POSIX_BYTES_READ", true, rw_bytes, "bytes the reads returned"),
      rw("POSIX_BYTES_WRITTEN", false, rw_bytes, "bytes the writes returned"),
      rw("POSIX_MAX_BYTE_READ", true, rw_max_byte, "the highest offset read (offset + size - 1)"),
      rw("POSIX_MAX_BYTE_WRITTEN", false, rw_max_byte, "the highest offset written"),
      rw("POSIX_CONSEC_READS", true, rw_consec, "reads at the byte after the previous read's last"),
      rw("POSIX_CONSEC_WRITES", false, rw_consec, "writes at the byte after the previous write's last"),
      rw("POSIX_SEQ_READS", true, rw_seq, "reads beyond the previous read's last byte"),
      rw("POSIX_SEQ_WRITES", false, rw_seq, "writes beyond the previous write's last byte"),
      both("POSIX_RW_SWITCHES", rw_switches, "a read after a write or a write after a read, across close and reopen"),
      both("POSIX_MEM_NOT_ALIGNED", rw_mem_not_aligned, "calls whose buffer (every iovec's, for readv and writev) is not 8-byte aligned"),
      {"POSIX_MEM_ALIGNMENT", false, [](const Record&, std::int64_t) -> Value { return static_cast<long double>(mem_alignment); },
       "Darshan's default memory alignment, 8"},
      both("POSIX_FILE_NOT_ALIGNED", rw_file_not_aligned, "calls at an offset that is not a multiple of the file alignment"),
      {"POSIX_FILE_ALIGNMENT", false,
       [](const Record& r, std::int64_t) -> Value {
         if (r.file_alignment == 0) return std::nullopt;  // never opened: its file system was not seen
         return static_cast<long double>(r.file_alignment);
       },
       "the inode's block size (st_blksize), read in the kernel at each open; -1 for a record never opened"},
      rw("POSIX_MAX_READ_TIME_SIZE", true, rw_max_time_size, "the size of the slowest read"),
      rw("POSIX_MAX_WRITE_TIME_SIZE", false, rw_max_time_size, "the size of the slowest write"),
  };
}

// The size buckets and the top-4 accesses and strides.
void add_buckets_and_tops(std::vector<Counter>& c) {
  static constexpr std::string_view sizes[] = {"0_100", "100_1K", "1K_10K", "10K_100K", "100K_1M",
                                               "1M_4M", "4M_10M", "10M_100M", "100M_1G", "1G_PLUS"};
  static std::vector<std::string> names;  // the bucket and top-4 names, kept alive for the string_views
  names.reserve(64);
  for (bool reads : {true, false})
    for (int i = 0; i < 10; ++i) {
      names.push_back(fmt::format("POSIX_SIZE_{}_{}", reads ? "READ" : "WRITE", sizes[i]));
      c.push_back(bucket(names.back(), reads, i));
    }
  for (bool stride : {true, false})
    for (bool count : {false, true})
      for (std::size_t rank = 0; rank < 4; ++rank) {
        const char* what = stride ? "STRIDE" : "ACCESS";
        names.push_back(fmt::format("POSIX_{}{}_{}", what, rank + 1, count ? "COUNT" : what));
        c.push_back(top(names.back(), stride, rank, count));
      }
}

// The ranks' counters, the timestamps and the times.
void add_times(std::vector<Counter>& c) {
  const char* rank_note = "0: set only when MPI ranks share a file";
  c.push_back(zero("POSIX_FASTEST_RANK", rank_note));
  c.push_back(zero("POSIX_FASTEST_RANK_BYTES", rank_note));
  c.push_back(zero("POSIX_SLOWEST_RANK", rank_note));
  c.push_back(zero("POSIX_SLOWEST_RANK_BYTES", rank_note));
  c.push_back(meta_stamp("POSIX_F_OPEN_START_TIMESTAMP", meta_open_start_ns, "the first open's start, s from the run's start"));
  c.push_back(stamp("POSIX_F_READ_START_TIMESTAMP", true, rw_start_ns, "the first read's start, s from the run's start"));
  c.push_back(stamp("POSIX_F_WRITE_START_TIMESTAMP", false, rw_start_ns, "the first write's start, s from the run's start"));
  c.push_back(meta_stamp("POSIX_F_CLOSE_START_TIMESTAMP", meta_close_start_ns, "the first close's start, s from the run's start"));
  c.push_back(meta_stamp("POSIX_F_OPEN_END_TIMESTAMP", meta_open_end_ns, "the latest open's end, s from the run's start"));
  c.push_back(stamp("POSIX_F_READ_END_TIMESTAMP", true, rw_end_ns, "the latest read's end, s from the run's start"));
  c.push_back(stamp("POSIX_F_WRITE_END_TIMESTAMP", false, rw_end_ns, "the latest write's end, s from the run's start"));
  c.push_back(meta_stamp("POSIX_F_CLOSE_END_TIMESTAMP", meta_close_end_ns, "the latest close's end, s from the run's start"));
  c.push_back(duration("POSIX_F_READ_TIME", [](const Record& r) { return r.reads[rw_time_ns]; }, "time in reads, s"));
  c.push_back(duration("POSIX_F_WRITE_TIME", [](const Record& r) { return r.writes[rw_time_ns] + r.meta[meta_sync_time_ns]; },
                       "time in writes, fsync and fdatasync, s"));
  c.push_back(duration("POSIX_F_META_TIME", [](const Record& r) { return r.meta[meta_time_ns]; },
                       "time in opens, dups, filenos, seeks, stats, renames and closes, s"));
  c.push_back(duration("POSIX_F_MAX_READ_TIME", [](const Record& r) { return r.reads[rw_max_time_ns]; }, "the slowest read, s"));
  c.push_back(duration("POSIX_F_MAX_WRITE_TIME", [](const Record& r) { return r.writes[rw_max_time_ns]; }, "the slowest write, s"));
  const char* frank_note = "0: set only when MPI ranks share a file";
  c.push_back(fzero("POSIX_F_FASTEST_RANK_TIME", frank_note));
  c.push_back(fzero("POSIX_F_SLOWEST_RANK_TIME", frank_note));
  c.push_back(fzero("POSIX_F_VARIANCE_RANK_TIME", frank_note));
  c.push_back(fzero("POSIX_F_VARIANCE_RANK_BYTES", frank_note));
}

}  // namespace

const std::vector<Counter>& posix_counters() {
  static const std::vector<Counter> counters = [] {
    std::vector<Counter> c;
    add_counts(c);
    add_buckets_and_tops(c);
    add_times(c);
    return c;
  }();
  return counters;
}

}  // namespace ebpfgen::io
