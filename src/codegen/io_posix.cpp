// `io posix`: Darshan's POSIX counters per file record, counted in the kernel
// from the syscall tracepoints (docs/IO.md). A record is (process, path as
// opened) and gets an id when it is made; every map after that is keyed by
// the id, so that an I/O call costs one descriptor -> record lookup at entry,
// one lookup and delete of what the entry saved, and a few tuple updates.
// The counters' names and how the report computes them: spec/io_counters.hpp.
#include "codegen/io_posix.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "codegen/spelling.hpp"
#include "spec/io_counters.hpp"

namespace ebpfgen::codegen {

namespace {

// What an entry probe saved for its exit (@_io_call's first element).
enum Tag { tag_open = 1, tag_read, tag_write, tag_seek, tag_fsync, tag_fdatasync, tag_close, tag_mmap, tag_dup,
           tag_stat_fd, tag_stat_path, tag_rename, tag_fileno };

// Replaces every <NAME> in `text`.
std::string sub(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    std::string token = "<" + name + ">";
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
      text.replace(at, token.size(), value);
  }
  return text;
}

// `@map[key] = (...)`: a tuple of `n` int64 elements, `var.i` unless `changed` gives one.
std::string tuple_store(const std::string& map, const std::string& key, const std::string& var, std::size_t n,
                        const std::map<std::size_t, std::string>& changed, const std::string& indent) {
  std::string out = indent + "@" + map + "[" + key + "] = (";
  for (std::size_t i = 0; i < n; ++i) {
    auto it = changed.find(i);
    out += (i ? ", " : "") + (it == changed.end() ? fmt::format("{}.{}", var, i) : "(int64)(" + it->second + ")");
  }
  return out + ");\n";
}

// Small maps, each updated by few calls: every probe stays within the 512-byte BPF stack.
std::string opens_update(const std::map<std::size_t, std::string>& changed, const std::string& indent) {
  return indent + "$o = @io_opens[$id];\n" + tuple_store("io_opens", "$id", "$o", io::open_fields, changed, indent);
}
std::string counted(const char* map, const std::string& indent, const std::string& id = "$id") {
  return indent + "@" + map + "[" + id + "] = count();\n";
}
std::string timed(const char* map, const std::string& indent, const std::string& id = "$id") {
  return indent + "@" + map + "[" + id + "] = sum($now - $c.2);\n";
}
// An open's or a dup's: the first start, the latest end, the metadata time.
std::map<std::size_t, std::string> open_times() {
  return {{io::open_start_ns, fmt::format("$o.{0} == 0 ? $c.2 : $o.{0}", int(io::open_start_ns))}, {io::open_end_ns, "$now"}};
}

// The state of a record (@io_state): the shadow offset, the last bytes read and written, the last
// operation (1 read, 2 write), the file alignment, and when stride 0 was first seen.
constexpr std::size_t state_fields = 6;

// A prefix test without strings: the path's first bytes are read as 64-bit words ($w0, $w1, ...)
// and compared 32 bits at a time with the prefix's bytes (little-endian), as string literals
// would each take room on the 512-byte BPF stack.
std::string prefix_test(const std::vector<std::string>& prefixes) {
  std::string out;
  for (const auto& p : prefixes) {
    std::string test;
    for (std::size_t at = 0; at < p.size(); at += 4) {
      std::size_t n = std::min<std::size_t>(4, p.size() - at);
      std::uint64_t value = 0, mask = 0;
      for (std::size_t i = 0; i < n; ++i) {
        value |= std::uint64_t(static_cast<unsigned char>(p[at + i])) << (8 * i);
        mask |= std::uint64_t(0xff) << (8 * i);
      }
      std::string word = fmt::format("$w{}", at / 8);
      std::string half = at % 8 == 0 ? fmt::format("({} & 0x{:x})", word, mask)
                                     : fmt::format("(({} >> 32) & 0x{:x})", word, mask);
      test += (test.empty() ? "" : " && ") + fmt::format("{} == 0x{:x}", half, value);
    }
    out += (out.empty() ? "" : " || ") + ("(" + test + ")");
  }
  return out;
}

std::size_t prefix_words(const IoPosixPlan& plan) {
  std::size_t longest = 0;
  for (const auto* list : {&plan.exclude, &plan.include})
    for (const auto& p : *list) longest = std::max(longest, p.size());
  return (longest + 7) / 8;
}

// The statements that read the words of the path at `pointer`.
std::string prefix_words_read(const IoPosixPlan& plan, const std::string& pointer, const std::string& indent) {
  std::string out;
  for (std::size_t i = 0; i < prefix_words(plan); ++i)
    out += fmt::format("{}$w{} = *(uint64 *)uptr({} + {});\n", indent, i, pointer, 8 * i);
  return out;
}

// The test that a path is recorded: not under an excluded prefix, or under an included one.
std::string recorded_test(const IoPosixPlan& plan) {
  std::string excluded = prefix_test(plan.exclude), included = prefix_test(plan.include);
  if (excluded.empty()) return "1";
  std::string out = "!(" + excluded + ")";
  if (!included.empty()) out += " || " + included;
  return out;
}

// Finds the record of (pid, $path), or makes it: its id is the thread's id and how many
// records that thread has made, so that two CPUs never hand out the same one.
std::string find_or_make_record(const std::string& path, const std::string& id, const std::string& indent) {
  return sub(R"(<I><ID> = @_io_rec[pid, <PATH>];
<I>if (<ID> == 0) {
<I>  $n = @_io_ids[tid] + 1;
<I>  @_io_ids[tid] = $n;
<I>  <ID> = (int64)(((uint64)tid << 32) | (uint64)$n);
<I>  @_io_rec[pid, <PATH>] = <ID>;
<I>  @io_file[<ID>] = ((int64)pid, (int64)uid, <PATH>);
<I>}
)",
             {{"I", indent}, {"ID", id}, {"PATH", path}});
}

