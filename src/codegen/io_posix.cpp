// `io posix`: Darshan's POSIX counters per file record, counted in the kernel
// from the syscall tracepoints (docs/IO.md). A record is (process, path as
// opened) and gets an id when it is made; every map after that is keyed by
// the id, so that an I/O call costs one descriptor -> record lookup at entry,
// one lookup and delete of what the entry saved, and a few tuple updates.
// The maps and their tuples: spec/io_posix_maps.hpp; the text: templates/io_*.bt;
// how the report computes each counter: spec/io_counters.hpp.
#include "codegen/io_posix.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "codegen/io_prefixes.hpp"
#include "codegen/spelling.hpp"
#include "codegen/templates.hpp"
#include "codegen/tuples.hpp"
#include "spec/io_posix_maps.hpp"

namespace ebpfgen::codegen {

namespace {

using io::IoMap;
using io::ref;
using templates::Fill;
using templates::filled;
using templates::indented;
using templates::render;

// What an entry probe saved for its exit (@_io_call's tag).
enum Tag { tag_open = 1, tag_read, tag_write, tag_seek, tag_fsync, tag_fdatasync, tag_close, tag_mmap, tag_dup,
           tag_stat_fd, tag_stat_path, tag_rename, tag_fileno };

// Linux's flags that the probes test.
constexpr const char* creating_flags = "4259904";  // O_CREAT | O_TMPFILE: the open may create the file
constexpr int map_anonymous = 32;                  // MAP_ANONYMOUS
constexpr int f_dupfd = 0, f_dupfd_cloexec = 1030;  // fcntl's commands that duplicate a descriptor

std::string arg(const char* name) { return tracepoint_arg(name); }

// `@map[$id] = count();` and `@map[$id] = sum($now - start);`.
std::string counted(IoMap map, const std::string& id = "$id") { return ref(map) + "[" + id + "] = count();\n"; }
std::string timed(IoMap map, const std::string& id = "$id") {
  return ref(map) + "[" + id + "] = " + filled("sum($now - $c.{{posix_call.start_ns}});\n");
}

// A record's opens tuple, read and written back with `changed`.
std::string opens_update(Elements changed) {
  // An open's, a dup's or a fileno's: the first start, the latest end.
  changed.emplace_back("start_ns", "$o.{{posix_opens.start_ns}} == 0 ? $c.{{posix_call.start_ns}} : $o.{{posix_opens.start_ns}}");
  changed.emplace_back("end_ns", "$now");
  return "$o = " + ref(IoMap::io_opens) + "[$id];\n" + tuple_update(ref(IoMap::io_opens), "$id", "$o", "posix_opens", changed);
}

// The record of (pid, $path), found or made: its id is the thread's id and how many records
// that thread has made, so that two CPUs never hand out the same one.
std::string find_or_make_record() {
  return render("io_find_record",
                {{"path", "$path"}, {"file", tuple_of("posix_file", {{"pid", "(int64)pid"}, {"uid", "(int64)uid"}, {"path", "$path"}})}});
}

// `uprobe:"/lib/x86_64-linux-gnu/libc.so.6":fileno`: the C library's path, in quotes.
std::string fileno_point(const char* kind, const IoPosixPlan& plan) {
  return fmt::format("{}:\"{}\":fileno", kind, plan.fileno_library);
}

// An entry's call tuple: its tag, what it is on, its start, and two values.
std::string call(Tag tag, const std::string& subject, const std::string& b, const std::string& c) {
  return tuple_of("posix_call", {{"tag", fmt::format("(int64){}", int(tag))}, {"subject", subject},
                              {"start_ns", "(int64)nsecs"}, {"arg", b}, {"aligned", c}});
}

// The test, in an exit, that what the entry saved was a call of `tag`'s.
std::string is_call(Tag tag) { return filled("$c.{{posix_call.tag}} == ") + std::to_string(tag); }

struct Probes {
  const ProgramContext& program;
  const IoPosixPlan& plan;
  std::string out;

