// Reading the runs that stdlib/Learn/tracking.tsr writes (runs/NAME-N/: config.json,
// metrics.jsonl, status.json, git.json), for `tsr runs`, `tsr runs compare` and
// `tsr runs report` (runs_main.cpp, runs_report.cpp).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tsr::runs {

using Json = nlohmann::ordered_json;

// One metric's values in step order.
struct Series {
  std::vector<double> steps;
  std::vector<double> values;
};

struct RunRecord {
  std::string name;  // the folder's name, NAME-N
  std::string dir;
  Json config;       // config.json (an empty object when missing or unreadable)
  Json git;          // git.json
  std::string status;  // finished, crashed, running, or unknown (no status.json)
  std::string error;   // what a crashed run's status.json says went wrong, if anything
  double started = 0, ended = 0;  // unix seconds; ended 0 while running
  int64_t lines = 0;              // lines in metrics.jsonl
  std::vector<std::string> metric_names;          // in the order first seen
  std::map<std::string, double> final_metrics;    // the last value logged of each
  std::map<std::string, Series> series;           // filled by load_series
};

// The folder of the runs: TSR_RUNS_DIR, else runs/ (as the standard library's runs_root()).
std::string default_root();

// Every run under root (folders holding config.json or status.json), oldest first.
// with_series: the metrics' curves too, not only their final values.
std::vector<RunRecord> load_runs(const std::string& root, bool with_series);

// The run named by `what`: a folder's path, or NAME-N under root; false and a message when none.
bool load_run(const std::string& root, const std::string& what, bool with_series, RunRecord& out, std::string& why);

// A run whose status says running but whose process (pid and start time, on this host) is
// gone died without finishing: it is crashed.
std::string effective_status(const Json& status);

// 1796331245 as "2026-12-03 20:54" (local time); seconds as "1:02:03" or "2:03".
std::string format_date(double unix_seconds);
std::string format_duration(double seconds);
// A number as a short text: integers whole, others with 6 significant digits.
std::string format_number(double x);

// A config as flat key => text pairs: nested objects' keys joined with dots ("config.lr").
std::vector<std::pair<std::string, std::string>> flatten(const Json& j);

// Columns padded to their widest cell, two spaces apart, a rule under the header.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace tsr::runs
