#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "helpers.hpp"
#include "report/darshan_text.hpp"
#include "report/io_records.hpp"
#include "report/records.hpp"
#include "spec/io_counters.hpp"

using namespace ebpfgen;

namespace {

std::map<std::int64_t, io::Seen> seen(std::initializer_list<std::tuple<std::int64_t, std::int64_t, std::int64_t>> values) {
  std::map<std::int64_t, io::Seen> out;
  for (auto [value, count, first] : values) out[value] = {count, first};
  return out;
}

const io::Counter& counter(std::string_view name) {
  for (const auto& c : io::posix_counters())
    if (c.name == name) return c;
  FAIL("no counter ", name);
  throw;
}

}  // namespace

TEST_CASE("io posix: Darshan's size buckets, upper bounds inclusive") {
  CHECK(io::size_bucket(0) == 0);
  CHECK(io::size_bucket(100) == 0);
  CHECK(io::size_bucket(101) == 1);
  CHECK(io::size_bucket(1024) == 1);
  CHECK(io::size_bucket(1025) == 2);
  CHECK(io::size_bucket(10240) == 2);
  CHECK(io::size_bucket(102400) == 3);
  CHECK(io::size_bucket(102401) == 4);
  CHECK(io::size_bucket(1048576) == 4);
  CHECK(io::size_bucket(4194304) == 5);
  CHECK(io::size_bucket(10485760) == 6);
  CHECK(io::size_bucket(104857600) == 7);
  CHECK(io::size_bucket(1073741824) == 8);
  CHECK(io::size_bucket(1073741825) == 9);
}

TEST_CASE("io posix: the top-4 by count, a tie to the larger value, 0 never listed") {
  auto four = io::top_four(seen({{100, 3, 1}, {10, 3, 2}, {500, 1, 3}, {700, 1, 4}, {0, 9, 5}, {20, 1, 6}}), std::nullopt);
  CHECK(four == std::vector<io::ValueCount>{{100, 3}, {10, 3}, {700, 1}, {500, 1}});
  CHECK(io::top_four(seen({{0, 4, 1}}), std::nullopt).empty());
  CHECK(io::top_four(seen({{8, 1, 1}, {4, 2, 2}}), std::nullopt) == std::vector<io::ValueCount>{{4, 2}, {8, 1}});
}

TEST_CASE("io posix: only the first 32 distinct values seen are kept, 0 among them") {
  std::map<std::int64_t, io::Seen> values;
  for (std::int64_t v = 1; v <= 31; ++v) values[v] = {1, v};  // seen at 1 .. 31
  values[1000] = {50, 33};  // the 33rd value seen: Darshan never tracks it, however common
  auto four = io::top_four(values, /*stride 0 first seen at*/ 32);
  CHECK(four == std::vector<io::ValueCount>{{31, 1}, {30, 1}, {29, 1}, {28, 1}});
  // Without the zero, it is the 32nd and is kept.
  CHECK(io::top_four(values, std::nullopt).front() == io::ValueCount{1000, 50});
}

TEST_CASE("io posix: 69 integer counters then 17 floats, in Darshan's order") {
  const auto& all = io::posix_counters();
  REQUIRE(all.size() == 86);
  CHECK(all[0].name == "POSIX_OPENS");
  CHECK(all[13].name == "POSIX_MODE");
  CHECK(all[29].name == "POSIX_SIZE_READ_0_100");
  CHECK(all[48].name == "POSIX_SIZE_WRITE_1G_PLUS");
  CHECK(all[49].name == "POSIX_STRIDE1_STRIDE");
  CHECK(all[53].name == "POSIX_STRIDE1_COUNT");
  CHECK(all[57].name == "POSIX_ACCESS1_ACCESS");
  CHECK(all[64].name == "POSIX_ACCESS4_COUNT");
  CHECK(all[68].name == "POSIX_SLOWEST_RANK_BYTES");
  CHECK(!all[68].is_float);
  CHECK(all[69].name == "POSIX_F_OPEN_START_TIMESTAMP");
  CHECK(all[69].is_float);
  CHECK(all[85].name == "POSIX_F_VARIANCE_RANK_BYTES");
}

