// Reading runs/NAME-N folders (runs_store.hpp). metrics.jsonl is read by a small scanner of its
// flat lines rather than a general JSON parser: the report reads a million lines for 100 runs
// of 10k steps, and the scanner does it several times faster. A line it cannot read (the
// last one of a run killed mid-write) is passed over.
#include "dsl/driver/runs_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tsr::runs {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return {};
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

Json read_json(const fs::path& p) {
  std::string text = read_text(p);
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

double number_or(const Json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// One line of metrics.jsonl: calls f(key, value) for each number (null as NaN); false when
// the line is not a whole flat JSON object.
template <class F>
bool scan_line(const char* p, const char* end, F&& f) {
  auto skip = [&] {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
  };
  skip();
  if (p == end || *p != '{') return false;
  ++p;
  for (;;) {
    skip();
    if (p < end && *p == '}') return true;
    if (p == end || *p != '"') return false;
    const char* k0 = ++p;
    while (p < end && *p != '"') {
      if (*p == '\\') return false;  // escaped names: not written by log!, not read here
      ++p;
    }
    if (p == end) return false;
    std::string_view key(k0, size_t(p - k0));
    ++p;
    skip();
    if (p == end || *p != ':') return false;
    ++p;
    skip();
    if (p == end) return false;
    if (*p == '"') {  // a string value: skipped
      ++p;
      while (p < end && *p != '"') p += *p == '\\' ? 2 : 1;
      if (p >= end) return false;
      ++p;
    } else if (*p == 'n' || *p == 't' || *p == 'f') {
      std::string_view word(p, size_t(std::min<ptrdiff_t>(end - p, *p == 'f' ? 5 : 4)));
      if (word != "null" && word != "true" && word != "false") return false;
      if (word == "null") f(key, std::nan(""));
      p += word.size();
    } else {
      double v;
      auto r = std::from_chars(p, end, v);
      if (r.ec != std::errc()) return false;
      f(key, v);
      p = r.ptr;
    }
    skip();
    if (p < end && *p == ',') ++p;
    else if (p < end && *p == '}') return true;
    else return false;
  }
}

void read_metrics(const fs::path& file, bool with_series, RunRecord& r) {
  std::string text = read_text(file);
  const char* p = text.data();
  const char* end = p + text.size();
  std::map<std::string, double, std::less<>> last;
  std::vector<std::pair<std::string_view, double>> fields;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    if (!nl) break;  // a line without its newline was cut short by a kill
    fields.clear();
    double step = NAN;
    bool ok = scan_line(p, nl, [&](std::string_view k, double v) {
      if (k == "step") step = v;
      else if (k != "timestamp") fields.emplace_back(k, v);
    });
    p = nl + 1;
    if (!ok) continue;
    ++r.lines;
    for (auto& [k, v] : fields) {
      auto it = last.find(k);
      if (it == last.end()) {
        it = last.emplace(std::string(k), v).first;
        r.metric_names.push_back(it->first);
      }
      if (std::isnan(v)) continue;
      it->second = v;
      if (with_series) {
        Series& s = r.series[it->first];
        s.steps.push_back(step);
        s.values.push_back(v);
      }
    }
  }
  for (auto& [k, v] : last) r.final_metrics[k] = v;
}

bool looks_like_run(const fs::path& d) {
  std::error_code ec;
  return fs::is_regular_file(d / "config.json", ec) || fs::is_regular_file(d / "status.json", ec);
}

RunRecord read_run(const fs::path& d, bool with_series) {
  RunRecord r;
  r.dir = d.string();
  r.name = d.filename().string();
  r.config = read_json(d / "config.json");
  r.git = read_json(d / "git.json");
  Json status = read_json(d / "status.json");
  r.status = effective_status(status);
  if (auto it = status.find("error"); it != status.end() && it->is_string()) r.error = it->get<std::string>();
  r.started = number_or(status, "started", number_or(r.config, "started", 0));
  r.ended = number_or(status, "ended", 0);
  read_metrics(d / "metrics.jsonl", with_series, r);
  if (r.ended == 0 && r.status != "running") {
    // Crashed: it lasted until its last sign of life, the metrics file's last change.
    std::error_code ec;
    auto t = fs::last_write_time(d / "metrics.jsonl", ec);
    if (!ec) {
      auto sys = std::chrono::file_clock::to_sys(t);
      r.ended = std::chrono::duration<double>(sys.time_since_epoch()).count();
    }
  }
  return r;
}

// The start time of a process in clock ticks after boot, -1 when there is none.
int64_t start_ticks(int64_t pid) {
  std::string s = read_text("/proc/" + std::to_string(pid) + "/stat");
  size_t close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return std::stoll(field);
  return -1;
}

}  // namespace

