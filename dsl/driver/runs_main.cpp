// `tsr runs`: the runs that stdlib/Learn/tracking.tsr records, read back.
//   tsr runs [--dir D]                          a table: name, date, status, duration, steps,
//                                               final metrics
//   tsr runs compare A B ... [--dir D]          the config settings that differ and the final
//                                               metrics, a column per run
//   tsr runs report [RUNS...] [-o FILE] [--dir D]  one self-contained HTML page (runs_report.cpp)
// D defaults to TSR_RUNS_DIR, else runs/. Exit status: 0, 1 when a named run is missing or a
// file cannot be written, 2 for usage errors.
#include "dsl/driver/runs_main.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>

#include "dsl/driver/runs_report.hpp"
#include "dsl/driver/runs_store.hpp"

namespace tsr::runs {

namespace {

// Metrics the list leaves out: the learning rate and an epoch's seconds say little at a glance.
bool listed_metric(const std::string& k) { return k != "lr" && k != "time"; }

std::string final_metrics_text(const RunRecord& r) {
  std::string s;
  for (const std::string& k : r.metric_names) {
    if (!listed_metric(k)) continue;
    auto it = r.final_metrics.find(k);
    if (it == r.final_metrics.end()) continue;
    s += (s.empty() ? "" : " ") + k + "=" + format_number(it->second);
  }
  return s.empty() ? "-" : s;
}

double duration_of(const RunRecord& r) {
  if (r.started <= 0) return -1;
  double end = r.ended;
  if (end == 0) end = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return end - r.started;
}

int list_runs(const std::string& root) {
  std::vector<RunRecord> runs = load_runs(root, false);
  if (runs.empty()) {
    std::printf("no runs in %s/ (a Learner's fit!, or track(), makes them)\n", root.c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const RunRecord& r : runs)
    rows.push_back({r.name, format_date(r.started), r.status, format_duration(duration_of(r)), std::to_string(r.lines),
                    final_metrics_text(r)});
  std::fputs(table({"name", "date", "status", "duration", "lines", "final metrics"}, rows).c_str(), stdout);
  return 0;
}

// A config setting as one short cell: the model summary as its parameter count, long texts cut.
std::string cell(const std::string& key, const std::string& value) {
  if (key == "model_summary") {
    size_t at = value.find("Total params: ");
    if (at == std::string::npos) return value.empty() ? "-" : "(summary)";
    size_t end = value.find('\n', at);
    return value.substr(at + 14, end == std::string::npos ? std::string::npos : end - at - 14) + " params";
  }
  std::string one = value;
  for (char& c : one)
    if (c == '\n') c = ' ';
  return one.size() > 48 ? one.substr(0, 45) + "..." : one;
}

// Settings that differ between any two runs by nature (when and where it ran).
bool compared_setting(const std::string& key) {
  return key != "name" && key != "started" && key != "host";
}

int compare_runs(const std::string& root, const std::vector<std::string>& names) {
  std::vector<RunRecord> runs;
  for (const std::string& n : names) {
    RunRecord r;
    std::string why;
    if (!load_run(root, n, false, r, why)) {
      std::fprintf(stderr, "tsr runs compare: %s\n", why.c_str());
      return 1;
    }
    runs.push_back(std::move(r));
  }
  // Every setting of every run, in the order first seen; a missing one shows as "-".
  std::vector<std::string> keys;
  std::vector<std::map<std::string, std::string>> values(runs.size());
  std::set<std::string> seen;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (auto& [k, v] : flatten(runs[i].config)) {
      if (!compared_setting(k)) continue;
      values[i][k] = cell(k, v);
      if (seen.insert(k).second) keys.push_back(k);
    }
    std::string commit = runs[i].git.value("commit", std::string("-"));
    values[i]["git.commit"] = commit.substr(0, 12) + (runs[i].git.value("dirty", false) ? " (+diff)" : "");
  }
  keys.push_back("git.commit");
  std::vector<std::string> header{"setting"};
  for (const RunRecord& r : runs) header.push_back(r.name);
  std::vector<std::vector<std::string>> rows;
  size_t same = 0;
  for (const std::string& k : keys) {
    std::vector<std::string> row{k};
    bool differs = false;
    for (size_t i = 0; i < runs.size(); ++i) {
      auto it = values[i].find(k);
      row.push_back(it == values[i].end() ? "-" : it->second);
      differs |= row.back() != row[1];
    }
    if (differs) rows.push_back(row);
    else ++same;
  }
  if (rows.empty()) rows.push_back(std::vector<std::string>(runs.size() + 1, "(none differ)"));
  std::printf("Settings that differ (%zu others are the same in every run):\n", same);
  std::fputs(table(header, rows).c_str(), stdout);
  // Final metrics: every metric any run logged.
  std::vector<std::string> metrics;
  std::set<std::string> mseen;
  for (const RunRecord& r : runs)
    for (const std::string& k : r.metric_names)
      if (mseen.insert(k).second) metrics.push_back(k);
  std::vector<std::vector<std::string>> mrows;
  mrows.push_back({"status"});
  mrows.push_back({"duration"});
  for (const RunRecord& r : runs) {
    mrows[0].push_back(r.status);
    mrows[1].push_back(format_duration(duration_of(r)));
  }
  for (const std::string& k : metrics) {
    std::vector<std::string> row{k};
    for (const RunRecord& r : runs) {
      auto it = r.final_metrics.find(k);
      row.push_back(it == r.final_metrics.end() ? "-" : format_number(it->second));
    }
    mrows.push_back(row);
  }
  header[0] = "final";
  std::printf("\nFinal metrics:\n");
  std::fputs(table(header, mrows).c_str(), stdout);
  return 0;
}

int write_report(const std::string& root, const std::vector<std::string>& names, std::string out) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<RunRecord> runs;
  if (names.empty()) {
    runs = load_runs(root, true);
  } else {
    for (const std::string& n : names) {
      RunRecord r;
      std::string why;
      if (!load_run(root, n, true, r, why)) {
        std::fprintf(stderr, "tsr runs report: %s\n", why.c_str());
        return 1;
      }
      runs.push_back(std::move(r));
    }
  }
  if (runs.empty()) {
    std::fprintf(stderr, "tsr runs report: no runs in %s/\n", root.c_str());
    return 1;
  }
  if (out.empty()) out = root + "/report.html";
  std::string html = report_html(runs);
  std::ofstream f(out, std::ios::binary);
  f << html;
  if (!f.good()) {
    std::fprintf(stderr, "tsr runs report: cannot write %s\n", out.c_str());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %s: %zu runs, %zu bytes, in %.2f s\n", out.c_str(), runs.size(), html.size(), seconds);
  return 0;
}

}  // namespace

int runs_main(int argc, char** argv) {
  CLI::App app{"tsr runs: the runs recorded by Learn's fit! and track() (runs/NAME-N)", "tsr runs"};
  std::string root = default_root();
  app.add_option("--dir", root, "the runs folder (default: TSR_RUNS_DIR, else runs)");
  auto* compare = app.add_subcommand("compare", "the settings that differ and the final metrics, side by side");
  std::vector<std::string> names;
  compare->add_option("runs", names, "runs by name (NAME-N) or folder")->required()->expected(1, -1);
  compare->add_option("--dir", root, "the runs folder");
  auto* report = app.add_subcommand("report", "one self-contained HTML page: curves, configs, git state");
  std::vector<std::string> report_names;
  std::string out;
  report->add_option("runs", report_names, "runs by name or folder (default: all)");
  report->add_option("-o,--output", out, "the HTML file (default: DIR/report.html)");
  report->add_option("--dir", root, "the runs folder");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (compare->parsed()) return compare_runs(root, names);
  if (report->parsed()) return write_report(root, report_names, out);
  return list_runs(root);
}

}  // namespace tsr::runs
