#include "report/records.hpp"

#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ebpfgen::report {

namespace {

using nlohmann::json;

bool is_stats(const json& v) {
  return v.is_object() && v.size() == 3 && v.contains("count") && v.contains("average") && v.contains("total") &&
         v["count"].is_number() && v["total"].is_number();
}

Histogram histogram_of(const json& buckets) {
  Histogram h;
  for (const auto& b : buckets) {
    Bucket bucket;
    if (b.contains("min")) bucket.min = b["min"].get<std::int64_t>();
    if (b.contains("max")) bucket.max = b["max"].get<std::int64_t>();
    bucket.count = b.value("count", std::uint64_t{0});
    h.push_back(bucket);
  }
  return h;
}

Value value_of(const json& v, const std::string& type) {
  if (type == "hist") return histogram_of(v);
  if (type == "stats" && is_stats(v)) return Stats{v["count"].get<std::uint64_t>(), v["total"].get<std::int64_t>()};
  if (type == "stats") return Stats{0, v.get<std::int64_t>()};  // avg(): only the average is printed
  return v.get<std::int64_t>();
}

// Whether `v` is one value of this record type rather than keyed values.
bool is_single_value(const json& v, const std::string& type) {
  if (type == "hist") return v.is_array();
  if (type == "stats") return is_stats(v) || v.is_number();
  return !v.is_object();
}

MapSnapshot map_of(const json& data, const std::string& type) {
  MapSnapshot snapshot;
  for (const auto& [name, v] : data.items()) {
    snapshot.name = name;
    auto is_raw = [&](const json& x) { return type == "map" && (x.is_array() || x.is_string()); };
    if (is_raw(v)) {
      snapshot.raw[""] = v.dump();
    } else if (is_single_value(v, type)) {
      snapshot.entries[""] = value_of(v, type);
    } else {
      for (const auto& [key, entry] : v.items()) {
        if (is_raw(entry)) snapshot.raw[key] = entry.dump();
        else snapshot.entries[key] = value_of(entry, type);
      }
    }
  }
  return snapshot;
}

}  // namespace

Record parse_record(const std::string& line) {
  Record r;
  if (line.find_first_not_of(" \t\r") == std::string::npos) {
    r.kind = Record::Kind::Blank;
    return r;
  }
  json j = json::parse(line);
  std::string type = j.value("type", "");
  if (type == "map" || type == "hist" || type == "stats") {
    r.kind = Record::Kind::Map;
    r.map = map_of(j.at("data"), type);
  } else if (type == "printf") {
    r.kind = Record::Kind::Printf;
    r.text = j.at("data").get<std::string>();
    static const std::regex cut(R"(^(run_start|window_end|window_printed|run_end) (\d{1,20})\n$)");
    std::smatch m;
    if (std::regex_match(r.text, m, cut)) {
      r.kind = Record::Kind::Cut;
      r.number = std::stoull(m[2].str());
      r.text = m[1].str();
    }
  } else if (type == "time") {
    r.kind = Record::Kind::Time;
    r.text = j.at("data").get<std::string>();
  } else if (type == "lost_events") {
    r.kind = Record::Kind::LostEvents;
    r.number = j.at("data").value("events", std::uint64_t{0});
  } else if (type == "attached_probes") {
    r.kind = Record::Kind::Attached;
    r.number = j.at("data").value("probes", std::uint64_t{0});
  } else if (type == "helper_error") {
    r.kind = Record::Kind::HelperError;
    r.text = j.value("helper", std::string("?"));
    r.error = j.value("retcode", std::int64_t{0});
    r.line = j.value("line", 0);
    r.column = j.value("col", 0);
  }
  return r;
}

}  // namespace ebpfgen::report