// `uprobe:"/lib/x86_64-linux-gnu/libc.so.6":fileno`: the C library's path, in quotes.
std::string fileno_point(const char* kind, const IoPosixPlan& plan) {
  return fmt::format("{}:\"{}\":fileno", kind, plan.fileno_library);
}

struct Probes {
  const ProgramContext& program;
  const IoPosixPlan& plan;
  std::string out;

  bool has(const std::string& syscall) const {
    return std::find(plan.syscalls.begin(), plan.syscalls.end(), syscall) != plan.syscalls.end();
  }
  std::string pred(const std::string& more = "") const { return predicate({program.target_filter, more}); }

  void probe(const std::string& syscall, bool exit, const std::string& condition, const std::string& body) {
    out += fmt::format("\ntracepoint:syscalls:sys_{}_{}\n{}{{\n{}}}\n", exit ? "exit" : "enter", syscall,
                       pred(condition).empty() ? "" : pred(condition) + "\n", body);
  }

  // The entry of a call on a descriptor: saves the record, the start and two values, when the
  // descriptor is one of a record.
  void fd_entry(const std::string& syscall, Tag tag, const std::string& fd, const std::string& b, const std::string& c,
                const std::string& pre = "", const std::string& condition = "") {
    probe(syscall, false, condition,
          sub(R"(  $id = @_io_fd[pid, (int64)<FD>];
  if ($id != 0) {
<PRE>    @_io_call[tid] = ((int64)<TAG>, $id, (int64)nsecs, (int64)(<B>), (int64)(<C>));
  }
)",
              {{"FD", fd}, {"TAG", std::to_string(tag)}, {"B", b}, {"C", c}, {"PRE", pre}}));
  }
  // The entry of a call on a path: saves the path's address.
  void path_entry(const std::string& syscall, Tag tag, const std::string& path, const std::string& b, const std::string& c) {
    probe(syscall, false, "",
          fmt::format("  @_io_call[tid] = ((int64){}, (int64){}, (int64)nsecs, (int64)({}), (int64)({}));\n", int(tag), path, b, c));
  }
  // The exit: what the entry saved, when it was this call's.
  void exit(const std::string& syscall, Tag tag, const std::string& body) {
    probe(syscall, true, "",
          sub(R"(  $c = @_io_call[tid];
  if ($c.0 == <TAG>) {
    delete(@_io_call[tid]);
    $now = (int64)nsecs;
    $ret = (int64)args->ret;
<BODY>  }
)",
              {{"TAG", std::to_string(tag)}, {"BODY", body}}));
  }

  void opens() {
    // Opens: the path's record, found or made, takes the new descriptor.
    std::string body = sub(R"(    if ($ret >= 0) {
<WORDS>      if (<RECORDED>) {
        $path = str($c.1);
<FIND>        @_io_fd[pid, $ret] = $id;
        // An open resets the offset and the last bytes, not the last operation (RW_SWITCHES).
        $f = *(curtask->files->fdt->fd + $ret);
        $s = @io_state[$id];
<STATE><META>      }
    }
)",
                           {{"RECORDED", recorded_test(plan)}, {"WORDS", prefix_words_read(plan, "$c.1", "      ")},
                            {"FIND", find_or_make_record("$path", "$id", "        ")},
                            {"STATE", tuple_store("io_state", "$id", "$s", state_fields,
                                                  {{0, "0"}, {1, "0"}, {2, "0"}, {4, "1 << $f->f_inode->i_blkbits"}}, "        ")},
                            {"META", [&] {
                               auto changed = open_times();
                               changed[io::open_count] = fmt::format("$o.{} + 1", int(io::open_count));
                               changed[io::open_mode] = fmt::format("$c.3 != 0 ? $c.3 : $o.{}", int(io::open_mode));
                               return opens_update(changed, "        ") + timed("io_meta_ns", "        ");
                             }()}});
    // The mode counts when the open may create the file (O_CREAT or O_TMPFILE).
    if (has("open")) path_entry("open", tag_open, "args->filename", "(args->flags & 4259904) != 0 ? args->mode : 0", "0");
    if (has("open")) exit("open", tag_open, body);
    path_entry("openat", tag_open, "args->filename", "(args->flags & 4259904) != 0 ? args->mode : 0", "0");
    exit("openat", tag_open, body);
    if (has("openat2")) {
      probe("openat2", false, "",
            "  $how = (struct open_how *)uptr(args->how);\n"
            "  @_io_call[tid] = ((int64)" + std::to_string(tag_open) +
                ", (int64)args->filename, (int64)nsecs, (int64)(($how->flags & 4259904) != 0 ? $how->mode : 0), (int64)0);\n");
      exit("openat2", tag_open, body);
    }
    if (has("creat")) {
      path_entry("creat", tag_open, "args->pathname", "args->mode", "0");
      exit("creat", tag_open, body);
    }
  }

  // A read or a write of `ret` bytes at the call's own offset ($c.3 >= 0) or the record's shadow offset.
  std::string transfer_body(bool reads) {
    const char* map = reads ? "io_reads" : "io_writes";
    const char* sizes = reads ? "io_rsize" : "io_wsize";
    const char* times = reads ? "io_rtime" : "io_wtime";
    int last = reads ? 1 : 2, other = reads ? 2 : 1;
    using namespace io;
    auto f = [](Rw i) { return fmt::format("$r.{}", int(i)); };
    std::map<std::size_t, std::string> changed = {
        {rw_count, f(rw_count) + " + 1"},
        {rw_bytes, f(rw_bytes) + " + $ret"},
        {rw_max_byte, fmt::format("$end > {0} ? $end : {0}", f(rw_max_byte))},
        {rw_seq, f(rw_seq) + " + ($off > $last ? 1 : 0)"},
        {rw_consec, f(rw_consec) + " + ($off == $last + 1 ? 1 : 0)"},
        {rw_switches, f(rw_switches) + fmt::format(" + ($s.3 == {} ? 1 : 0)", other)},
        {rw_file_not_aligned, f(rw_file_not_aligned) + " + ($s.4 > 0 && ($off & ($s.4 - 1)) != 0 ? 1 : 0)"},
        {rw_mem_not_aligned, f(rw_mem_not_aligned) + " + ($c.4 == 0 ? 1 : 0)"},
        {rw_time_ns, f(rw_time_ns) + " + $now - $c.2"},
        {rw_max_time_ns, fmt::format("$now - $c.2 > {0} ? $now - $c.2 : {0}", f(rw_max_time_ns))},
        {rw_max_time_size, fmt::format("$now - $c.2 > {} ? $ret : {}", f(rw_max_time_ns), f(rw_max_time_size))},
        {rw_start_ns, fmt::format("{0} == 0 ? $c.2 : {0}", f(rw_start_ns))},
        {rw_end_ns, "$now"}};
    // The times' tuple holds the elements from rw_time_ns on, as $t.0 ...
    std::map<std::size_t, std::string> counts, timing;
    for (auto& [i, expr] : changed) {
      if (i < rw_time_ns) {
        counts[i] = expr;
        continue;
      }
      std::string e = expr;
      for (std::size_t j = rw_time_ns; j < rw_fields; ++j) {
        std::string from = fmt::format("$r.{}", j), to = fmt::format("$t.{}", j - rw_time_ns);
        for (auto at = e.find(from); at != std::string::npos; at = e.find(from, at + to.size())) e.replace(at, from.size(), to);
      }
      timing[i - rw_time_ns] = e;
    }
    std::map<std::size_t, std::string> state = {
        {0, "$off + $ret"}, {std::size_t(last), "$end"}, {3, std::to_string(last)}, {5, "$stride == 0 && $s.5 == 0 ? $now : $s.5"}};
    return sub(R"(    if ($ret >= 0) {
      $id = $c.1;
      $s = @io_state[$id];
      $off = $c.3 >= 0 ? $c.3 : $s.0;
      $last = $s.<LAST>;
      $stride = (int64)0;
      if ($off > 0 && $off > $last && $last != 0) { $stride = $off - $last - 1; }
      $end = $off + $ret - 1;
      $r = @<MAP>[$id];
<RW>      $t = @<TIMES>[$id];
<TIMED><STATE>      // Exact histograms of sizes and strides, each value with when it was first seen:
      // the report takes Darshan's buckets and top-4 from them.
      $h = @<SIZES>[$id, $ret];
      @<SIZES>[$id, $ret] = ($h.0 + 1, $h.0 == 0 ? $now : $h.1);
      if ($stride != 0) {
        $g = @io_stride[$id, $stride];
        @io_stride[$id, $stride] = ($g.0 + 1, $g.0 == 0 ? $now : $g.1);
      }
    }
)",
               {{"LAST", std::to_string(last)}, {"MAP", map}, {"SIZES", sizes}, {"TIMES", times},
                {"RW", tuple_store(map, "$id", "$r", rw_time_ns, counts, "      ")},
                {"TIMED", tuple_store(times, "$id", "$t", rw_fields - rw_time_ns, timing, "      ")},
                {"STATE", tuple_store("io_state", "$id", "$s", state_fields, state, "      ")}});
  }

  void transfers() {
    // Buffers: aligned when their address is a multiple of 8 (every iovec's, of the first 8).
    const std::string aligned = "((uint64)args->buf & 7) == 0 ? 1 : 0";
    const std::string vec_aligned = R"(    $v = (struct iovec *)uptr(args->vec);
    $aligned = 1;
    $i = (uint64)0;
    unroll (8) {
      if ($i < args->vlen) {
        if (((uint64)$v->iov_base & 7) != 0) { $aligned = 0; }
        $v = $v + 1;
        $i = $i + 1;
      }
    }
)";
    for (bool reads : {true, false}) {
      Tag tag = reads ? tag_read : tag_write;
      std::string body = transfer_body(reads);
      std::string plain = reads ? "read" : "write", positioned = reads ? "pread64" : "pwrite64";
      fd_entry(plain, tag, "args->fd", "-1", aligned);
      exit(plain, tag, body);
      if (has(positioned)) {
        fd_entry(positioned, tag, "args->fd", "args->pos", aligned);
        exit(positioned, tag, body);
      }
      for (const std::string& v : reads ? std::vector<std::string>{"readv", "preadv", "preadv2"}
                                        : std::vector<std::string>{"writev", "pwritev", "pwritev2"}) {
        if (!has(v)) continue;
        // preadv2 and pwritev2 at offset -1 use the file's position, as readv and writev do.
        fd_entry(v, tag, "args->fd", v.ends_with("v") && v.size() <= 6 ? "-1" : "(int64)args->pos_l", "$aligned", vec_aligned);
        exit(v, tag, body);
      }
    }
  }

  void by_descriptor() {
    using namespace io;
    if (has("lseek")) {
      fd_entry("lseek", tag_seek, "args->fd", "0", "0");
      exit("lseek", tag_seek,
           "    if ($ret >= 0) {\n      $id = $c.1;\n      $s = @io_state[$id];\n" +
               tuple_store("io_state", "$id", "$s", state_fields, {{0, "$ret"}}, "      ") +
               counted("io_seeks", "      ") + timed("io_meta_ns", "      ") + "    }\n");
    }
    for (auto [name, tag, map] : {std::tuple{"fsync", tag_fsync, "io_fsyncs"}, {"fdatasync", tag_fdatasync, "io_fdsyncs"}}) {
      if (!has(name)) continue;
      fd_entry(name, tag, "args->fd", "0", "0");
      // Darshan adds their time to the write time (POSIX_F_WRITE_TIME), not to the write timestamps.
      exit(name, tag, "    if ($ret == 0) {\n      $id = $c.1;\n" + counted(map, "      ") + timed("io_sync_ns", "      ") + "    }\n");
    }
    if (has("mmap")) {
      // An anonymous mapping is of no file, whatever its fd.
      fd_entry("mmap", tag_mmap, "args->fd", "0", "0", "", "(args->flags & 32) == 0");
      exit("mmap", tag_mmap, "    if ($ret >= 0) {\n      $id = $c.1;\n" + counted("io_mmaps", "      ") + "    }\n");
    }
    // Close: the descriptor is the record's no more; the last bytes start again from 0.
    fd_entry("close", tag_close, "args->fd", "args->fd", "0");
    exit("close", tag_close,
         "    $id = $c.1;\n    delete(@_io_fd[pid, $c.3]);\n    $s = @io_state[$id];\n" +
             tuple_store("io_state", "$id", "$s", state_fields, {{1, "0"}, {2, "0"}}, "    ") +
             "    $k = @io_close[$id];\n    @io_close[$id] = ($k.0 == 0 ? $c.2 : $k.0, $now);\n" + timed("io_meta_ns", "    "));
    // dup, dup2, dup3 and fcntl F_DUPFD(_CLOEXEC): one more descriptor of the record, an open
    // and a dup, without resetting its offset.
    std::string dup_body = "    if ($ret >= 0) {\n      $id = $c.1;\n      @_io_fd[pid, $ret] = $id;\n" +
                           [&] {
                             auto changed = open_times();
                             changed[open_count] = fmt::format("$o.{} + 1", int(open_count));
                             changed[open_dups] = fmt::format("$o.{} + 1", int(open_dups));
                             return opens_update(changed, "      ") + timed("io_meta_ns", "      ");
                           }() +
                           "    }\n";
    for (auto [name, fd] : {std::pair{"dup", "args->fildes"}, {"dup2", "args->oldfd"}, {"dup3", "args->oldfd"}}) {
      if (!has(name)) continue;
      fd_entry(name, tag_dup, fd, "0", "0");
      exit(name, tag_dup, dup_body);
    }
    if (has("fcntl")) {
      fd_entry("fcntl", tag_dup, "args->fd", "0", "0", "", "args->cmd == 0 || args->cmd == 1030");
      exit("fcntl", tag_dup, dup_body);
    }
  }

  // fileno() makes no syscall: a uprobe on the C library's, timed like the other calls. Darshan
  // counts it as an open and a fileno of the stream's record, which is its descriptor's here.
  void filenos() {
    using namespace io;
    if (plan.fileno_library.empty()) {
      out += "\n// POSIX_FILENOS is not counted (-1): fileno(): " + comment_text(plan.fileno_missing) + ".\n";
      return;
    }
    out += fmt::format("\n{}\n{}{{\n  @_io_call[tid] = ((int64){}, (int64)0, (int64)nsecs, (int64)0, (int64)0);\n}}\n",
                       fileno_point("uprobe", plan), pred().empty() ? "" : pred() + "\n", int(tag_fileno));
    auto changed = open_times();
    changed[open_count] = fmt::format("$o.{} + 1", int(open_count));
    changed[open_filenos] = fmt::format("$o.{} + 1", int(open_filenos));
    out += fmt::format("\n{}\n{}{{\n", fileno_point("uretprobe", plan), pred().empty() ? "" : pred() + "\n") +
           sub(R"(  $c = @_io_call[tid];
  if ($c.0 == <TAG>) {
    delete(@_io_call[tid]);
    $now = (int64)nsecs;
    $id = @_io_fd[pid, (int64)(int32)retval];
    if ($id != 0) {
<OPENS>    }
  }
}
)",
               {{"TAG", std::to_string(tag_fileno)}, {"OPENS", opens_update(changed, "      ") + timed("io_meta_ns", "      ")}});
  }

  void stats() {
    using namespace io;
    auto stat_counted = [&](const std::string& indent) { return counted("io_stats", indent) + timed("io_meta_ns", indent); };
    // A stat counts on a regular file only, as Darshan's does: its mode is read from the
    // caller's buffer once the call has filled it.
    auto body = [&](const char* type, const char* mode) {
      return sub(R"(    $mode = ((<TYPE> *)uptr($c.3))-><MODE>;
    if ($ret == 0 && ($mode & 61440) == 32768) {
      if ($c.0 == <FD>) {
        $id = $c.1;
<COUNTED>      } else {
<WORDS>        if (<RECORDED>) {
          $path = str($c.1);
<FIND><COUNTED2>        }
      }
    }
)",
                 {{"TYPE", type}, {"MODE", mode}, {"FD", std::to_string(tag_stat_fd)}, {"COUNTED", stat_counted("        ")},
                  {"RECORDED", recorded_test(plan)}, {"WORDS", prefix_words_read(plan, "$c.1", "        ")},
                  {"FIND", find_or_make_record("$path", "$id", "          ")},
                  {"COUNTED2", stat_counted("          ")}});
    };
    // A stat exit takes what either kind of entry saved.
    auto stat_exit = [&](const std::string& name, const std::string& b) {
      probe(name, true, "",
            sub(R"(  $c = @_io_call[tid];
  if ($c.0 == <FD> || $c.0 == <PATH>) {
    delete(@_io_call[tid]);
    $now = (int64)nsecs;
    $ret = (int64)args->ret;
<BODY>  }
)",
                {{"FD", std::to_string(tag_stat_fd)}, {"PATH", std::to_string(tag_stat_path)}, {"BODY", b}}));
    };
    for (const char* name : {"newstat", "newlstat"}) {
      if (!has(name)) continue;
      path_entry(name, tag_stat_path, "args->filename", "args->statbuf", "0");
      stat_exit(name, body("struct stat", "st_mode"));
    }
    if (has("newfstat")) {
      fd_entry("newfstat", tag_stat_fd, "args->fd", "args->statbuf", "0");
      stat_exit("newfstat", body("struct stat", "st_mode"));
    }
    // fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) in glibc: a stat of the descriptor.
    for (auto [name, buf, flag, type, mode] :
         {std::tuple{"newfstatat", "args->statbuf", "args->flag", "struct stat", "st_mode"},
          {"statx", "args->buffer", "args->flags", "struct statx", "stx_mode"}}) {
      if (!has(name)) continue;
      probe(name, false, "",
            sub(R"(  if ((<FLAG> & 4096) != 0 && str(args->filename, 2) == "") {
    $id = @_io_fd[pid, (int64)args->dfd];
    if ($id != 0) {
      @_io_call[tid] = ((int64)<FD>, $id, (int64)nsecs, (int64)<BUF>, (int64)0);
    }
  } else {
    @_io_call[tid] = ((int64)<PATH>, (int64)args->filename, (int64)nsecs, (int64)<BUF>, (int64)0);
  }
)",
                {{"FLAG", flag}, {"BUF", buf}, {"FD", std::to_string(tag_stat_fd)}, {"PATH", std::to_string(tag_stat_path)}}));
      stat_exit(name, body(type, mode));
    }
  }

  void renames() {
    using namespace io;
    // A rename counts on a recorded source; its target's record is found or made, and
    // remembers the first record renamed to it.
    std::string body = sub(R"(    if ($ret == 0) {
      $old = str($c.1);
      $from = @_io_rec[pid, $old];
      if ($from != 0) {
<SOURCE><WORDS>        if (<RECORDED>) {
          $path = str($c.3);
<FIND><TARGET>          if (@io_renamed[$id] == 0) { @io_renamed[$id] = $from; }
        }
      }
    }
)",
                           {{"SOURCE", counted("io_rename_src", "        ", "$from") + timed("io_meta_ns", "        ", "$from")},
                            {"RECORDED", recorded_test(plan)}, {"WORDS", prefix_words_read(plan, "$c.3", "        ")},
                            {"FIND", find_or_make_record("$path", "$id", "          ")},
                            {"TARGET", counted("io_rename_tgt", "          ")}});
    if (has("rename")) {
      path_entry("rename", tag_rename, "args->oldname", "args->newname", "0");
      exit("rename", tag_rename, body);
    }
    for (const char* name : {"renameat", "renameat2"}) {
      if (!has(name)) continue;
      path_entry(name, tag_rename, "args->oldname", "args->newname", "0");
      exit(name, tag_rename, body);
    }
  }
};

}  // namespace

