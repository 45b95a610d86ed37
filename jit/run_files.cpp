// The files of a tracked run (stdlib/Learn/tracking.tsr): a new folder runs/NAME-N, values as
// JSON, metrics.jsonl lines each written by one write() (a run killed with SIGKILL keeps every
// line it logged: nothing waits in a buffer), status.json replaced atomically, the git state of
// the script's repository, and what the program prints copied to log.txt while a run is open.
//   __json(x, indent)             a value as JSON text (indent < 0: one line)
//   __run_folder(root, name)      makes root/NAME-N with the next free N; its path
//   __run_open(path)              a file opened for appending: its descriptor
//   __run_log(fd, step, metrics)  one line {"step":..,"timestamp":..,metrics...} in one write()
//   __run_close(fd)
//   __write_file(path, text)      replaces path atomically (jit/atomic_file.hpp)
//   __git_state(script)           git.json's text for the repository holding the script
//   __process_facts()             pid (and its start time), host, threads, versions, as a tuple
//   __tee_open(path) / __tee_close(id): stdout and stderr copied to a file, progress redraws
//                                 (\r ... ESC[K) reduced to the line last drawn
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "jit/atomic_file.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/host_target.hpp"
#include "runtime/errors.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

using json = nlohmann::ordered_json;  // keys in the order given

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error("SystemError", what + " \"" + path + "\": " + std::strerror(errno));
}

double wall_seconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Shortest text that reads back as the same number (0.1f0 as 0.1, not 0.100000001); JSON has
// no NaN or Inf, so they are null.
void append_number(std::string& out, double x, bool single) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = single ? std::to_chars(buf, buf + sizeof buf, float(x)) : std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

bool is_unsigned(TypeRegistry& t, const Type* ty) {
  return ty == t.UInt8 || ty == t.UInt16 || ty == t.UInt32 || ty == t.lookup("UInt64");
}

// Numbers, strings, symbols, nothing, tuples, named tuples and vectors map to JSON; anything
// else (an optimizer, a function, a tensor) to the text Tessera prints for it, so a config
// records what it was even when JSON has no word for it.
json to_json(Globals& g, const Value& v) {
  TypeRegistry& t = g.types();
  const DataType* ty = v.type();
  switch (v.payload()) {
    case Payload::Int:
      if (is_unsigned(t, ty)) return json(uint64_t(v.as_int()));
      return json(v.as_int());
    case Payload::Bool: return json(v.as_bool());
    case Payload::Float64: return std::isfinite(v.as_f64()) ? json(v.as_f64()) : json(nullptr);
    case Payload::Float32: {
      if (!std::isfinite(v.as_f32())) return json(nullptr);
      std::string s;
      append_number(s, v.as_f32(), true);
      return json::parse(s);  // 3f-3 as 0.003, its shortest Float32 text
    }
    case Payload::None:
      if (ty == t.Nothing) return json(nullptr);
      break;
    default: break;
  }
  if (ty == t.String || ty == t.Symbol) return json(v.as_string());
  if (ty->name->is_named_tuple) {
    json o = json::object();
    const auto& names = ty->name->field_names;
    const auto& fs = v.as_struct().fields;
    for (size_t i = 0; i < names.size() && i < fs.size(); ++i) o[names[i]] = to_json(g, fs[i]);
    return o;
  }
  if (ty->name->is_tuple || is_vector_name(ty->name)) {
    json a = json::array();
    for (const Value& x : v.as_struct().fields) a.push_back(to_json(g, x));
    return a;
  }
  if (is_tensor(v)) {
    const TensorObject& tt = tensor_of(v);
    std::string dims;
    for (int i = 0; i < tt.rank; ++i) dims += (i ? ", " : "") + std::to_string(tt.shape[i]);
    return json(show_type(ty) + " of size (" + dims + (tt.rank == 1 ? ",)" : ")"));
  }
  return json(show_value(v, false));
}

// ---- copying the program's output to log files ----

struct Tee {
  std::mutex mu;
  std::vector<std::pair<int64_t, int>> logs;  // (id, descriptor)
  int64_t next_id = 1;
  std::FILE* real_out = nullptr;  // the streams replaced while a log is open
  std::FILE* real_err = nullptr;
  std::string line;  // the log's line being built: what follows the last \r
  bool in_escape = false;
};
Tee& tee() {
  static Tee t;
  return t;
}

// Adds text to the logs: a \r starts the line again (a progress bar redrawing), escape
// sequences are dropped, each finished line is written.
void log_text(Tee& k, const char* s, size_t n) {
  std::string done;
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (k.in_escape) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) k.in_escape = false;
      continue;
    }
    if (c == '\x1b') k.in_escape = true;
    else if (c == '\r') k.line.clear();
    else if (c == '\n') {
      done += k.line;
      done += '\n';
      k.line.clear();
    } else k.line += c;
  }
  if (done.empty()) return;
  for (auto& [id, fd] : k.logs)
    if (::write(fd, done.data(), done.size()) < 0) { /* a full disk must not stop the training */ }
}