  bool has(const std::string& syscall) const {
    return std::find(plan.syscalls.begin(), plan.syscalls.end(), syscall) != plan.syscalls.end();
  }
  std::string pred(const std::string& more = "") const {
    std::string p = predicate({program.target_filter, more});
    return p.empty() ? "" : p + "\n";
  }

  void probe(const std::string& attach, const std::string& condition, const std::string& body) {
    out += "\n" + render("probe", {{"attach", attach}, {"predicate", pred(condition)}, {"body", indented(body, 2)}});
  }
  void syscall(const std::string& name, bool at_exit, const std::string& body, const std::string& condition = "") {
    probe(syscall_points({name}, SyscallStyle::Tracepoint, at_exit).front(), condition, body);
  }

  // The entry of a call on a descriptor: saves the record, the start and two values, when the
  // descriptor is one of a record.
  void fd_entry(const std::string& name, Tag tag, const std::string& fd, const std::string& b, const std::string& c,
                const std::string& before = "", const std::string& condition = "") {
    syscall(name, false,
            render("io_entry_fd", {{"fd", fd}, {"before", indented(before, 2)},
                                   {"call", call(tag, "$id", "(int64)(" + b + ")", "(int64)(" + c + ")")}}),
            condition);
  }
  // The entry of a call on a path: saves the path's address.
  void path_entry(const std::string& name, Tag tag, const std::string& path, const std::string& b, const std::string& c) {
    syscall(name, false, render("io_entry_path", {{"call", call(tag, "(int64)" + path, "(int64)(" + b + ")", "(int64)(" + c + ")")}}));
  }
  // The exit: what the entry saved, when it was this call's.
  void exit(const std::string& name, const std::string& is_mine, const std::string& body) {
    syscall(name, true, render("io_exit", {{"is_mine", is_mine}, {"body", indented(body, 2)}}));
  }
  void exit(const std::string& name, Tag tag, const std::string& body) { exit(name, is_call(tag), body); }

  // The statements that find the record of the path at `pointer` when it is recorded.
  Fill words(const std::string& pointer, std::size_t spaces) const {
    return {"words", indented(prefix_words_read(plan, pointer), spaces)};
  }

  void opens() {
    // Opens: the path's record, found or made, takes the new descriptor; an open resets the
    // offset and the last bytes, not the last operation (RW_SWITCHES).
    std::string state = tuple_update(ref(IoMap::io_state), "$id", "$s", "posix_state",
                                     {{"offset", "0"}, {"last_read", "0"}, {"last_written", "0"},
                                      {"alignment", "1 << $f->f_inode->i_blkbits"}});
    std::string opens = opens_update({{"count", "$o.{{posix_opens.count}} + 1"},
                                      {"mode", "$c.{{posix_call.arg}} != 0 ? $c.{{posix_call.arg}} : $o.{{posix_opens.mode}}"}});
    std::string body = render("io_open", {words(filled("$c.{{posix_call.subject}}"), 2), {"recorded", recorded_test(plan)},
                                          {"find", indented(find_or_make_record(), 4)}, {"state", indented(state, 4)},
                                          {"opens", indented(opens + timed(IoMap::io_meta_ns), 4)}});
    // The mode counts when the open may create the file.
    std::string mode = fmt::format("({} & {}) != 0 ? {} : 0", arg("flags"), creating_flags, arg("mode"));
    for (const char* name : {"open", "openat"}) {
      if (!has(name)) continue;
      path_entry(name, tag_open, arg("filename"), mode, "0");
      exit(name, tag_open, body);
    }
    if (has("openat2")) {
      std::string how_mode = fmt::format("(int64)(($how->flags & {}) != 0 ? $how->mode : 0)", creating_flags);
      syscall("openat2", false,
              render("io_openat2_entry", {{"call", call(tag_open, "(int64)" + arg("filename"), how_mode, "(int64)0")}}));
      exit("openat2", tag_open, body);
    }
    if (has("creat")) {
      path_entry("creat", tag_open, arg("pathname"), arg("mode"), "0");
      exit("creat", tag_open, body);
    }
  }

