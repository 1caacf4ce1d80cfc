#include "export/svg.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "export/html.hpp"
#include "export/html_text.hpp"

namespace ebpfgen::exporter::svg {

using report::Clock;
using report::Window;

namespace {

// A value as data-x / data-y hold it: the shortest text that reads back as the same double.
std::string exact(double v) { return fmt::format("{}", v); }

// A value for people: a count as it is, else one decimal from 100 up, as the table prints them, else 4 digits.
std::string readable(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 100) return fmt::format("{:.1f}", v);
  return fmt::format("{:.4g}", v);
}

// A tick label: short, with k, M, G or T for large values.
std::string tick(double v) {
  double a = std::fabs(v);
  if (a >= 1e12) return fmt::format("{:.6g}T", v / 1e12);
  if (a >= 1e9) return fmt::format("{:.6g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.6g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.6g}k", v / 1e3);
  return fmt::format("{:.6g}", v);
}

// An axis from `lo` to `hi` with round ticks (1, 2 or 5 times a power of ten apart).
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
};

Axis nice_axis(double lo, double hi, bool from_zero) {
  if (from_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (!(hi > lo)) hi = lo + (lo == 0 ? 1 : std::fabs(lo));
  double raw = (hi - lo) / 5;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / magnitude;
  double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  Axis a;
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  if (!(a.hi > a.lo)) a.hi = a.lo + step;
  auto n = static_cast<int>(std::llround((a.hi - a.lo) / step));
  for (int i = 0; i <= n; ++i) {
    double v = a.lo + i * step;
    a.ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return a;
}

constexpr const char* palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
                                   "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#6b6b6b"};

constexpr double chart_width = 900, left = 84, right = 24, top = 46;

std::string px(double v) { return fmt::format("{:.1f}", v); }

// The title line, and the y axis with its ticks, grid and title.
std::string frame(const std::string& title, bool lower_bound, const Axis& y, const std::string& y_title, double plot_bottom) {
  double plot_top = top, height = plot_bottom - plot_top;
  std::string out = fmt::format("<text class=\"title\" x=\"{}\" y=\"24\">{}</text>\n", px(left), entities(title));
  if (lower_bound)
    out += fmt::format("<text class=\"warning\" x=\"{}\" y=\"24\" text-anchor=\"end\">lower bound: map updates failed</text>\n",
                       px(chart_width - right));
  out += "<g class=\"axis y\">\n";
  for (double t : y.ticks) {
    double at = plot_bottom - (t - y.lo) / (y.hi - y.lo) * height;
    out += fmt::format("<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", px(left), px(chart_width - right), px(at), px(at));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", px(left - 6), px(at + 4), tick(t));
  }
  out += fmt::format("<line class=\"edge\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\n", px(left), px(left), px(plot_top), px(plot_bottom));
  out += fmt::format("<text class=\"axis-title\" transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     px((plot_top + plot_bottom) / 2), entities(y_title));
  out += "</g>\n";
  return out;
}

std::string svg_open(const std::string& series, double height, const std::string& title) {
  return fmt::format("<svg class=\"chart\" data-series=\"{}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
                     "width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\">\n<title>{}</title>\n",
                     html_text(series), chart_width, height, chart_width, height, entities(title));
}

std::string figure(const std::string& svg, const std::string& note) {
  return "<figure>\n" + svg + "</svg>\n" + (note.empty() ? "" : "<figcaption>" + note + "</figcaption>\n") + "</figure>\n";
}

}  // namespace

namespace {

// Where values land on a line chart's plot.
struct Plot {
  Axis x, y;
  double width = 0, height = 0, bottom = 0;
  double at_x(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * width; }
  double at_y(double v) const { return bottom - (v - y.lo) / (y.hi - y.lo) * height; }
};

std::string x_axis(const Plot& plot) {
  std::string out = "<g class=\"axis x\">\n";
  for (double t : plot.x.ticks) {
    out += fmt::format("<line class=\"tick\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>", px(plot.at_x(t)),
                       px(plot.bottom), px(plot.bottom + 5));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{} s</text>\n", px(plot.at_x(t)),
                       px(plot.bottom + 18), tick(t));
  }
  out += fmt::format("<line class=\"edge\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\n", px(left), px(chart_width - right),
                     px(plot.bottom), px(plot.bottom));
  out += fmt::format("<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">seconds since the run started "
                     "(each point at the end of its window)</text>\n</g>\n",
                     px(left + plot.width / 2), px(plot.bottom + 38));
  return out;
}

// One series: a polyline for each run of windows with values (a window without one leaves a
// gap), and a point with its value for each window.
std::string series_lines(const LineChart& c, std::size_t l, const std::vector<Window>& windows, const std::vector<double>& xs,
                         const Plot& plot, double radius) {
  const Line& line = c.lines[l];
  const char* color = palette[l % std::size(palette)];
  std::string out = fmt::format("<g class=\"line\" data-line=\"{}\">\n", html_text(line.name.empty() ? c.series : line.name));
  std::string points;
  auto flush = [&] {
    if (points.empty()) return;
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", color, points);
    points.clear();
  };
  for (std::size_t i = 0; i < windows.size() && i < line.y.size(); ++i) {
    if (!line.y[i] || !std::isfinite(*line.y[i])) {
      flush();
      continue;
    }
    points += (points.empty() ? "" : " ") + px(plot.at_x(xs[i])) + "," + px(plot.at_y(*line.y[i]));
  }
  flush();
  for (std::size_t i = 0; i < windows.size() && i < line.y.size(); ++i) {
    if (!line.y[i] || !std::isfinite(*line.y[i])) continue;
    const Window& w = windows[i];
    std::string tip = fmt::format("{}window {} ({:.2f} s{}): {}{}", line.name.empty() ? "" : printable(line.name, false) + ", ",
                                  w.index, w.seconds(), w.final ? ", last" : "", readable(*line.y[i]),
                                  c.unit.empty() ? "" : " " + c.unit);
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{:.1f}\" fill=\"{}\" data-x=\"{}\" data-y=\"{}\" data-window=\"{}\">"
                       "<title>{}</title></circle>\n",
                       px(plot.at_x(xs[i])), px(plot.at_y(*line.y[i])), radius, color, exact(xs[i]), exact(*line.y[i]), w.index,
                       entities(tip));
  }
  return out + "</g>\n";
}

