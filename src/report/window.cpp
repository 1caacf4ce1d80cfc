#include "report/window.hpp"

#include <algorithm>

namespace ebpfgen::report {

WindowCollector::WindowCollector(Clock::time_point start, Sink sink) : sink_(std::move(sink)), last_cut_(start) {}

void WindowCollector::emit(Window& w) {
  w.index = next_index_++;
  ++emitted_;
  sink_(w);
}

void WindowCollector::add(const Record& record, Clock::time_point now) {
  if (closed_) return;
  if (stop_at_ && now > *stop_at_) {
    bool cut = record.kind == Record::Kind::Time || record.kind == Record::Kind::Blank;
    if (cut && last_cut_ >= *stop_at_) {  // the window up to the stop is complete
      if (open_) {
        open_->final = true;
        emit(*open_);
      }
      if (final_) emit(*final_);
      open_.reset();
      final_.reset();
      closed_ = true;
      return;
    }
    now = *stop_at_;
  }
  switch (record.kind) {
    case Record::Kind::Time:
      if (final_) {  // END's mark after the duration's: the rest was counted while leaving
        emit_final();
        closed_ = true;
        break;
      }
      if (open_) emit(*open_);
      open_.reset();
      // END's mark: what is printed from now on is the partial window up to here.
      if (record.text.rfind("run_end", 0) == 0) final_ = Window{0, last_cut_, now, true};
      else open_ = Window{0, last_cut_, now};
      last_cut_ = now;
      break;
    case Record::Kind::Blank:
      if (final_) break;
      if (open_) {
        emit(*open_);
        open_.reset();
      }
      final_ = Window{0, last_cut_, now, true};
      break;
    case Record::Kind::Map: {
      Window* target = final_ ? &*final_ : open_ ? &*open_ : nullptr;
      if (!target) {  // maps before any cut belong to the dump at exit
        final_ = Window{0, last_cut_, now, true};
        target = &*final_;
      }
      target->maps[record.map.name] = record.map;
      break;
    }
    default: break;
  }
}

void WindowCollector::finish(Clock::time_point now) {
  if (closed_) return;
  if (stop_at_) now = std::min(now, *stop_at_);
  if (open_) {
    emit(*open_);
    open_.reset();
  }
  if (!final_) final_ = Window{0, last_cut_, now, true};
  emit_final();
}

void WindowCollector::emit_final() {
  // The dump holds cleared maps too; it is a window only if it has data or is the only one.
  bool has_data = std::any_of(final_->maps.begin(), final_->maps.end(), [](const auto& m) {
    return std::any_of(m.second.entries.begin(), m.second.entries.end(), [](const auto& e) {
      const auto* n = std::get_if<std::int64_t>(&e.second);
      return !n || *n != 0;
    });
  });
  // A run whose duration is a multiple of the window ends right after a cut:
  // what is printed then is only what was counted while bpftrace was leaving.
  bool too_short = final_->seconds() < 0.05 && emitted_ > 0;
  if ((has_data && !too_short) || emitted_ == 0) emit(*final_);
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
    case Merge::Add: return x + y;
    // 0 means "not set in that window" for first/last timestamps and min/max.
    case Merge::Min: return x == 0 ? y : y == 0 ? x : std::min(x, y);
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
  for (const auto& w : windows) {
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