  // A read or a write of `ret` bytes at the call's own offset, or at the record's shadow offset.
  std::string transfer_body(bool reads) {
    const char* last_field = reads ? "last_read" : "last_written";
    std::string other = std::to_string(reads ? io::op_write : io::op_read);
    Elements counts = {
        {"count", "$r.{{posix_rw.count}} + 1"},
        {"bytes", "$r.{{posix_rw.bytes}} + $ret"},
        {"max_byte", "$end > $r.{{posix_rw.max_byte}} ? $end : $r.{{posix_rw.max_byte}}"},
        {"seq", "$r.{{posix_rw.seq}} + ($off > $last ? 1 : 0)"},
        {"consec", "$r.{{posix_rw.consec}} + ($off == $last + 1 ? 1 : 0)"},
        {"switches", "$r.{{posix_rw.switches}} + ($s.{{posix_state.last_op}} == " + other + " ? 1 : 0)"},
        {"file_not_aligned", "$r.{{posix_rw.file_not_aligned}} + ($s.{{posix_state.alignment}} > 0 && "
                             "($off & ($s.{{posix_state.alignment}} - 1)) != 0 ? 1 : 0)"},
        {"mem_not_aligned", "$r.{{posix_rw.mem_not_aligned}} + ($c.{{posix_call.aligned}} == 0 ? 1 : 0)"}};
    const char* took = "$now - $c.{{posix_call.start_ns}}";
    Elements times = {
        {"time_ns", "$t.{{posix_rw_time.time_ns}} + $now - $c.{{posix_call.start_ns}}"},
        {"max_time_ns", std::string(took) + " > $t.{{posix_rw_time.max_time_ns}} ? " + took + " : $t.{{posix_rw_time.max_time_ns}}"},
        {"max_time_size", std::string(took) + " > $t.{{posix_rw_time.max_time_ns}} ? $ret : $t.{{posix_rw_time.max_time_size}}"},
        {"start_ns", "$t.{{posix_rw_time.start_ns}} == 0 ? $c.{{posix_call.start_ns}} : $t.{{posix_rw_time.start_ns}}"},
        {"end_ns", "$now"}};
    Elements state = {{"offset", "$off + $ret"}, {last_field, "$end"}, {"last_op", std::to_string(reads ? io::op_read : io::op_write)},
                      {"stride0_first_ns", "$stride == 0 && $s.{{posix_state.stride0_first_ns}} == 0 ? $now : $s.{{posix_state.stride0_first_ns}}"}};
    auto seen = [](const char* var) {
      std::string v(var);
      return tuple_of("posix_seen", {{"count", v + ".{{posix_seen.count}} + 1"},
                                  {"first_ns", v + ".{{posix_seen.count}} == 0 ? $now : " + v + ".{{posix_seen.first_ns}}"}});
    };
    std::string counts_map = ref(reads ? IoMap::io_reads : IoMap::io_writes);
    std::string times_map = ref(reads ? IoMap::io_rtime : IoMap::io_wtime);
    return render("io_transfer",
                  {{"last", static_cast<int>(reads ? io::state_last_read : io::state_last_written)},
                   {"counts_map", counts_map}, {"times_map", times_map},
                   {"sizes_map", ref(reads ? IoMap::io_rsize : IoMap::io_wsize)},
                   {"counts", indented(tuple_update(counts_map, "$id", "$r", "posix_rw", counts), 2)},
                   {"times", indented(tuple_update(times_map, "$id", "$t", "posix_rw_time", times), 2)},
                   {"state", indented(tuple_update(ref(IoMap::io_state), "$id", "$s", "posix_state", state), 2)},
                   {"size_seen", seen("$h")}, {"stride_seen", seen("$g")}});
  }