TEST_CASE("io posix: records read back from the maps the program prints") {
  std::map<std::string, report::MapSnapshot> maps;
  auto add = [&](const std::string& line) {
    auto r = report::parse_record(line);
    maps[r.map.name] = r.map;
  };
  add(R"({"type": "map", "data": {"@io_t0": 1000000000}})");
  add(R"({"type": "map", "data": {"@io_file": {"7": [42, 1000, "/scratch/out, v2.dat"], "9": [42, 1000, "/scratch/in"]}}})");
  add(R"({"type": "map", "data": {"@io_writes": {"7": [2, 200, 199, 1, 1, 0, 1, 0]}}})");
  add(R"({"type": "map", "data": {"@io_wtime": {"7": [3000, 2000, 100, 1500000000, 1600000000]}}})");
  add(R"({"type": "map", "data": {"@io_opens": {"7": [3, 0, 1200000000, 1200001000, 420, 2]}}})");
  add(R"({"type": "map", "data": {"@io_fsyncs": {"7": 1}}})");
  add(R"({"type": "map", "data": {"@io_sync_ns": {"7": 600}}})");
  add(R"({"type": "map", "data": {"@io_state": {"7": [200, 0, 199, 2, 4096, 0]}}})");
  add(R"({"type": "map", "data": {"@io_wsize": {"7,100": [2, 1500000000]}}})");
  add(R"({"type": "map", "data": {"@io_renamed": {"7": 9}}})");
  std::int64_t t0 = 0;
  auto records = report::io_records(maps, t0);
  CHECK(t0 == 1000000000);
  REQUIRE(records.size() == 2);
  const auto& r = records[0].path == "/scratch/in" ? records[1] : records[0];
  CHECK(r.path == "/scratch/out, v2.dat");  // a comma in the path is no key separator here
  CHECK(r.pid == 42);
  CHECK(counter("POSIX_WRITES").value(r, t0) == 2);
  CHECK(counter("POSIX_SEQ_WRITES").value(r, t0) == 1);
  CHECK(counter("POSIX_FILE_NOT_ALIGNED").value(r, t0) == 1);
  CHECK(counter("POSIX_FSYNCS").value(r, t0) == 1);
  CHECK(counter("POSIX_MODE").value(r, t0) == 420);
  CHECK(counter("POSIX_FILE_ALIGNMENT").value(r, t0) == 4096);
  CHECK(counter("POSIX_SIZE_WRITE_0_100").value(r, t0) == 2);
  CHECK(counter("POSIX_ACCESS1_ACCESS").value(r, t0) == 100);
  CHECK(counter("POSIX_ACCESS1_COUNT").value(r, t0) == 2);
  CHECK(counter("POSIX_RENAMED_FROM").value(r, t0) == static_cast<std::int64_t>(io::record_id("/scratch/in")));
  CHECK(report::counter_text(counter("POSIX_F_WRITE_START_TIMESTAMP"), r, t0) == "0.500000");
  CHECK(report::counter_text(counter("POSIX_F_WRITE_TIME"), r, t0) == "0.000004");  // 3000 ns writing, 600 syncing
  CHECK(report::counter_text(counter("POSIX_F_OPEN_START_TIMESTAMP"), r, t0) == "0.200000");
  // FILENOS only when the program had its fileno() probe; -1 ("not collected") otherwise.
  CHECK(report::counter_text(counter("POSIX_FILENOS"), r, t0) == "-1");
  auto counted = r;
  counted.filenos_counted = true;
  CHECK(report::counter_text(counter("POSIX_FILENOS"), counted, t0) == "2");
  CHECK(counter("POSIX_OPENS").value(counted, t0) == 3);  // the open and its two filenos
  // A record never opened has no alignment: -1, not a guess.
  const auto& in = records[0].path == "/scratch/in" ? records[0] : records[1];
  CHECK(report::counter_text(counter("POSIX_FILE_ALIGNMENT"), in, t0) == "-1");
}

TEST_CASE("io posix: darshan-parser's lines, with the mount each file is on") {
  auto mounts = target::parse_mountinfo(
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "30 22 0:25 / /scratch rw,nosuid - tmpfs tmpfs rw\n"
      "31 22 0:26 / /scratch\\040two rw - xfs /dev/sdb rw\n");
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[2].point == "/scratch two");
  CHECK(target::mount_of(mounts, "/scratch/a")->point == "/scratch");
  CHECK(target::mount_of(mounts, "/scratchy/a")->point == "/");
  CHECK(target::mount_of(mounts, "/scratch two/b")->fs_type == "xfs");
  CHECK(target::mount_of(mounts, "relative/path") == nullptr);
  io::Record r;
  r.path = "/scratch/a";
  r.pid = 5;
  r.meta[io::meta_opens] = 1;
  report::IoRun run;
  run.exe = "./job";
  run.mounts[5] = mounts;
  std::string text = report::darshan_text({r}, run);
  std::uint64_t id = io::record_id("/scratch/a");
  CHECK(text.find("# darshan log version: 3.41\n# compression method: NONE\n# exe: ./job\n") == 0);
  CHECK(text.find("# mount entry:\t/scratch\ttmpfs\n") != std::string::npos);
  CHECK(text.find("\n#<module>\t<rank>\t<record id>\t<counter>\t<value>\t<file name>\t<mount pt>\t<fs type>\n") !=
        std::string::npos);
  CHECK(text.find(fmt::format("POSIX\t0\t{}\tPOSIX_OPENS\t1\t/scratch/a\t/scratch\ttmpfs\n", id)) != std::string::npos);
  CHECK(text.find(fmt::format("POSIX\t0\t{}\tPOSIX_F_READ_TIME\t0.000000\t/scratch/a\t/scratch\ttmpfs\n", id)) !=
        std::string::npos);
}

TEST_CASE("io posix: record ids are FNV-1a of the path") {
  CHECK(io::record_id("") == 14695981039346656037ULL);
  CHECK(io::record_id("a") == 0xaf63dc4c8601ec8cULL);
}

TEST_CASE("io posix: docs/IO.md's table explains every counter as the catalogue computes it") {
  std::ifstream in(std::string(DOCS_DIR) + "/IO.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(!doc.empty());
  std::string missing;
  for (const auto& c : io::posix_counters()) {
    std::string row = fmt::format("| `{}` | {} |", c.name, c.how);
    if (doc.find(row + "\n") == std::string::npos) missing += row + "\n";
  }
  CHECK_MESSAGE(missing.empty(), "rows docs/IO.md lacks or words otherwise:\n" << missing);
}
