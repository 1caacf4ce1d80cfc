#include "report/io_records.hpp"

#include <algorithm>
#include <climits>

#include <nlohmann/json.hpp>

#include "spec/io_posix_maps.hpp"

namespace ebpfgen::report {

namespace {

using nlohmann::json;
using io::IoMap;

std::vector<std::int64_t> numbers(const std::string& text) {
  std::vector<std::int64_t> out;
  for (const auto& v : json::parse(text)) out.push_back(v.is_number() ? v.get<std::int64_t>() : 0);
  return out;
}

const MapSnapshot* find_map(const std::map<std::string, MapSnapshot>& maps, IoMap map) {
  auto it = maps.find(io::ref(map));
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

using Records = std::map<std::uint64_t, io::Record>;

// The records @io_file names: their process, user and path.
Records files(const std::map<std::string, MapSnapshot>& maps) {
  Records by_id;
  if (const auto* m = find_map(maps, IoMap::io_file)) {
    for (const auto& [key, text] : m->raw) {
      json v = json::parse(text);
      if (!v.is_array() || v.size() != io::file_fields) continue;
      io::Record r;
      r.id = std::stoull(key);
      r.pid = v[io::file_pid].get<std::int64_t>();
      r.uid = v[io::file_uid].get<std::int64_t>();
      r.path = v[io::file_path].is_string() ? v[io::file_path].get<std::string>() : "";
      by_id[r.id] = std::move(r);
    }
  }
  return by_id;
}

// Calls `take` with the record and the tuple of each key of a map keyed by record.
template <typename Take>
void tuples(const std::map<std::string, MapSnapshot>& maps, IoMap map, Records& by_id, Take&& take) {
  if (const auto* m = find_map(maps, map))
    for (const auto& [key, text] : m->raw) {
      auto it = by_id.find(std::stoull(key));
      if (it != by_id.end()) take(it->second, numbers(text));
    }
}

// The reads' and writes' counts and times, and the state's alignment and first stride 0.
void read_transfers(const std::map<std::string, MapSnapshot>& maps, Records& by_id) {
  auto fill = [](std::vector<std::int64_t>& into, std::size_t from, std::size_t count, const std::vector<std::int64_t>& v) {
    for (std::size_t i = 0; i < count && i < v.size(); ++i) into[from + i] = v[i];
  };
  for (bool reads : {true, false}) {
    auto member = reads ? &io::Record::reads : &io::Record::writes;
    tuples(maps, reads ? IoMap::io_reads : IoMap::io_writes, by_id,
           [&](io::Record& r, const auto& v) { fill(r.*member, 0, io::rw_count_fields, v); });
    tuples(maps, reads ? IoMap::io_rtime : IoMap::io_wtime, by_id,
           [&](io::Record& r, const auto& v) { fill(r.*member, io::rw_time_ns, io::rw_time_fields, v); });
  }
  tuples(maps, IoMap::io_state, by_id, [&](io::Record& r, const auto& v) {
    if (v.size() < io::state_fields) return;
    r.file_alignment = v[io::state_alignment];
    r.stride0_first_ns = v[io::state_stride0_first_ns];
  });
}

// The metadata counters, each from its map (spec/io_counters.hpp's meta_sources).
void read_meta(const std::map<std::string, MapSnapshot>& maps, Records& by_id) {
  for (std::size_t i = 0; i < io::meta_fields; ++i) {
    const auto& source = io::meta_sources()[i];
    if (source.element >= 0) {
      tuples(maps, source.map, by_id, [&](io::Record& r, const auto& v) {
        if (static_cast<std::size_t>(source.element) < v.size()) r.meta[i] = v[source.element];
      });
    } else if (const auto* m = find_map(maps, source.map)) {
      for (const auto& [key, value] : m->entries) {
        auto it = by_id.find(std::stoull(key));
        if (const auto* n = std::get_if<std::int64_t>(&value); n && it != by_id.end()) it->second.meta[i] = *n;
      }
    }
  }
}

// The exact histograms of sizes and strides, and where each record was renamed from.
void read_histograms(const std::map<std::string, MapSnapshot>& maps, Records& by_id) {
  auto histogram = [&](IoMap map, std::map<std::int64_t, io::Seen> io::Record::*into) {
    if (const auto* m = find_map(maps, map))
      for (const auto& [key, text] : m->raw) {
        std::uint64_t id = 0;
        std::int64_t value = 0;
        auto v = numbers(text);
        auto it = split_key(key, id, value) ? by_id.find(id) : by_id.end();
        if (it != by_id.end() && v.size() >= io::seen_fields) (it->second.*into)[value] = {v[io::seen_count], v[io::seen_first_ns]};
      }
  };
  histogram(IoMap::io_rsize, &io::Record::read_sizes);
  histogram(IoMap::io_wsize, &io::Record::write_sizes);
  histogram(IoMap::io_stride, &io::Record::strides);
  if (const auto* m = find_map(maps, IoMap::io_renamed))
    for (const auto& [key, value] : m->entries) {
      auto it = by_id.find(std::stoull(key));
      const auto* from = std::get_if<std::int64_t>(&value);
      if (it != by_id.end() && from) {
        auto source = by_id.find(static_cast<std::uint64_t>(*from));
        if (source != by_id.end()) it->second.renamed_from = source->second.path;
      }
    }
}

}  // namespace

std::vector<io::Record> io_records(const std::map<std::string, MapSnapshot>& maps, std::int64_t& t0) {
  if (const auto* m = find_map(maps, IoMap::io_t0); m && m->entries.contains("")) {
    if (const auto* n = std::get_if<std::int64_t>(&m->entries.at(""))) t0 = *n;
  }
  Records by_id = files(maps);
  read_transfers(maps, by_id);
  read_meta(maps, by_id);
  read_histograms(maps, by_id);
  std::vector<io::Record> out;
  for (auto& [id, r] : by_id) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const io::Record& a, const io::Record& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.path < b.path;
  });
  return out;
}

std::set<std::int64_t> record_pids(const std::vector<Window>& windows) {
  std::map<std::string, MapSnapshot> maps;
  for (const auto& w : windows)
    for (const auto& [name, map] : w.maps)
      if (io::is_io_map(name)) maps[name] = map;
  std::int64_t t0 = 0;
  std::set<std::int64_t> out;
  for (const auto& r : io_records(maps, t0)) out.insert(r.pid);
  return out;
}

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

}  // namespace ebpfgen::report
