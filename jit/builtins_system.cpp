// What a script asks of the operating system: Julia's `isfile(path)`, `isdir(path)`, and the
// environment as `ENV` (a Base.EnvDict: `ENV["X"]`, `get(ENV, "X", default)`,
// `haskey(ENV, "X")`, `ENV["X"] = "v"`, `delete!(ENV, "X")`), through which the standard
// library reads settings such as TSR_DATA (stdlib/Data.tsr).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>
#include <filesystem>

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
