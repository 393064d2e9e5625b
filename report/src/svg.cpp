// Self-contained SVG line charts (no scripts, no external resources).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ridgeline/report.hpp"

namespace ridgeline {

namespace {
constexpr double kW = 720, kH = 300, kLeft = 80, kRight = 190, kTop = 36, kBottom = 46;
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

double nice_step(double range) {
  double raw = range / 5, mag = std::pow(10, std::floor(std::log10(raw)));
  for (double k : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (k * mag >= raw) return k * mag;
  return 10 * mag;
}

std::string tick(double v) {
  if (std::fabs(v) >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (std::fabs(v) >= 1e4) return fmt::format("{:.3g}K", v / 1e3);
  return fmt::format("{:.4g}", v);
}

std::string chart_svg(const Chart& c, double y_offset) {
  double xmin = 1e300, xmax = -1e300, ymax = 0;
  for (const auto& s : c.series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      if (std::isfinite(s.y[i])) ymax = std::max(ymax, s.y[i]);
    }
  if (c.hline) ymax = std::max(ymax, *c.hline);
  if (xmin >= xmax) xmax = xmin + 1;
  if (ymax <= 0) ymax = 1;
  const double ystep = nice_step(ymax * 1.05);
  ymax = std::ceil(ymax * 1.05 / ystep) * ystep;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto X = [&](double x) { return kLeft + (x - xmin) / (xmax - xmin) * pw; };
  auto Y = [&](double y) { return y_offset + kTop + ph - y / ymax * ph; };
  std::string o;
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"15\" font-weight=\"bold\">{}</text>\n", kLeft, y_offset + 22, xml_escape(c.title));
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", kLeft, y_offset + kTop, pw, ph);
  for (double y = 0; y <= ymax + 1e-9; y += ystep)
    o += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/><text x=\"{3}\" y=\"{4:.1f}\" font-size=\"11\" text-anchor=\"end\">{5}</text>\n",
                     kLeft, kLeft + pw, Y(y), kLeft - 6, Y(y) + 4, tick(y));
  const double xstep = nice_step(xmax - xmin);
  for (double x = std::ceil(xmin / xstep) * xstep; x <= xmax + 1e-9; x += xstep)
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", X(x),
                     y_offset + kTop + ph + 16, tick(x));
  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", kLeft + pw / 2,
                   y_offset + kH - 8, xml_escape(c.x_label));
  o += fmt::format("<text transform=\"translate(16,{:.1f}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
                   y_offset + kTop + ph / 2, xml_escape(c.y_label));
  for (size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    const char* color = kColors[i % 8];
    std::string pts;
    for (size_t j = 0; j < s.x.size(); ++j) {
      if (!std::isfinite(s.y[j])) continue;
      if (c.markers) o += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\" fill-opacity=\"0.6\"/>\n", X(s.x[j]), Y(s.y[j]), color);
      else pts += fmt::format("{:.1f},{:.1f} ", X(s.x[j]), Y(s.y[j]));
    }
    if (!c.markers) o += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", color, pts);
    o += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"3\"/><text x=\"{4}\" y=\"{5:.1f}\" font-size=\"11\">{6}</text>\n",
                     kLeft + pw + 10, kLeft + pw + 28, y_offset + kTop + 10 + 16.0 * static_cast<double>(i), color, kLeft + pw + 32,
                     y_offset + kTop + 14 + 16.0 * static_cast<double>(i), xml_escape(s.label));
  }
  if (c.diagonal) {
    const double top = std::min(xmax, ymax);
    o += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#000\" stroke-dasharray=\"4,4\"/>\n",
                     X(std::max(xmin, 0.0)), Y(std::max(xmin, 0.0)), X(top), Y(top));
  }
  if (c.hline)
    o += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#000\" stroke-dasharray=\"6,4\"/><text x=\"{3}\" y=\"{4:.1f}\" font-size=\"11\">{5}</text>\n",
                     kLeft, kLeft + pw, Y(*c.hline), kLeft + 4, Y(*c.hline) - 4, xml_escape(c.hline_label));
  if (c.vline && *c.vline >= xmin && *c.vline <= xmax)
    o += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#d62728\" stroke-dasharray=\"3,3\"/><text x=\"{3:.1f}\" y=\"{4}\" font-size=\"11\" fill=\"#d62728\">{5}</text>\n",
                     X(*c.vline), y_offset + kTop, y_offset + kTop + ph, X(*c.vline) + 4, y_offset + kTop + 14, xml_escape(c.vline_label));
  return o;
}
}  // namespace

std::string svg_charts(const std::vector<Chart>& charts, const std::string& title) {
  const double height = 30 + kH * static_cast<double>(charts.size());
  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"13\" fill=\"#555\">{}</text>\n",
      kW, height, xml_escape(title));
  for (size_t i = 0; i < charts.size(); ++i) o += chart_svg(charts[i], 30 + kH * static_cast<double>(i));
  return o + "</svg>\n";
}

}  // namespace ridgeline
