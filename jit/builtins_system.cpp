// What a script asks of the operating system: Julia's `isfile(path)`, `isdir(path)`,
// `tempdir()`, `tempname()`, `rm(path; force, recursive)`, and the
// environment as `ENV` (a Base.EnvDict: `ENV["X"]`, `get(ENV, "X", default)`,
// `haskey(ENV, "X")`, `ENV["X"] = "v"`, `delete!(ENV, "X")`), through which the standard
// library reads settings such as TSR_DATA (stdlib/Data.tsr).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "jit/builtin_registrar.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

void register_system_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("isfile", {t.AbstractString}, {"path"}, t.Bool, [&r](std::span<const Value> a) {
    std::error_code ec;
    return r.boolean(std::filesystem::is_regular_file(a[0].as_string(), ec));
  });
  r.add("isdir", {t.AbstractString}, {"path"}, t.Bool, [&r](std::span<const Value> a) {
    std::error_code ec;
    return r.boolean(std::filesystem::is_directory(a[0].as_string(), ec));
  });
  // tempdir(): TMPDIR, else /tmp (Julia's on Unix). tempname(): a path there that does not
  // exist yet (created by nobody: the caller makes it), for files a script writes and removes.
  auto tempdir = [] {
    const char* d = std::getenv("TMPDIR");
    std::string s = d && *d ? d : "/tmp";
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  };
  r.add("tempdir", {}, {}, t.String, [&r, tempdir](std::span<const Value>) { return r.str(tempdir()); });
  r.add("tempname", {}, {}, t.String, [&r, tempdir](std::span<const Value>) {
    static std::mt19937_64 gen{std::random_device{}()};
    const char* letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (;;) {
      std::string name = tempdir() + "/tsr_";
      for (int i = 0; i < 10; ++i) name += letters[gen() % 62];
      struct stat st;
      if (::lstat(name.c_str(), &st) != 0) return r.str(name);
    }
  });
  // rm(path; force = false, recursive = false): a file, or a folder (its contents too with
  // recursive); errors worded as Julia's (libuv's) `IOError: unlink("x"): no such file or
  // directory (ENOENT)`, none for a missing path with force.
  r.add("rm", {t.AbstractString}, {"path"}, t.Nothing, [&r](std::span<const Value> a) {
    bool force = false, recursive = false;
    if (has_kwargs(a.data(), a.size())) {
      const auto& kw = a.back().as_struct().fields;
      for (size_t i = 0; i + 1 < kw.size(); i += 2) (kw[i].as_string() == "force" ? force : recursive) = kw[i + 1].as_bool();
    }
    const std::string& path = a[0].as_string();
    auto io_error = [&path](const char* op, int err) {
      static const std::pair<int, const char*> names[] = {{ENOENT, "ENOENT"}, {ENOTEMPTY, "ENOTEMPTY"}, {EACCES, "EACCES"},
                                                          {EPERM, "EPERM"}, {EBUSY, "EBUSY"}, {EROFS, "EROFS"}};
      std::string what = std::strerror(err), code = "E?";
      for (auto& [e, n] : names)
        if (e == err) code = n;
      if (!what.empty()) what[0] = char(std::tolower(static_cast<unsigned char>(what[0])));
      throw Error("IOError", std::string(op) + "(\"" + path + "\"): " + what + " (" + code + ")");
    };
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (force && errno == ENOENT) return r.nothing();
      io_error("unlink", errno);
    }
    if (S_ISDIR(st.st_mode)) {
      std::error_code ec;
      if (recursive) {
        std::filesystem::remove_all(path, ec);
        if (ec) io_error("rm", ec.value());
      } else if (::rmdir(path.c_str()) != 0) {
        io_error("rmdir", errno);
      }
    } else if (::unlink(path.c_str()) != 0) {
      io_error("unlink", errno);
    }
    return r.nothing();
  }, {"force", "recursive"});
  // __rss_mb(): the process's resident memory in MiB now (benchmarks check that repeated
  // work does not grow it); NaN where /proc/self/statm cannot be read.
  r.add("__rss_mb", {}, {}, t.Float64, [&t](std::span<const Value>) {
    long pages = -1, resident = -1;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
      std::fclose(f);
    }
    double mb = resident < 0 ? std::nan("") : double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
    return Value::from_f64(t.Float64, mb);
  });

  // __isatty(fd): whether file descriptor fd (1: stdout, 2: stderr) is a terminal; progress
  // bars redraw one line in place on a terminal and print whole lines otherwise.
  r.add("__isatty", {t.Int64}, {"fd"}, t.Bool,
        [&r](std::span<const Value> a) { return r.boolean(::isatty(static_cast<int>(a[0].as_int())) == 1); });

  // ENV: one field-less object; every method reads or writes the process's environment, so a
  // change is seen by the C++ side (and by programs the script starts) as in Julia.
  const DataType* env = declare_struct(t, "EnvDict", t.Any, {}, {});
  r.g_.set_global("ENV", Value::from_object(env, new StructObject()), true);
  auto lookup = [](const Value& key) -> const char* { return std::getenv(key.as_string().c_str()); };
  r.add("getindex", {env, t.AbstractString}, {"env", "key"}, t.String, [&r, lookup](std::span<const Value> a) {
    const char* v = lookup(a[1]);
    if (!v) throw Error("KeyError", "key \"" + a[1].as_string() + "\" not found");
    return r.str(v);
  });
  r.add("get", {env, t.AbstractString, t.Any}, {"env", "key", "default"}, nullptr,
        [&r, lookup](std::span<const Value> a) {
          const char* v = lookup(a[1]);
          return v ? r.str(v) : a[2];
        });
  r.add("haskey", {env, t.AbstractString}, {"env", "key"}, t.Bool,
        [&r, lookup](std::span<const Value> a) { return r.boolean(lookup(a[1]) != nullptr); });
  r.add("setindex!", {env, t.AbstractString, t.AbstractString}, {"env", "value", "key"}, nullptr,
        [](std::span<const Value> a) {
          setenv(a[2].as_string().c_str(), a[1].as_string().c_str(), 1);
          return a[1];
        });
  r.add("delete!", {env, t.AbstractString}, {"env", "key"}, nullptr, [](std::span<const Value> a) {
    unsetenv(a[1].as_string().c_str());
    return a[0];
  });
}

}  // namespace tsr::jit