  void transfers() {
    // Buffers: aligned when their address is a multiple of 8 (every iovec's, of the first 8).
    const std::string aligned = fmt::format("((uint64){} & 7) == 0 ? 1 : 0", arg("buf"));
    for (bool reads : {true, false}) {
      Tag tag = reads ? tag_read : tag_write;
      std::string body = transfer_body(reads);
      std::string plain = reads ? "read" : "write", positioned = reads ? "pread64" : "pwrite64";
      fd_entry(plain, tag, arg("fd"), "-1", aligned);
      exit(plain, tag, body);
      if (has(positioned)) {
        fd_entry(positioned, tag, arg("fd"), arg("pos"), aligned);
        exit(positioned, tag, body);
      }
      for (const std::string& v : reads ? std::vector<std::string>{"readv", "preadv", "preadv2"}
                                        : std::vector<std::string>{"writev", "pwritev", "pwritev2"}) {
        if (!has(v)) continue;
        // preadv2 and pwritev2 at offset -1 use the file's position, as readv and writev do.
        std::string offset = v.ends_with("v") && v.size() <= 6 ? "-1" : "(int64)" + arg("pos_l");
        fd_entry(v, tag, arg("fd"), offset, "$aligned", render("io_vec_aligned"));
        exit(v, tag, body);
      }
    }
  }

  // A call on a record's descriptor that counts when `test` holds.
  std::string on_record(const std::string& test, const std::string& body) {
    return render("io_on_record", {{"test", test}, {"body", indented(body, 2)}});
  }

  void by_descriptor() {
    if (has("lseek")) {
      fd_entry("lseek", tag_seek, arg("fd"), "0", "0");
      std::string state = tuple_update(ref(IoMap::io_state), "$id", "$s", "posix_state", {{"offset", "$ret"}});
      exit("lseek", tag_seek,
           on_record("$ret >= 0", "$s = " + ref(IoMap::io_state) + "[$id];\n" + state + counted(IoMap::io_seeks) +
                                      timed(IoMap::io_meta_ns)));
    }
    for (auto [name, tag, map] : {std::tuple{"fsync", tag_fsync, IoMap::io_fsyncs}, {"fdatasync", tag_fdatasync, IoMap::io_fdsyncs}}) {
      if (!has(name)) continue;
      fd_entry(name, tag, arg("fd"), "0", "0");
      // Darshan adds their time to the write time (POSIX_F_WRITE_TIME), not to the write timestamps.
      exit(name, tag, on_record("$ret == 0", counted(map) + timed(IoMap::io_sync_ns)));
    }
    if (has("mmap")) {
      // An anonymous mapping is of no file, whatever its fd.
      fd_entry("mmap", tag_mmap, arg("fd"), "0", "0", "", fmt::format("({} & {}) == 0", arg("flags"), map_anonymous));
      exit("mmap", tag_mmap, on_record("$ret >= 0", counted(IoMap::io_mmaps)));
    }
    // Close: the descriptor is the record's no more; the last bytes start again from 0.
    fd_entry("close", tag_close, arg("fd"), arg("fd"), "0");
    exit("close", tag_close,
         render("io_on_close",
                {{"state", tuple_update(ref(IoMap::io_state), "$id", "$s", "posix_state", {{"last_read", "0"}, {"last_written", "0"}})},
                 {"close", tuple_of("posix_close", {{"first_ns", "$k.{{posix_close.first_ns}} == 0 ? $c.{{posix_call.start_ns}} : $k.{{posix_close.first_ns}}"},
                                                 {"last_ns", "$now"}})},
                 {"timed", timed(IoMap::io_meta_ns)}}));
    // dup, dup2, dup3 and fcntl F_DUPFD(_CLOEXEC): one more descriptor of the record, an open
    // and a dup, without resetting its offset.
    std::string dup = render("io_dup", {{"opens", indented(opens_update({{"count", "$o.{{posix_opens.count}} + 1"},
                                                                          {"dups", "$o.{{posix_opens.dups}} + 1"}}) +
                                                                timed(IoMap::io_meta_ns),
                                                            2)}});
    for (auto [name, fd] : {std::pair{"dup", "fildes"}, {"dup2", "oldfd"}, {"dup3", "oldfd"}}) {
      if (!has(name)) continue;
      fd_entry(name, tag_dup, arg(fd), "0", "0");
      exit(name, tag_dup, dup);
    }
    if (has("fcntl")) {
      fd_entry("fcntl", tag_dup, arg("fd"), "0", "0", "",
               fmt::format("{0} == {1} || {0} == {2}", arg("cmd"), f_dupfd, f_dupfd_cloexec));
      exit("fcntl", tag_dup, dup);
    }
  }

