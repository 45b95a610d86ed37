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
