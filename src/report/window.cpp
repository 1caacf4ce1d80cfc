#include "report/window.hpp"

#include <time.h>

#include <algorithm>

#include "spec/maps.hpp"

namespace ebpfgen::report {

namespace {

std::int64_t read_clock(clockid_t id) {
  struct timespec t {};
  clock_gettime(id, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

std::optional<MapKind> cut_kind(const std::string& name) {
  const MapContract* map = find_map_contract(name);
  if (!map || (map->kind != MapKind::Counter && map->kind != MapKind::Last && map->kind != MapKind::First)) return {};
  return map->kind;
}

KernelClock KernelClock::now() {
  // The mid-point of two monotonic reads around the wall-clock read.
  std::int64_t before = read_clock(CLOCK_MONOTONIC);
  std::int64_t wall = read_clock(CLOCK_REALTIME);
  std::int64_t after = read_clock(CLOCK_MONOTONIC);
  return {wall - (before + (after - before) / 2)};
}

std::int64_t KernelClock::kernel_now_ns() { return read_clock(CLOCK_MONOTONIC); }

Clock::time_point KernelClock::wall(std::int64_t kernel_ns) const {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(kernel_ns + wall_minus_kernel_ns)));
}

MapSnapshot growth(const MapSnapshot& now, const MapSnapshot* before) {
  MapSnapshot out{now.name, {}};
  for (const auto& [key, value] : now.entries) {
    const Value* old = nullptr;
    if (before) {
      auto it = before->entries.find(key);
      if (it != before->entries.end() && it->second.index() == value.index()) old = &it->second;
    }
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      auto grown = static_cast<std::int64_t>(static_cast<std::uint64_t>(*n) -
                                             static_cast<std::uint64_t>(old ? std::get<std::int64_t>(*old) : 0));
      if (grown != 0 || key.empty()) out.entries[key] = grown;
    } else if (const auto* s = std::get_if<Stats>(&value)) {
      Stats was = old ? std::get<Stats>(*old) : Stats{};
      if (s->count != was.count || key.empty()) out.entries[key] = Stats{s->count - was.count, s->total - was.total};
    } else {
      out.entries[key] = value;  // histograms are not cumulative maps
    }
  }
  return out;
}

WindowCollector::WindowCollector(KernelClock clock, std::int64_t start_ns, Sink sink)
    : clock_(clock), sink_(std::move(sink)), last_cut_ns_(start_ns) {}

Window WindowCollector::window_to(std::int64_t end_ns, bool final) const {
  Window w;
  w.start = clock_.wall(last_cut_ns_);
  w.end = clock_.wall(std::max(end_ns, last_cut_ns_));
  w.final = final;
  return w;
}

void WindowCollector::emit(Window& w) {
  // Cumulative maps become the window's growth; Last maps keep their value at the start too.
  for (auto& [name, map] : w.maps) {
    auto kind = cut_kind(name);
    if (!kind || *kind == MapKind::First) continue;
    auto before = printed_.find(name);
    const MapSnapshot* was = before == printed_.end() ? nullptr : &before->second;
    MapSnapshot now = map;
    if (*kind == MapKind::Counter) map = growth(now, was);
    else if (was) w.before[name] = *was;
    printed_[name] = std::move(now);
  }
  w.index = next_index_++;
  ++emitted_;
  sink_(w);
}

void WindowCollector::add(const Record& record) {
  if (closed_) return;
  switch (record.kind) {
    case Record::Kind::Cut: {
      if (record.text == "run_start") break;
      if (record.text == "window_printed") {  // the open window's maps are all here
        if (open_) emit(*open_);
        open_.reset();
        break;
      }
      auto at = static_cast<std::int64_t>(record.number);
      if (final_) {  // a cut after the last window's maps: the rest was counted while leaving
        emit_final();
        closed_ = true;
        break;
      }
      if (open_) emit(*open_);
      open_.reset();
      // The run ends here: at run_end, or at the first cut after a Ctrl-C, which
      // then ends at the Ctrl-C.
      bool stopped = stop_at_ && at > *stop_at_;
      if (record.text == "run_end" || stopped) {
        final_ = window_to(stopped ? *stop_at_ : at, true);
      } else {
        open_ = window_to(at, false);
        last_cut_ns_ = at;
      }
      break;
    }
    case Record::Kind::Blank:  // bpftrace's dump at exit follows
      if (open_) emit(*open_);
      open_.reset();
      if (final_) emit_final();
      closed_ = true;
      break;
    case Record::Kind::Map: {
      Window* target = final_ ? &*final_ : open_ ? &*open_ : nullptr;
      if (target) target->maps[record.map.name] = record.map;
      break;
    }
    default: break;
  }
}

void WindowCollector::finish(std::int64_t kernel_ns) {
  if (closed_) return;
  if (stop_at_) kernel_ns = std::min(kernel_ns, *stop_at_);
  if (open_) {
    emit(*open_);
    open_.reset();
  }
  // Output that ended without the program's last cut (bpftrace died) printed nothing more
  // to show: a window of it only when there is no other.
  if (final_) emit_final();
  else if (emitted_ == 0) {
    Window w = window_to(kernel_ns, true);
    emit(w);
  }
  closed_ = true;
}

void WindowCollector::emit_final() {
  // A last window that is both empty and short (the run ended right after a cut) is
  // shown only when it is the only one; one with data always is, however short.
  bool has_data = std::any_of(final_->maps.begin(), final_->maps.end(), [&](const auto& m) {
    auto kind = cut_kind(m.first);
    if (kind && *kind != MapKind::Counter) return false;
    MapSnapshot grown = kind ? growth(m.second, printed_.contains(m.first) ? &printed_.at(m.first) : nullptr) : m.second;
    return std::any_of(grown.entries.begin(), grown.entries.end(), [](const auto& e) {
      const auto* n = std::get_if<std::int64_t>(&e.second);
      return !n || *n != 0;
    });
  });
  if (has_data || final_->seconds() >= 0.05 || emitted_ == 0) emit(*final_);
  final_.reset();
}

namespace {

Value merge_value(const Value& a, const Value& b, Merge how) {
  if (const auto* ha = std::get_if<Histogram>(&a)) {
    Histogram out = *ha;
    for (const auto& bucket : std::get<Histogram>(b)) {
      auto same = std::find_if(out.begin(), out.end(), [&](const Bucket& x) {
        return x.min == bucket.min && x.max == bucket.max;
      });
      if (same != out.end()) same->count += bucket.count;
      else out.push_back(bucket);
    }
    std::sort(out.begin(), out.end(), [](const Bucket& x, const Bucket& y) {
      return x.min.value_or(INT64_MIN) < y.min.value_or(INT64_MIN);
    });
    return out;
  }
  if (const auto* sa = std::get_if<Stats>(&a)) {
    const auto& sb = std::get<Stats>(b);
    return Stats{sa->count + sb.count, sa->total + sb.total};
  }
  std::int64_t x = std::get<std::int64_t>(a), y = std::get<std::int64_t>(b);
  switch (how) {
    case Merge::Add: return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) + static_cast<std::uint64_t>(y));
    // A window where a min or max map saw nothing does not print it: no "unset" value to skip.
    case Merge::Min: return std::min(x, y);
    case Merge::Max: return std::max(x, y);
  }
  return x;
}

}  // namespace

Window merge_windows(const std::vector<Window>& windows, const std::function<Merge(const std::string&)>& merge_of) {
  Window out;
  out.final = true;
  if (windows.empty()) return out;
  out.start = windows.front().start;
  out.end = windows.back().end;
  out.before = windows.front().before;
  for (const auto& w : windows) {
    out.failed_maps.insert(w.failed_maps.begin(), w.failed_maps.end());
    for (const auto& [name, map] : w.maps) {
      auto& merged = out.maps[name];
      merged.name = name;
      for (const auto& [key, value] : map.entries) {
        auto it = merged.entries.find(key);
        if (it == merged.entries.end() || it->second.index() != value.index()) merged.entries[key] = value;
        else it->second = merge_value(it->second, value, merge_of(name));
      }
    }
  }
  return out;
}

}  // namespace ebpfgen::report
