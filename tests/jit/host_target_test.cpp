// The host target that keys compiled code: read from LLVM, stable within a process.
#include <catch2/catch.hpp>

#include "jit/host_target.hpp"

TEST_CASE("the host target names LLVM 19, the triple, the CPU and its features", "[jit]") {
  const auto& t = tsr::jit::host_target();
  CHECK(t.llvm_version.rfind("19.", 0) == 0);
  CHECK(t.triple.find("linux") != std::string::npos);
  CHECK_FALSE(t.cpu.empty());
#if defined(__x86_64__)
  CHECK(t.triple.rfind("x86_64", 0) == 0);
  CHECK(t.features.find("+sse2") != std::string::npos);
#endif
  CHECK(&tsr::jit::host_target() == &t);
}