std::string legend_text(const LineChart& c, const Plot& plot) {
  std::string out = "<g class=\"legend\">\n";
  for (std::size_t l = 0; l < c.lines.size(); ++l) {
    double lx = left + static_cast<double>(l % 3) * (plot.width / 3), ly = plot.bottom + 60 + static_cast<double>(l / 3) * 20;
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>", px(lx), px(ly - 5),
                       palette[l % std::size(palette)]);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}<title>{}</title></text>\n", px(lx + 20), px(ly), short_text(c.lines[l].name, 36),
                       html_text(c.lines[l].name));
  }
  return out + "</g>\n";
}

}  // namespace

// One line per series name, points at each window's end (seconds since the run started).
std::string line_chart(const LineChart& c, const std::vector<Window>& windows, Clock::time_point start, double run_seconds) {
  std::vector<double> xs;
  for (const auto& w : windows) xs.push_back(std::chrono::duration<double>(w.end - start).count());
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& line : c.lines)
    for (const auto& v : line.y)
      if (v && std::isfinite(*v)) {
        lo = any ? std::min(lo, *v) : *v;
        hi = any ? std::max(hi, *v) : *v;
        any = true;
      }
  Plot plot;
  plot.y = nice_axis(lo, hi, true);
  // The x axis ends with the run, its ticks at round seconds within it.
  plot.x = nice_axis(0, std::max(run_seconds, xs.empty() ? 0.0 : xs.back()), true);
  if (double end = std::max(run_seconds, xs.empty() ? 0.0 : xs.back()); end > 0) {
    plot.x.hi = end;
    while (plot.x.ticks.size() > 2 && plot.x.ticks.back() > end * (1 + 1e-9)) plot.x.ticks.pop_back();
  }
  bool legend = c.lines.size() > 1 || (c.lines.size() == 1 && !c.lines[0].name.empty());
  std::size_t legend_rows = legend ? (c.lines.size() + 2) / 3 : 0;
  plot.bottom = 250;
  double height = plot.bottom + 50 + static_cast<double>(legend_rows) * 20 + (legend ? 6 : 0);
  plot.width = chart_width - left - right;
  plot.height = plot.bottom - top;
  // Smaller points when there are many windows, so that the line stays readable.
  double radius = std::clamp(plot.width / static_cast<double>(std::max<std::size_t>(xs.size(), 1)) / 4, 1.2, 3.5);

  std::string out = svg_open(c.series, height, c.title);
  out += frame(c.title, c.lower_bound, plot.y, c.y_title, plot.bottom);
  out += x_axis(plot);
  if (!any)
    out += fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no window has a value</text>\n",
                       px(left + plot.width / 2), px(top + plot.height / 2));
  for (std::size_t l = 0; l < c.lines.size(); ++l) out += series_lines(c, l, windows, xs, plot, radius);
  if (legend) out += legend_text(c, plot);
  return figure(out, c.note);
}