std::string io_posix_begin() {
  // Each tuple map is read before it is written in every probe: one typed entry here,
  // deleted at once, gives bpftrace its types.
  auto zeros = [](std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + std::string("(int64)0");
    return "(" + out + ")";
  };
  std::string out = "  @io_t0 = $now;  // io posix: its timestamps count from here\n";
  for (auto [map, key, n] : {std::tuple{"io_state", "(int64)0", state_fields}, {"io_reads", "(int64)0", io::rw_time_ns},
                             {"io_writes", "(int64)0", io::rw_time_ns}, {"io_opens", "(int64)0", io::open_fields},
                             {"io_rtime", "(int64)0", io::rw_fields - io::rw_time_ns},
                             {"io_wtime", "(int64)0", io::rw_fields - io::rw_time_ns},
                             {"io_close", "(int64)0", std::size_t(2)},
                             {"io_rsize", "(int64)0, (int64)0", std::size_t(2)}, {"io_wsize", "(int64)0, (int64)0", std::size_t(2)},
                             {"io_stride", "(int64)0, (int64)0", std::size_t(2)}}) {
    out += fmt::format("  @{0}[{1}] = {2}; delete(@{0}[{1}]);\n", map, key, zeros(n));
  }
  out += "  @_io_ids[(uint64)0] = (int64)0; delete(@_io_ids[(uint64)0]);\n";
  out += "  @io_renamed[(int64)0] = (int64)0; delete(@io_renamed[(int64)0]);\n";
  return out;
}

