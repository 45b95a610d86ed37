// `using NAME` loads the standard-library module stdlib/NAME.tsr on first use (once, whatever
// module asks), and its names live apart from a script's: a script may define the same names.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dsl/driver/driver.hpp"

namespace fs = std::filesystem;
using tsr::Value;

namespace {

// A stdlib folder: the real stdlib files plus `files` (name, text).
fs::path make_stdlib(const std::vector<std::pair<std::string, std::string>>& files) {
  fs::path dir = fs::temp_directory_path() / ("tsr_stdlib_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& f : fs::directory_iterator(TSR_SOURCE_STDLIB))
    if (f.path().extension() == ".tsr")
      fs::copy_file(f.path(), dir / f.path().filename(), fs::copy_options::overwrite_existing);
  for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
  ::setenv("TSR_STDLIB", dir.c_str(), 1);
  return dir;
}

}  // namespace

TEST_CASE("using NAME loads stdlib/NAME.tsr once and keeps its names apart", "[driver][modules]") {
  fs::path dir = make_stdlib({{"Greet.tsr", R"(
module Greet
export hello, Greeter
struct Greeter
    name::String
end
hello(g::Greeter) = "hello, " * g.name
hello() = hello(Greeter("world"))
secret() = 42
end
)"}});
  tsr::Driver d;
  REQUIRE(d.load_base() == 0);
  Value last;
  REQUIRE(d.run_source("main.tsr", R"(
    module Other
    using Greet
    f() = hello()
    end
    secret() = 1             # the script's own: no clash with Greet's unexported secret
    using Greet
    (hello(), Other.f(), secret(), Greet.secret(), string(Greeter("x")), string(typeof(Greet.Greeter("y"))))
  )", &last) == 0);
  const auto& f = last.as_struct().fields;
  CHECK(f[0].as_string() == "hello, world");
  CHECK(f[1].as_string() == "hello, world");
  CHECK(f[2].as_int() == 1);
  CHECK(f[3].as_int() == 42);
  CHECK(f[4].as_string() == "Greeter(\"x\")");
  CHECK(f[5].as_string() == "Greeter");
  fs::remove_all(dir);
  ::unsetenv("TSR_STDLIB");
}

TEST_CASE("a stdlib file that does not define its module is an error at the using", "[driver][modules]") {
  fs::path dir = make_stdlib({{"Wrong.tsr", "module Right\nend\n"}});
  tsr::Driver d;
  REQUIRE(d.load_base() == 0);
  CHECK(d.run_source("main.tsr", "using Wrong\n") == 1);
  fs::remove_all(dir);
  ::unsetenv("TSR_STDLIB");
}
