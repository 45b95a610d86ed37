// The on-disk compile cache's files: what is written reads back; a damaged file is refused
// and removed, never trusted.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "jit/compile_cache.hpp"

namespace fs = std::filesystem;

namespace {
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
  tsr::jit::write_cache_file((d / "k.o").string(), object);
  auto back = tsr::jit::read_cache_file((d / "k.o").string());
  REQUIRE(back.has_value());
  CHECK(*back == object);
  CHECK_FALSE(tsr::jit::read_cache_file((d / "missing.o").string()).has_value());
}

TEST_CASE("a damaged cache file is refused and removed", "[jit][cache]") {
  fs::path d = fresh_dir("damaged");
  std::string object(4096, 'x');
  std::string path = (d / "k.o").string();
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
    tsr::jit::write_cache_file((d / (std::to_string(i) + ".o")).string(), object);
    fs::last_write_time(d / (std::to_string(i) + ".o"), fs::file_time_type::clock::now() - std::chrono::hours(10 - i));
  }
  // Reading file 0 (the oldest) marks it as used: it survives.
  REQUIRE(tsr::jit::read_cache_file((d / "0.o").string()).has_value());
  CHECK(tsr::jit::prune_cache(d.string(), 1000000) == 0);  // under the limit: nothing goes
  size_t removed = tsr::jit::prune_cache(d.string(), 50000);  // 10 files of ~10 KB: keep <= 37.5 KB
  CHECK(removed == 7);
  CHECK(fs::exists(d / "0.o"));
  CHECK(fs::exists(d / "9.o"));
  CHECK(fs::exists(d / "8.o"));
  CHECK_FALSE(fs::exists(d / "1.o"));
  fs::remove_all(d);
}
