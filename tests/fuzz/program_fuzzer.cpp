// libFuzzer target for whole programs: any text goes through parsing, lowering, inference,
// code generation and running without crashing the process (errors are fine: they are
// reported and the next input runs). One Driver serves every input, so the standard library
// is loaded once; definitions accumulate as in a REPL session.
//
// Structure-aware: besides libFuzzer's byte mutations, the custom mutator works on lines,
// taking whole lines from the conformance scripts (tests/lang, tests/error), so most inputs
// are programs made of real statements rather than random bytes.
//   tests/fuzz/run_programs.sh [seconds]   builds it with clang and runs it (default 60 s)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/driver/driver.hpp"
#include "jit/abi.hpp"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

std::vector<std::string> g_lines;  // every line of the conformance scripts

void load_lines() {
  const char* dir = std::getenv("TSR_FUZZ_CORPUS");
  if (!dir) return;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) g_lines.push_back(line);
  }
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

tsr::Driver& driver() {
  static tsr::Driver* d = [] {
    // The programs' output is not checked: only that they do not crash.
    if (!std::freopen("/dev/null", "w", stdout)) std::abort();
    return new tsr::Driver();
  }();
  return *d;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  load_lines();
  // exit(n) in an input must end that input, not the fuzzer: it becomes an error here (a
  // method with the built-in's signature replaces it).
  driver().run_source("fuzz_setup.tsr",
                      "exit() = error(\"exit() ends only this input\")\n"
                      "exit(code::Integer) = error(\"exit($code) ends only this input\")\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  driver().run_source("fuzz.tsr", std::string(reinterpret_cast<const char*>(data), size));
  tsr_pending = 0;  // an uncaught error ends that input only
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> lines = split(std::string(reinterpret_cast<const char*>(data), size));
  switch (g_lines.empty() ? 0 : rng() % 5) {
    case 0: return LLVMFuzzerMutate(data, size, max_size);  // bytes
    case 1:  // insert a statement from the corpus
      lines.insert(lines.begin() + (lines.empty() ? 0 : rng() % (lines.size() + 1)), g_lines[rng() % g_lines.size()]);
      break;
    case 2:  // replace one
      if (lines.empty()) lines.push_back(g_lines[rng() % g_lines.size()]);
      else lines[rng() % lines.size()] = g_lines[rng() % g_lines.size()];
      break;
    case 3:  // delete one
      if (!lines.empty()) lines.erase(lines.begin() + rng() % lines.size());
      break;
    default:  // duplicate one (deeper nesting, repeated definitions)
      if (!lines.empty()) {
        size_t i = rng() % lines.size();
        lines.insert(lines.begin() + i, lines[i]);
      }
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::copy(out.begin(), out.end(), data);
  return out.size();
}