std::string default_root() {
  const char* d = std::getenv("TSR_RUNS_DIR");
  return d && *d ? d : "runs";
}

std::string effective_status(const Json& status) {
  auto it = status.find("status");
  if (it == status.end() || !it->is_string()) return "unknown";
  std::string s = it->get<std::string>();
  if (s != "running") return s;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  auto h = status.find("host");
  if (h == status.end() || !h->is_string() || h->get<std::string>() != host) return "running";  // cannot tell
  int64_t pid = status.value("pid", int64_t(-1)), ticks = status.value("pid_start", int64_t(-1));
  if (pid <= 0) return "running";
  return start_ticks(pid) == ticks ? "running" : "crashed";
}

std::vector<RunRecord> load_runs(const std::string& root, bool with_series) {
  std::vector<RunRecord> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec) && looks_like_run(e.path())) out.push_back(read_run(e.path(), with_series));
  std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.started != b.started ? a.started < b.started : a.name < b.name;
  });
  return out;
}

bool load_run(const std::string& root, const std::string& what, bool with_series, RunRecord& out, std::string& why) {
  for (const fs::path& d : {fs::path(what), fs::path(root) / what}) {
    if (looks_like_run(d)) {
      out = read_run(d, with_series);
      return true;
    }
  }
  why = "no run named \"" + what + "\" (neither a run's folder nor one in " + root + "/)";
  return false;
}

std::string format_date(double t) {
  if (t <= 0) return "-";
  time_t s = time_t(t);
  std::tm tm;
  localtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) return "-";
  int64_t s = int64_t(std::llround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

std::string format_number(double x) {
  if (std::isnan(x)) return "NaN";
  char buf[32];
  if (x == std::floor(x) && std::fabs(x) < 1e15) std::snprintf(buf, sizeof buf, "%lld", (long long)x);
  else std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::vector<std::pair<std::string, std::string>> flatten(const Json& j) {
  std::vector<std::pair<std::string, std::string>> out;
  auto walk = [&](auto& self, const Json& v, const std::string& prefix) -> void {
    if (v.is_object() && !v.empty()) {
      for (auto it = v.begin(); it != v.end(); ++it) self(self, it.value(), prefix.empty() ? it.key() : prefix + "." + it.key());
    } else if (v.is_string()) {
      out.emplace_back(prefix, v.get<std::string>());
    } else if (v.is_number_float()) {
      out.emplace_back(prefix, format_number(v.get<double>()));
    } else {
      out.emplace_back(prefix, v.dump());
    }
  };
  walk(walk, j, "");
  return out;
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  // Widths in characters, not bytes (─ and the like are one column).
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> w(header.size());
  for (size_t i = 0; i < header.size(); ++i) w[i] = width(header[i]);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(w[i] - width(cells[i]) + 2, ' ');
    }
    return s + "\n";
  };
  size_t total = 0;
  for (size_t x : w) total += x + 2;
  std::string out = line(header);
  for (size_t i = 0; i + 2 < total; ++i) out += "─";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace tsr::runs
