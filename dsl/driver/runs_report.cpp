// The HTML report of runs (runs_report.hpp): charts as inline SVG drawn here, tables, and the
// git state of each run, all in one file that needs nothing else to be viewed.
#include "dsl/driver/runs_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace tsr::runs {

namespace {

constexpr int kWidth = 580, kHeight = 250;                  // a chart, in SVG units
constexpr int kLeft = 64, kRight = 16, kTop = 28, kBottom = 36;  // its margins
constexpr size_t kMaxPoints = kWidth - kLeft - kRight;      // a curve's points at most

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A run's color: ten distinct ones (matplotlib's tab10), then hues a golden angle apart.
std::string color(size_t i) {
  static const char* tab10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  if (i < 10) return tab10[i];
  char buf[40];
  std::snprintf(buf, sizeof buf, "hsl(%d,65%%,42%%)", int(std::fmod(double(i) * 137.508, 360.0)));
  return buf;
}

// At most kMaxPoints points: consecutive points grouped into equal buckets, each drawn as its
// mean step and mean value (a curve of 10k noisy batch losses reads as its running average).
Series downsample(const Series& s) {
  size_t n = s.values.size();
  if (n <= kMaxPoints) return s;
  Series out;
  out.steps.reserve(kMaxPoints);
  out.values.reserve(kMaxPoints);
  for (size_t b = 0; b < kMaxPoints; ++b) {
    size_t lo = b * n / kMaxPoints, hi = (b + 1) * n / kMaxPoints;
    double xs = 0, ys = 0;
    for (size_t i = lo; i < hi; ++i) {
      xs += s.steps[i];
      ys += s.values[i];
    }
    out.steps.push_back(xs / double(hi - lo));
    out.values.push_back(ys / double(hi - lo));
  }
  return out;
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string tick_label(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

// Metrics drawn as curves: every number logged except the epoch's number and its seconds.
bool charted(const std::string& k) { return k != "epoch" && k != "time"; }

void chart(std::string& html, const std::string& metric, const std::vector<RunRecord>& runs) {
  std::vector<std::pair<size_t, Series>> curves;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto it = runs[i].series.find(metric);
    if (it == runs[i].series.end() || it->second.values.empty()) continue;
    Series s = downsample(it->second);
    for (size_t k = 0; k < s.values.size(); ++k) {
      if (!std::isfinite(s.values[k])) continue;
      x0 = std::min(x0, s.steps[k]);
      x1 = std::max(x1, s.steps[k]);
      y0 = std::min(y0, s.values[k]);
      y1 = std::max(y1, s.values[k]);
    }
    curves.emplace_back(i, std::move(s));
  }
  if (curves.empty()) return;
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + pw * (x - x0) / (x1 - x0); };
  auto py = [&](double y) { return kTop + ph * (1 - (y - y0) / (y1 - y0)); };
  html += "<figure><svg class=\"chart\" data-metric=\"" + escape(metric) + "\" viewBox=\"0 0 " +
          std::to_string(kWidth) + " " + std::to_string(kHeight) + "\" width=\"" + std::to_string(kWidth) +
          "\" height=\"" + std::to_string(kHeight) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  html += "<text x=\"" + std::to_string(kLeft) + "\" y=\"18\" class=\"title\">" + escape(metric) + "</text>\n";
  // A legend beside the title while it fits: each run's name in its color.
  if (curves.size() <= 4) {
    double x = kLeft + 12.0 + 8.0 * double(metric.size());
    for (auto& [i, s] : curves) {
      html += "<text class=\"legend\" x=\"" + num(x) + "\" y=\"18\" style=\"fill:" + color(i) + "\">" +
              escape(runs[i].name) + "</text>";
      x += 12.0 + 6.5 * double(runs[i].name.size());
    }
    html += "\n";
  }
  // Grid and ticks: five of each, as lines and text (only curves are paths).
  for (int t = 0; t <= 4; ++t) {
    double y = y0 + (y1 - y0) * t / 4, x = x0 + (x1 - x0) * t / 4;
    html += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + pw) + "\" y1=\"" + num(py(y)) +
            "\" y2=\"" + num(py(y)) + "\"/><text class=\"tick\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(py(y) + 4) +
            "\" text-anchor=\"end\">" + tick_label(y) + "</text>\n";
    html += "<text class=\"tick\" x=\"" + num(px(x)) + "\" y=\"" + num(kTop + ph + 16) + "\" text-anchor=\"middle\">" +
            tick_label(std::round(x)) + "</text>\n";
  }
  html += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + pw) + "\" y1=\"" + num(kTop + ph) +
          "\" y2=\"" + num(kTop + ph) + "\"/><line class=\"axis\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft) +
          "\" y1=\"" + num(kTop) + "\" y2=\"" + num(kTop + ph) + "\"/>\n";
  html += "<text class=\"tick\" x=\"" + num(kLeft + pw) + "\" y=\"" + num(kHeight - 4) + "\" text-anchor=\"end\">step</text>\n";
  for (auto& [i, s] : curves) {
    std::string d;
    bool pen = false;
    for (size_t k = 0; k < s.values.size(); ++k) {
      if (!std::isfinite(s.values[k])) {
        pen = false;
        continue;
      }
      d += (pen ? "L" : "M") + num(px(s.steps[k])) + " " + num(py(s.values[k]));
      pen = true;
    }
    html += "<path class=\"run" + std::to_string(i) + "\" data-run=\"" + escape(runs[i].name) + "\" stroke=\"" +
            color(i) + "\" d=\"" + d + "\"><title>" + escape(runs[i].name + ": " + metric) + "</title></path>\n";
    // Curves of a few points (one per epoch) get their points marked too.
    if (s.values.size() <= 50)
      for (size_t k = 0; k < s.values.size(); ++k)
        if (std::isfinite(s.values[k]))
          html += "<circle r=\"3\" fill=\"" + color(i) + "\" cx=\"" + num(px(s.steps[k])) + "\" cy=\"" +
                  num(py(s.values[k])) + "\"/>";
    html += "\n";
  }
  html += "</svg></figure>\n";
}