ssize_t write_through(int fd, const char* s, size_t n) {
  size_t at = 0;
  while (at < n) {
    ssize_t w = ::write(fd, s + at, n - at);
    if (w < 0) {
      if (errno == EINTR) continue;
      return at ? ssize_t(at) : -1;
    }
    at += size_t(w);
  }
  Tee& k = tee();
  std::lock_guard<std::mutex> lock(k.mu);
  log_text(k, s, n);
  return ssize_t(n);
}

ssize_t tee_out(void*, const char* s, size_t n) { return write_through(1, s, n); }
ssize_t tee_err(void*, const char* s, size_t n) { return write_through(2, s, n); }

// stdout and stderr become streams that write to the same descriptors (so isatty(1) and the
// progress bar see the terminal as before) and to the logs.
void install_tee(Tee& k) {
  std::fflush(stdout);
  std::fflush(stderr);
  cookie_io_functions_t out_fns{nullptr, tee_out, nullptr, nullptr};
  cookie_io_functions_t err_fns{nullptr, tee_err, nullptr, nullptr};
  std::FILE* out = fopencookie(nullptr, "w", out_fns);
  std::FILE* err = fopencookie(nullptr, "w", err_fns);
  if (!out || !err) throw Error("SystemError", "log.txt: cannot copy the output (fopencookie failed)");
  std::setvbuf(out, nullptr, ::isatty(1) ? _IOLBF : _IOFBF, 1 << 16);
  std::setvbuf(err, nullptr, _IONBF, 0);
  k.real_out = stdout;
  k.real_err = stderr;
  stdout = out;
  stderr = err;
}

void remove_tee(Tee& k) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  stdout = k.real_out;
  stderr = k.real_err;
  std::fclose(out);
  std::fclose(err);
}

// ---- git ----

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A git command's standard output (its errors dropped); ok is false when it failed.
std::string git(const std::string& dir, const std::string& args, bool& ok) {
  std::string cmd = "git -C " + shell_quote(dir) + " " + args + " 2>/dev/null";
  std::string out;
  ok = false;
  if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ok = ::pclose(p) == 0;
  }
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

json git_state(const std::string& dir) {
  json j;
  j["directory"] = dir;
  bool ok;
  std::string top = trimmed(git(dir, "rev-parse --show-toplevel", ok));
  if (!ok) {
    j["repository"] = nullptr;
    j["note"] = "the script's folder is not in a git repository (or git is not installed): no commit or diff recorded";
    return j;
  }
  j["repository"] = top;
  std::string commit = trimmed(git(dir, "rev-parse HEAD", ok));
  j["commit"] = ok ? json(commit) : json(nullptr);
  if (!ok) j["note"] = "the repository has no commits yet";
  std::string branch = trimmed(git(dir, "rev-parse --abbrev-ref HEAD", ok));
  j["branch"] = ok ? json(branch) : json(nullptr);
  std::string diff = git(dir, "diff HEAD --no-color", ok);
  j["diff"] = diff;
  std::string status = git(dir, "status --porcelain --untracked-files=normal", ok);
  json untracked = json::array();
  size_t at = 0;
  while (at < status.size()) {
    size_t end = status.find('\n', at);
    if (end == std::string::npos) end = status.size();
    std::string line = status.substr(at, end - at);
    if (line.rfind("?? ", 0) == 0) untracked.push_back(line.substr(3));
    at = end + 1;
  }
  j["untracked"] = untracked;
  j["dirty"] = !diff.empty();
  return j;
}

// The start time of a process in clock ticks after boot (/proc/PID/stat, field 22): with the
// pid it names one process, so a pid reused later is not taken for the run's.
int64_t process_start_ticks(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return std::stoll(field);
  return -1;
}

}  // namespace