  // fileno() makes no syscall: a uprobe on the C library's, timed like the other calls. Darshan
  // counts it as an open and a fileno of the stream's record, which is its descriptor's here.
  void filenos() {
    if (plan.fileno_library.empty()) {
      out += "\n// POSIX_FILENOS is not counted (-1): fileno(): " + comment_text(plan.fileno_missing) + ".\n";
      return;
    }
    probe(fileno_point("uprobe", plan), "",
          render("io_entry_path", {{"call", call(tag_fileno, "(int64)0", "(int64)0", "(int64)0")}}));
    std::string opens = opens_update({{"count", "$o.{{posix_opens.count}} + 1"}, {"filenos", "$o.{{posix_opens.filenos}} + 1"}});
    probe(fileno_point("uretprobe", plan), "",
          render("io_fileno_exit", {{"tag", int(tag_fileno)}, {"opens", indented(opens + timed(IoMap::io_meta_ns), 4)}}));
  }

  void stats();
  void renames();
};

}  // namespace

namespace {

void Probes::stats() {
  std::string counted_stat = counted(IoMap::io_stats) + timed(IoMap::io_meta_ns);
  // A stat counts on a regular file only, as Darshan's does (S_IFMT 61440, S_IFREG 32768 in the
  // template): its mode is read from the caller's buffer once the call has filled it.
  auto body = [&](const char* type, const char* mode) {
    return render("io_stat", {{"type", type}, {"mode", mode}, {"fd_tag", int(tag_stat_fd)},
                              {"counted", indented(counted_stat, 4)}, words(filled("$c.{{posix_call.subject}}"), 4),
                              {"recorded", recorded_test(plan)}, {"find", indented(find_or_make_record(), 6)},
                              {"counted_path", indented(counted_stat, 6)}});
  };
  // A stat exit takes what either kind of entry saved.
  std::string either = is_call(tag_stat_fd) + " || " + is_call(tag_stat_path);
  for (const char* name : {"newstat", "newlstat"}) {
    if (!has(name)) continue;
    path_entry(name, tag_stat_path, arg("filename"), arg("statbuf"), "0");
    exit(name, either, body("struct stat", "st_mode"));
  }
  if (has("newfstat")) {
    fd_entry("newfstat", tag_stat_fd, arg("fd"), arg("statbuf"), "0");
    exit("newfstat", either, body("struct stat", "st_mode"));
  }
  // fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) in glibc: a stat of the descriptor.
  for (auto [name, buf, flag, type, mode] : {std::tuple{"newfstatat", "statbuf", "flag", "struct stat", "st_mode"},
                                             {"statx", "buffer", "flags", "struct statx", "stx_mode"}}) {
    if (!has(name)) continue;
    std::string buffer = "(int64)" + arg(buf);
    syscall(name, false,
            render("io_statat_entry", {{"flag", arg(flag)},
                                       {"fd_call", call(tag_stat_fd, "$id", buffer, "(int64)0")},
                                       {"path_call", call(tag_stat_path, "(int64)" + arg("filename"), buffer, "(int64)0")}}));
    exit(name, either, body(type, mode));
  }
}

void Probes::renames() {
  // A rename counts on a recorded source; its target's record is found or made, and remembers
  // the first record renamed to it.
  std::string body =
      render("io_rename", {{"source", indented(counted(IoMap::io_rename_src, "$from") + timed(IoMap::io_meta_ns, "$from"), 4)},
                           words(filled("$c.{{posix_call.arg}}"), 4), {"recorded", recorded_test(plan)},
                           {"find", indented(find_or_make_record(), 6)}, {"target", indented(counted(IoMap::io_rename_tgt), 6)}});
  for (const char* name : {"rename", "renameat", "renameat2"}) {
    if (!has(name)) continue;
    path_entry(name, tag_rename, arg("oldname"), arg("newname"), "0");
    exit(name, tag_rename, body);
  }
}

}  // namespace

std::string io_posix_begin() {
  // Each tuple map is read before it is written in every probe: one typed entry here,
  // deleted at once, gives bpftrace its types.
  std::string out = "  " + ref(IoMap::io_t0) + " = $now;  // io posix: its timestamps count from here\n";
  using enum IoMap;
  const std::string id = "(int64)0", id_and_value = "(int64)0, (int64)0";
  for (auto [map, key, value] :
       {std::tuple{io_state, id, zero_tuple("posix_state")}, {io_reads, id, zero_tuple("posix_rw")}, {io_writes, id, zero_tuple("posix_rw")},
        {io_opens, id, zero_tuple("posix_opens")}, {io_rtime, id, zero_tuple("posix_rw_time")}, {io_wtime, id, zero_tuple("posix_rw_time")},
        {io_close, id, zero_tuple("posix_close")}, {io_rsize, id_and_value, zero_tuple("posix_seen")},
        {io_wsize, id_and_value, zero_tuple("posix_seen")}, {io_stride, id_and_value, zero_tuple("posix_seen")},
        {_io_ids, std::string("(uint64)0"), std::string("(int64)0")}, {io_renamed, id, std::string("(int64)0")}}) {
    out += render("io_begin_typed", {{"map", ref(map)}, {"key", key}, {"value", value}});
  }
  return out;
}

std::vector<std::string> io_posix_points(const CheckedSpec& spec) {
  std::vector<std::string> out;
  for (const auto& name : spec.io->syscalls)
    for (bool at_exit : {false, true}) out.push_back(syscall_points({name}, SyscallStyle::Tracepoint, at_exit).front());
  if (!spec.io->fileno_library.empty())
    for (const char* kind : {"uprobe", "uretprobe"}) out.push_back(fileno_point(kind, *spec.io));
  return out;
}

Section io_posix_section(const ProgramContext& program) {
  const IoPosixPlan& plan = *program.spec.io;
  Probes p{program, plan, ""};
  p.opens();
  p.transfers();
  p.by_descriptor();
  p.stats();
  p.renames();
  p.filenos();
  std::string excluded;
  for (const auto& e : plan.exclude) excluded += (excluded.empty() ? "" : " ") + e;
  std::string included;
  for (const auto& e : plan.include) included += (included.empty() ? "" : " ") + e;
  Section out;
  out.code = render("io_header", {{"origin", fmt::format("{}:{}", comment_text(program.source.name), plan.where.line)},
                                  {"excluded", excluded.empty() ? "no prefix" : comment_text(excluded)},
                                  {"included", included.empty() ? "" : ", unless under " + comment_text(included)}});
  out.code += p.out;
  for (const auto& map : io::io_posix_maps())
    (map.kind == MapKind::Helper ? out.helpers : out.results).emplace_back(map.name);
  return out;
}

}  // namespace ebpfgen::codegen
