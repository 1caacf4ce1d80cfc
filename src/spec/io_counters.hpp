// The catalogue of Darshan's POSIX counters (`io posix`): one entry per
// counter, in darshan-parser's order, with how each is computed from what
// the generated program counts in the kernel. The generator writes the
// per-record tuples whose elements are named here, the report reads them
// back and computes every counter through this one table (docs/IO.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/io_posix_maps.hpp"

namespace ebpfgen::io {

// Darshan's default excluded prefixes (darshan-core's exclusion list).
const std::vector<std::string>& default_excluded_prefixes();

// A record's other metadata, as the report gathers it (Record::meta), from the maps of meta_sources().
enum Meta : std::size_t {
  meta_opens, meta_dups, meta_seeks, meta_stats, meta_mmaps, meta_fsyncs, meta_fdsyncs, meta_sync_time_ns,
  meta_time_ns, meta_open_start_ns, meta_open_end_ns, meta_close_start_ns, meta_close_end_ns, meta_mode,
  meta_rename_sources, meta_rename_targets, meta_filenos, meta_fields
};
// Where each Meta element is printed: a map keyed by record, and the element of its tuple
// (-1: the map's value is a number, a count() or sum()).
struct MetaSource {
  IoMap map;
  int element;
};
const std::vector<MetaSource>& meta_sources();  // indexed by Meta

// A value the kernel counted, with when it was first seen (the order Darshan tracks values in).
struct Seen {
  std::int64_t count = 0;
  std::int64_t first_ns = 0;
};

// One file record as the program printed it: (process, path as opened).
struct Record {
  std::uint64_t id = 0;  // the program's own id for it
  std::int64_t pid = 0, uid = 0;
  std::string path;
  std::vector<std::int64_t> reads = std::vector<std::int64_t>(rw_fields), writes = std::vector<std::int64_t>(rw_fields);
  std::vector<std::int64_t> meta = std::vector<std::int64_t>(meta_fields);
  std::map<std::int64_t, Seen> read_sizes, write_sizes, strides;  // exact histograms, by value
  std::int64_t stride0_first_ns = 0;  // when stride 0 was first seen (Darshan tracks it, never lists it)
  std::int64_t file_alignment = 0;    // the file system's block size, read in the kernel at the first open
  std::optional<std::string> renamed_from;  // the path of the record it was renamed from
  bool filenos_counted = false;  // whether the program had its fileno() probe (IoPosixPlan::fileno_library)
};

// Darshan's ten access-size buckets: the index of the one `size` bytes fall in.
int size_bucket(std::int64_t size);
inline constexpr std::int64_t mem_alignment = 8;  // Darshan's default (DARSHAN_MEM_ALIGNMENT)
// Darshan tracks at most this many distinct values per record for the top-4 counters.
inline constexpr std::size_t tracked_values = 32;

struct ValueCount {
  std::int64_t value = 0, count = 0;
  bool operator==(const ValueCount&) const = default;
};
// Darshan's top-4 of a record's values: of the first 32 distinct values seen (0 included),
// the four with the highest counts, a tie going to the larger value; 0 is never listed.
std::vector<ValueCount> top_four(const std::map<std::int64_t, Seen>& values, std::optional<std::int64_t> zero_first_ns);

// The 64-bit record id of a path: FNV-1a of its bytes (stable, but not Darshan's own hash).
std::uint64_t record_id(std::string_view path);

// What computes a counter: an integer, a time in seconds, or not collected (-1).
struct Counter {
  std::string_view name;  // POSIX_OPENS ...
  bool is_float = false;
  // nullopt: not collected (printed as -1); `t0` is the run's start (kernel ns).
  std::function<std::optional<long double>(const Record&, std::int64_t t0)> value;
  std::string_view how;  // one line for docs/IO.md and the JSON schema
};
const std::vector<Counter>& posix_counters();  // 69 integer counters, then 17 floats, in Darshan's order

}  // namespace ebpfgen::io
