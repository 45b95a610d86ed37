// The on-disk compile cache's files: what is written reads back; a damaged file is refused
// and removed, never trusted.
#include <catch2/catch.hpp>

#include <filesystem>
#include <cstdio>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "jit/compile_cache.hpp"

namespace fs = std::filesystem;

namespace {
// Entries are named by their 32-hex-digit key.
std::string entry(const fs::path& d, int i) {
  char key[40];
  std::snprintf(key, sizeof key, "%032x.o", i);
  return (d / key).string();
}

fs::path fresh_dir(const char* name) {
  fs::path d = fs::temp_directory_path() / ("tsr-cache-test-" + std::string(name));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("a cache file reads back what was written", "[jit][cache]") {
  fs::path d = fresh_dir("roundtrip");
  std::string object = std::string("\x7f" "ELF", 4) + std::string(1000, '\0') + "code";
  tsr::jit::write_cache_file(entry(d, 0), object);
  auto back = tsr::jit::read_cache_file(entry(d, 0));
  REQUIRE(back.has_value());
  CHECK(*back == object);
  CHECK_FALSE(tsr::jit::read_cache_file(entry(d, 99)).has_value());
}

TEST_CASE("a damaged cache file is refused and removed", "[jit][cache]") {
  fs::path d = fresh_dir("damaged");
  std::string object(4096, 'x');
  std::string path = entry(d, 0);
  SECTION("a flipped byte") {
    tsr::jit::write_cache_file(path, object);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('y');
  }
  SECTION("truncated") {
    tsr::jit::write_cache_file(path, object);
    fs::resize_file(path, 2000);
  }
  SECTION("not a cache file at all") {
    std::ofstream(path) << "hello";
  }
  CHECK_FALSE(tsr::jit::read_cache_file(path).has_value());
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("cache keys are stable and differ with the text", "[jit][cache]") {
  using tsr::jit::cache_key;
  CHECK(cache_key("fib(Int64)") == cache_key("fib(Int64)"));
  CHECK(cache_key("fib(Int64)") != cache_key("fib(Int32)"));
  CHECK(cache_key("").size() == 32);
}

TEST_CASE("pruning keeps the cache under its limit, dropping the least recently used", "[jit][cache]") {
  fs::path d = fresh_dir("prune");
  std::string object(10000, 'x');
  for (int i = 0; i < 10; ++i) {
    tsr::jit::write_cache_file(entry(d, i), object);
    fs::last_write_time(entry(d, i), fs::file_time_type::clock::now() - std::chrono::hours(10 - i));
  }
  // Reading file 0 (the oldest) marks it as used: it survives.
  REQUIRE(tsr::jit::read_cache_file(entry(d, 0)).has_value());
  CHECK(tsr::jit::prune_cache(d.string(), 1000000) == 0);  // under the limit: nothing goes
  size_t removed = tsr::jit::prune_cache(d.string(), 50000);  // 10 files of ~10 KB: keep <= 37.5 KB
  CHECK(removed == 7);
  CHECK(fs::exists(entry(d, 0)));
  CHECK(fs::exists(entry(d, 9)));
  CHECK(fs::exists(entry(d, 8)));
  CHECK_FALSE(fs::exists(entry(d, 1)));
  fs::remove_all(d);
}

TEST_CASE("an entry filed under another key is refused and removed", "[jit][cache]") {
  fs::path d = fresh_dir("moved");
  tsr::jit::write_cache_file(entry(d, 1), std::string(100, 'x'));
  fs::rename(entry(d, 1), entry(d, 2));
  CHECK_FALSE(tsr::jit::read_cache_file(entry(d, 2)).has_value());
  CHECK_FALSE(fs::exists(entry(d, 2)));
}

TEST_CASE("links and FIFOs are never read as entries", "[jit][cache]") {
  fs::path d = fresh_dir("links");
  tsr::jit::write_cache_file(entry(d, 1), std::string(100, 'x'));
  fs::create_symlink(entry(d, 1), entry(d, 2));
  CHECK_FALSE(tsr::jit::read_cache_file(entry(d, 2)).has_value());
  REQUIRE(::mkfifo(entry(d, 3).c_str(), 0600) == 0);
  CHECK_FALSE(tsr::jit::read_cache_file(entry(d, 3)).has_value());  // returns: never blocks
  CHECK(tsr::jit::read_cache_file(entry(d, 1)).has_value());         // the link's target is untouched
}

TEST_CASE("pruning removes temporary files of writers that are gone", "[jit][cache]") {
  fs::path d = fresh_dir("stale-tmp");
  std::string gone = entry(d, 1) + ".tmp999999999";  // above any pid_max: no such process
  std::string live = entry(d, 2) + ".tmp" + std::to_string(::getpid());
  std::ofstream(gone) << "half an object";
  std::ofstream(live) << "being written";
  CHECK(tsr::jit::prune_cache(d.string(), 1 << 20) == 1);
  CHECK_FALSE(fs::exists(gone));
  CHECK(fs::exists(live));
}

TEST_CASE("the cache folder is created 0700 and refused when others may write it", "[jit][cache]") {
  fs::path d = fresh_dir("folder");
  ::setenv("TSR_CACHE_DIR", (d / "v1").c_str(), 1);
  std::string problem;
  auto dir = tsr::jit::usable_cache_dir(&problem);
  REQUIRE(dir.has_value());
  CHECK((fs::status(*dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  fs::permissions(*dir, fs::perms::group_write, fs::perm_options::add);
  CHECK_FALSE(tsr::jit::usable_cache_dir(&problem).has_value());
  CHECK(problem == "the compile cache folder " + (d / "v1").string() + " is writable by other users");
  ::unsetenv("TSR_CACHE_DIR");
}