void register_run_files(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
  r.add("__json", {t.Any, t.Int64}, {"x", "indent"}, t.String, [&r, &g](std::span<const Value> a) {
    return r.str(to_json(g, a[0]).dump(int(a[1].as_int()), ' ', false, json::error_handler_t::replace));
  });
  r.add("__run_folder", {t.String, t.String}, {"root", "name"}, t.String, [&r](std::span<const Value> a) {
    namespace fs = std::filesystem;
    const std::string& root = a[0].as_string();
    const std::string& name = a[1].as_string();
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec) throw Error("SystemError", "cannot make the runs folder \"" + root + "\": " + ec.message());
    int64_t n = 0;  // the largest N of root/NAME-N so far
    for (const auto& e : fs::directory_iterator(root, ec)) {
      std::string f = e.path().filename().string();
      if (f.size() > name.size() + 1 && f.compare(0, name.size(), name) == 0 && f[name.size()] == '-') {
        std::string digits = f.substr(name.size() + 1);
        if (!digits.empty() && digits.size() < 12 && digits.find_first_not_of("0123456789") == std::string::npos)
          n = std::max<int64_t>(n, std::stoll(digits));
      }
    }
    for (;; ++n) {  // mkdir fails on a folder another process made first: take the next N
      std::string path = root + "/" + name + "-" + std::to_string(n + 1);
      if (::mkdir(path.c_str(), 0777) == 0) return r.str(path);
      if (errno != EEXIST) io_error("cannot make the run's folder", path);
    }
  });
  r.add("__run_open", {t.String}, {"path"}, t.Int64, [&r](std::span<const Value> a) {
    int fd = ::open(a[0].as_string().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) io_error("cannot open", a[0].as_string());
    return r.integer(fd);
  });
  r.add("__run_close", {t.Int64}, {"fd"}, t.Nothing, [&r](std::span<const Value> a) {
    ::close(int(a[0].as_int()));
    return r.nothing();
  });
  r.add("__run_log", {t.Int64, t.Int64, t.Any}, {"fd", "step", "metrics"}, t.Nothing, [&r, &g, &t](std::span<const Value> a) {
    const Value& m = a[2];
    // A named tuple, or a vector of name => value pairs (names made at run time).
    std::vector<std::string> names;
    std::vector<Value> fs;
    if (m.type()->name->is_named_tuple) {
      names = m.type()->name->field_names;
      fs = m.as_struct().fields;
    } else if (is_vector_name(m.type()->name)) {
      for (const Value& p : m.as_struct().fields) {
        if (p.type()->name != t.PairName) no_method("log!", a);
        names.push_back(p.as_struct().fields[0].as_string());
        fs.push_back(p.as_struct().fields[1]);
      }
    } else {
      no_method("log!", a);
    }
    std::string line = "{\"step\":" + std::to_string(a[1].as_int()) + ",\"timestamp\":";
    append_number(line, std::round(wall_seconds() * 1000.0) / 1000.0, false);
    for (size_t i = 0; i < names.size() && i < fs.size(); ++i) {
      line += "," + json(names[i]).dump() + ":";
      const Value& v = fs[i];
      if (v.payload() == Payload::Float64) append_number(line, v.as_f64(), false);
      else if (v.payload() == Payload::Float32) append_number(line, v.as_f32(), true);
      else if (v.payload() == Payload::Int && !is_unsigned(t, v.type())) line += std::to_string(v.as_int());
      else line += to_json(g, v).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    line += "}\n";
    if (::write(int(a[0].as_int()), line.data(), line.size()) != ssize_t(line.size()))
      throw Error("SystemError", std::string("log!: cannot write metrics.jsonl: ") + std::strerror(errno));
    return r.nothing();
  });
  r.add("__write_file", {t.String, t.String}, {"path", "text"}, t.Nothing, [&r](std::span<const Value> a) {
    const std::string& text = a[1].as_string();
    replace_file_atomically(a[0].as_string(), "__write_file", {std::span<const char>(text.data(), text.size())});
    return r.nothing();
  });
  // The repository holding a script: the folder of the file (the current folder for "", as
  // for code given with -e).
  r.add("__git_state", {t.String}, {"script"}, t.String, [&r](std::span<const Value> a) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p = a[0].as_string().empty() ? fs::current_path(ec) : fs::absolute(a[0].as_string(), ec);
    if (fs::is_regular_file(p, ec)) p = p.parent_path();
    return r.str(git_state(p.string()).dump(2));
  });
  // (pid, pid start ticks, host, threads, LLVM version, Tessera version, unix time)
  r.add("__process_facts", {}, {}, nullptr, [&r, &t](std::span<const Value>) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    pid_t pid = ::getpid();
    auto* obj = new StructObject();
    obj->fields = {r.integer(pid), r.integer(process_start_ticks(pid)), r.str(host), r.integer(num_threads()),
                   r.str(host_target().llvm_version), r.str("0.1.0"), Value::from_f64(t.Float64, wall_seconds())};
    std::vector<const Type*> ts;
    for (const Value& v : obj->fields) ts.push_back(v.type());
    return Value::from_object(t.tuple(ts), obj);
  });
  r.add("__tee_open", {t.String}, {"path"}, t.Int64, [&r](std::span<const Value> a) {
    int fd = ::open(a[0].as_string().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) io_error("cannot open", a[0].as_string());
    Tee& k = tee();
    if (k.logs.empty()) install_tee(k);
    std::lock_guard<std::mutex> lock(k.mu);
    k.logs.push_back({k.next_id, fd});
    return r.integer(k.next_id++);
  });
  r.add("__tee_close", {t.Int64}, {"id"}, t.Nothing, [&r](std::span<const Value> a) {
    Tee& k = tee();
    bool last = false;
    {
      std::fflush(stdout);
      std::lock_guard<std::mutex> lock(k.mu);
      for (size_t i = 0; i < k.logs.size(); ++i)
        if (k.logs[i].first == a[0].as_int()) {
          if (!k.line.empty()) {  // an unfinished line (a bar's last draw) still belongs to the log
            std::string rest = k.line + "\n";
            if (::write(k.logs[i].second, rest.data(), rest.size()) < 0) {}
          }
          ::close(k.logs[i].second);
          k.logs.erase(k.logs.begin() + i);
          last = k.logs.empty();
          break;
        }
      if (last) k.line.clear();
    }
    if (last) remove_tee(k);
    return r.nothing();
  });
}

}  // namespace tsr::jit
