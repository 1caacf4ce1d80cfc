// `io posix`'s contract: every map its program keeps, and the layout of
// each tuple, declared once. The generator's templates name them as
// {{@map}} and {{layout.field}} (codegen/templates.hpp); the report decodes
// the printed maps by the same enums (report/io_records.hpp).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "spec/maps.hpp"

namespace ebpfgen::io {

// Every map, in the order the program prints and clears them: X(name, kind, key, layout, meaning).
#define EBPFGEN_IO_POSIX_MAPS(X)                                                                                      \
  X(io_t0, Result, "", "", "the run's start (kernel ns): the timestamps count from it")                               \
  X(io_file, Result, "record", "posix_file", "the record's process, its user and the path as opened")                    \
  X(io_state, Result, "record", "posix_state", "where the record's next access starts, and what it last did")            \
  X(io_reads, Result, "record", "posix_rw", "the reads' counts")                                                         \
  X(io_writes, Result, "record", "posix_rw", "the writes' counts")                                                       \
  X(io_rtime, Result, "record", "posix_rw_time", "the reads' times")                                                     \
  X(io_wtime, Result, "record", "posix_rw_time", "the writes' times")                                                    \
  X(io_opens, Result, "record", "posix_opens", "opens, dups and filenos")                                                \
  X(io_close, Result, "record", "posix_close", "the first and the latest close")                                          \
  X(io_seeks, Result, "record", "", "successful seeks")                                                               \
  X(io_stats, Result, "record", "", "successful stats of a regular file")                                              \
  X(io_mmaps, Result, "record", "", "successful mmaps")                                                               \
  X(io_fsyncs, Result, "record", "", "successful fsyncs")                                                             \
  X(io_fdsyncs, Result, "record", "", "successful fdatasyncs")                                                        \
  X(io_sync_ns, Result, "record", "", "the time in fsync and fdatasync (ns)")                                         \
  X(io_meta_ns, Result, "record", "", "the time in metadata calls (ns)")                                              \
  X(io_rename_src, Result, "record", "", "renames away from the record's path")                                       \
  X(io_rename_tgt, Result, "record", "", "renames to it")                                                             \
  X(io_rsize, Result, "record, size", "posix_seen", "the exact histogram of read sizes")                                  \
  X(io_wsize, Result, "record, size", "posix_seen", "the exact histogram of write sizes")                                 \
  X(io_stride, Result, "record, stride", "posix_seen", "the exact histogram of strides")                                  \
  X(io_renamed, Result, "record", "", "the record the path was first renamed from")                                   \
  X(_io_call, Helper, "tid", "posix_call", "what an entry probe saw, for its exit")                                      \
  X(_io_fd, Helper, "pid, fd", "", "a descriptor's record")                                                           \
  X(_io_rec, Helper, "pid, path", "", "a path's record")                                                              \
  X(_io_ids, Helper, "tid", "", "how many records the thread has made")

enum class IoMap : std::size_t {
#define EBPFGEN_X(name, kind, key, layout, meaning) name,
  EBPFGEN_IO_POSIX_MAPS(EBPFGEN_X)
#undef EBPFGEN_X
};

const std::vector<MapContract>& io_posix_maps();  // in IoMap's order
std::string_view name_of(IoMap map);               // without '@'
std::string ref(IoMap map);                        // `@name`
bool is_io_map(std::string_view name);             // with or without '@'

// The tuple layouts, each X(layout, field): the enums below and the names templates use.
#define EBPFGEN_IO_FILE(X, L) X(L, pid) X(L, uid) X(L, path)
#define EBPFGEN_IO_STATE(X, L) \
  X(L, offset) X(L, last_read) X(L, last_written) X(L, last_op) X(L, alignment) X(L, stride0_first_ns)
#define EBPFGEN_IO_RW(X, L) \
  X(L, count) X(L, bytes) X(L, max_byte) X(L, seq) X(L, consec) X(L, switches) X(L, file_not_aligned) X(L, mem_not_aligned)
#define EBPFGEN_IO_RW_TIME(X, L) X(L, time_ns) X(L, max_time_ns) X(L, max_time_size) X(L, start_ns) X(L, end_ns)
#define EBPFGEN_IO_OPENS(X, L) X(L, count) X(L, dups) X(L, start_ns) X(L, end_ns) X(L, mode) X(L, filenos)
#define EBPFGEN_IO_CLOSE(X, L) X(L, first_ns) X(L, last_ns)
#define EBPFGEN_IO_SEEN(X, L) X(L, count) X(L, first_ns)
// An entry's call for its exit: its tag, the record (or the path's address), its start, and
// two values of the call (a mode, an offset, a buffer, a descriptor, a new name; its buffer's
// alignment).
#define EBPFGEN_IO_CALL(X, L) X(L, tag) X(L, subject) X(L, start_ns) X(L, arg) X(L, aligned)

#define EBPFGEN_ENUMERATOR(prefix, name) prefix##_##name,
enum State : std::size_t { EBPFGEN_IO_STATE(EBPFGEN_ENUMERATOR, state) state_fields };
// A record's reads' or writes' elements, as the report gathers them (Record::reads, writes): the
// counts of @io_reads or @io_writes, then the times of @io_rtime or @io_wtime from rw_time_ns on.
// Two tuples, as one would not fit the probe's 512-byte BPF stack twice (read, then written back).
enum Rw : std::size_t { EBPFGEN_IO_RW(EBPFGEN_ENUMERATOR, rw) EBPFGEN_IO_RW_TIME(EBPFGEN_ENUMERATOR, rw) rw_fields };
enum Opens : std::size_t { EBPFGEN_IO_OPENS(EBPFGEN_ENUMERATOR, open) open_fields };
enum Close : std::size_t { EBPFGEN_IO_CLOSE(EBPFGEN_ENUMERATOR, close) close_fields };
enum SeenField : std::size_t { EBPFGEN_IO_SEEN(EBPFGEN_ENUMERATOR, seen) seen_fields };
enum FileField : std::size_t { EBPFGEN_IO_FILE(EBPFGEN_ENUMERATOR, file) file_fields };
enum Call : std::size_t { EBPFGEN_IO_CALL(EBPFGEN_ENUMERATOR, call) call_fields };
#undef EBPFGEN_ENUMERATOR
// @io_state's last_op: what the record's last access was.
enum LastOp : int { op_none = 0, op_read = 1, op_write = 2 };
inline constexpr std::size_t rw_count_fields = rw_time_ns;  // @io_reads' and @io_writes' elements
inline constexpr std::size_t rw_time_fields = rw_fields - rw_time_ns;  // @io_rtime's and @io_wtime's

// The layouts above, by name (spec/maps.hpp's layouts()).
const std::vector<Layout>& io_posix_layouts();

}  // namespace ebpfgen::io