void runs_table(std::string& html, const std::vector<RunRecord>& runs) {
  html += "<h2>Runs</h2>\n<table><tr><th>run</th><th>started</th><th>status</th><th>duration</th><th>lines</th>"
          "<th>final metrics</th></tr>\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    std::string finals;
    for (const std::string& k : r.metric_names)
      if (auto it = r.final_metrics.find(k); it != r.final_metrics.end())
        finals += (finals.empty() ? "" : ", ") + k + " " + format_number(it->second);
    double end = r.ended > 0 ? r.ended : double(std::time(nullptr));
    html += "<tr><td><span class=\"swatch\" style=\"background:" + color(i) + "\"></span>" + escape(r.name) +
            "</td><td>" + format_date(r.started) + "</td><td class=\"" + escape(r.status) + "\">" + escape(r.status) +
            (r.error.empty() ? "" : ": " + escape(r.error)) + "</td><td>" +
            format_duration(r.started > 0 ? end - r.started : -1) + "</td><td>" + std::to_string(r.lines) +
            "</td><td>" + escape(finals) + "</td></tr>\n";
  }
  html += "</table>\n";
}

void config_table(std::string& html, const std::vector<RunRecord>& runs) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::map<std::string, std::string>> values(runs.size());
  for (size_t i = 0; i < runs.size(); ++i)
    for (auto& [k, v] : flatten(runs[i].config)) {
      if (k == "model_summary") continue;  // shown whole below the table
      values[i][k] = v;
      if (seen.insert(k).second) keys.push_back(k);
    }
  html += "<h2>Configuration</h2>\n<p>Rows that differ between runs are highlighted.</p>\n<table><tr><th>setting</th>";
  for (const RunRecord& r : runs) html += "<th>" + escape(r.name) + "</th>";
  html += "</tr>\n";
  for (const std::string& k : keys) {
    std::string cells;
    bool differs = false;
    std::string first = values[0].count(k) ? values[0][k] : "-";
    for (size_t i = 0; i < runs.size(); ++i) {
      auto it = values[i].find(k);
      std::string v = it == values[i].end() ? "-" : it->second;
      differs |= v != first;
      cells += "<td>" + escape(v.size() > 200 ? v.substr(0, 197) + "..." : v) + "</td>";
    }
    html += std::string("<tr") + (differs ? " class=\"differs\"" : "") + "><td>" + escape(k) + "</td>" + cells + "</tr>\n";
  }
  html += "</table>\n";
}

void run_details(std::string& html, const RunRecord& r) {
  html += "<h3>" + escape(r.name) + "</h3>\n";
  const Json& g = r.git;
  if (g.contains("note")) html += "<p class=\"note\">git: " + escape(g.value("note", std::string())) + "</p>\n";
  if (g.contains("commit") && g["commit"].is_string())
    html += "<p>git: commit <code>" + escape(g["commit"].get<std::string>()) + "</code> on branch <code>" +
            escape(g.value("branch", std::string("?"))) + "</code> in <code>" +
            escape(g.value("repository", std::string("?"))) + "</code>" +
            (g.value("dirty", false) ? ", with uncommitted changes" : ", clean") + "</p>\n";
  std::string diff = g.value("diff", std::string());
  if (!diff.empty())
    html += "<details><summary>uncommitted diff (" + std::to_string(diff.size()) + " bytes)</summary><pre>" +
            escape(diff) + "</pre></details>\n";
  std::string summary = r.config.value("model_summary", std::string());
  if (!summary.empty()) html += "<details><summary>model summary</summary><pre>" + escape(summary) + "</pre></details>\n";
}

}  // namespace

std::string report_html(const std::vector<RunRecord>& runs) {
  std::string html;
  html.reserve(1 << 20);
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tessera runs</title>\n<style>\n"
          "body{font-family:system-ui,sans-serif;margin:24px;color:#222}\n"
          "figure{display:inline-block;margin:8px}\n"
          ".chart path{fill:none;stroke-width:1.6}\n"
          ".chart .grid{stroke:#e4e4e4}.chart .axis{stroke:#444}\n"
          ".chart text{font-size:11px;fill:#444}.chart .title{font-size:14px;font-weight:600;fill:#222}\n"
          "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
          "font-size:13px}\n"
          "tr.differs td{background:#fff3c4}.crashed{color:#b00}.running{color:#06c}\n"
          ".swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}\n"
          "pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px}.note{color:#777}\n"
          "</style></head><body>\n<h1>Tessera runs</h1>\n";
  char when[64];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  html += "<p>" + std::to_string(runs.size()) + " runs, written by <code>tsr runs report</code> on " + when + ".</p>\n";
  runs_table(html, runs);
  html += "<h2>Curves</h2>\n";
  std::vector<std::string> metrics;
  std::set<std::string> seen;
  for (const RunRecord& r : runs)
    for (const std::string& k : r.metric_names)
      if (charted(k) && seen.insert(k).second) metrics.push_back(k);
  for (const std::string& m : metrics) chart(html, m, runs);
  config_table(html, runs);
  html += "<h2>Git state and model of each run</h2>\n";
  for (const RunRecord& r : runs) run_details(html, r);
  html += "</body></html>\n";
  return html;
}

}  // namespace tsr::runs