// Bars of counts, one per bucket, labelled under them (at most 16 labels).
std::string bar_chart(const BarChart& c) {
  std::uint64_t most = 0;
  for (const auto& b : c.bars) most = std::max(most, b.count);
  Axis y = nice_axis(0, static_cast<double>(most), true);
  double plot_bottom = 250, height = plot_bottom + 96;
  double plot_w = chart_width - left - right, plot_h = plot_bottom - top;
  auto at_y = [&](double v) { return plot_bottom - (v - y.lo) / (y.hi - y.lo) * plot_h; };
  std::string out = svg_open(c.series, height, c.title);
  out += frame(c.title, c.lower_bound, y, "count", plot_bottom);
  double slot = c.bars.empty() ? plot_w : plot_w / static_cast<double>(c.bars.size());
  double gap = slot > 4 ? slot * 0.12 : 0;
  std::size_t every = (c.bars.size() + 15) / 16;
  out += "<g class=\"bars\">\n";
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    const Bar& b = c.bars[i];
    double x = left + static_cast<double>(i) * slot;
    // A bucket that holds anything stays visible next to one that holds thousands of times more.
    double top_y = b.count ? std::min(at_y(static_cast<double>(b.count)), plot_bottom - 1.5) : plot_bottom;
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" data-x=\"{}\" data-x-max=\"{}\" "
                       "data-y=\"{}\"><title>{}: {}</title></rect>\n",
                       px(x + gap / 2), px(top_y), px(std::max(slot - gap, 0.5)), px(plot_bottom - top_y), palette[0], b.x,
                       b.x_max, b.count, entities(b.label), b.count);
    if (c.bars.size() <= 24 && b.count)
      out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px(x + slot / 2),
                         px(top_y - 4), b.count);
  }
  out += "</g>\n<g class=\"axis x\">\n";
  for (std::size_t i = 0; i < c.bars.size(); i += every) {
    double cx = left + (static_cast<double>(i) + 0.5) * slot;
    out += fmt::format("<text transform=\"translate({} {}) rotate(-35)\" text-anchor=\"end\">{}</text>\n", px(cx + 4),
                       px(plot_bottom + 14), entities(c.bars[i].label));
  }
  out += fmt::format("<line class=\"edge\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\n", px(left), px(chart_width - right),
                     px(plot_bottom), px(plot_bottom));
  out += fmt::format("<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n</g>\n",
                     px(left + plot_w / 2), px(height - 8), entities(c.x_title));
  if (c.bars.empty())
    out += fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">nothing was counted</text>\n",
                       px(left + plot_w / 2), px(top + plot_h / 2));
  return figure(out, c.note);
}

}  // namespace ebpfgen::exporter::svg