std::vector<std::string> io_posix_points(const CheckedSpec& spec) {
  std::vector<std::string> out;
  for (const auto& name : spec.io->syscalls)
    for (const char* side : {"enter", "exit"}) out.push_back(fmt::format("tracepoint:syscalls:sys_{}_{}", side, name));
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
  out.code = fmt::format(
      "// Darshan's POSIX counters per file ({}:{}: io posix), counted here, in the kernel.\n"
      "// A record is (process, path as opened); paths under {} are left out{}.\n"
      "// Maps: @_io_rec finds a record by (pid, path) when a file is opened, stat'ed or renamed to;\n"
      "// @_io_ids numbers each thread's new records; @_io_fd finds a descriptor's record, the one lookup\n"
      "// an I/O call's entry makes (a descriptor of no record costs that lookup and the exit's);\n"
      "// @_io_call carries what the entry saw (record, start, offset, buffer alignment) to the exit.\n"
      "// Results, keyed by record: @io_file (pid, uid, path), @io_state (shadow offset, last bytes read\n"
      "// and written, last operation, file alignment, when stride 0 was first seen), @io_reads and\n"
      "// @io_writes (counts, bytes, sequential and consecutive accesses), @io_rtime and @io_wtime (time,\n"
      "// the slowest call and its size, the first start and the latest end), @io_opens (opens, dups,\n"
      "// their first start and latest end, the mode, filenos), @io_close (the first and latest close), counts of\n"
      "// seeks, stats, mmaps, syncs and renames, the time in syncs and in metadata calls, @io_rsize, @io_wsize and\n"
      "// @io_stride (exact histograms: the report takes Darshan's buckets and top-4 from them),\n"
      "// @io_renamed (the record a path was first renamed from), @io_t0 (the run's start).",
      comment_text(program.source.name), plan.where.line, excluded.empty() ? "no prefix" : comment_text(excluded),
      included.empty() ? "" : ", unless under " + comment_text(included));
  out.code += p.out;
  out.results = {"io_t0", "io_file", "io_state", "io_reads", "io_writes", "io_rtime", "io_wtime", "io_opens", "io_close", "io_seeks",
                 "io_stats", "io_mmaps", "io_fsyncs", "io_fdsyncs", "io_sync_ns", "io_meta_ns", "io_rename_src",
                 "io_rename_tgt", "io_rsize", "io_wsize", "io_stride", "io_renamed"};
  out.helpers = {"_io_call", "_io_fd", "_io_rec", "_io_ids"};
  return out;
}

}  // namespace ebpfgen::codegen
