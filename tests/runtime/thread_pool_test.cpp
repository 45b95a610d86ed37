// The kernel thread pool: every task runs once, a parallel_for inside a task runs serially
// on that thread (no deadlock), SerialSection serializes only inside parallel regions, and
// background work runs each piece once.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "runtime/thread_pool.hpp"

using namespace tsr;

TEST_CASE("parallel_for runs each task exactly once", "[thread_pool]") {
  std::vector<std::atomic<int>> hits(10000);
  parallel_for(10000, [&](int64_t i) { hits[i].fetch_add(1); });
  for (auto& h : hits) REQUIRE(h.load() == 1);
  REQUIRE_FALSE(in_parallel());
}

TEST_CASE("a nested parallel_for runs serially inside the task", "[thread_pool]") {
  std::atomic<int64_t> total{0};
  std::atomic<int> outside{0};  // Catch2's assertions are not thread-safe: count, check after
  parallel_for(64, [&](int64_t) {
    if (!in_parallel()) outside.fetch_add(1);
    parallel_for(100, [&](int64_t j) { total.fetch_add(j); });
  });
  REQUIRE(total.load() == 64 * 4950);
  // With one thread parallel_for runs its tasks in a plain loop, not as a parallel region.
  if (num_threads() > 1) REQUIRE(outside.load() == 0);
}

TEST_CASE("SerialSection makes unsynchronized shared state safe in a parallel region", "[thread_pool]") {
  int64_t counter = 0;  // plain, not atomic: only the section protects it
  parallel_for(200000, [&](int64_t) {
    SerialSection serial;
    ++counter;
  });
  REQUIRE(counter == 200000);
  SerialSection outside;  // outside a parallel region it takes no lock, and nests freely
  SerialSection again;
}

TEST_CASE("background work runs each piece once, by idle workers or by finish", "[thread_pool]") {
  std::vector<std::atomic<int>> hits(1000);
  auto work = run_when_idle(1000, [&](int64_t i) { hits[i].fetch_add(1); });
  parallel_for(100, [&](int64_t) {});  // launches go on while the work waits for idle time
  work->finish();
  REQUIRE(work->done());
  for (auto& h : hits) REQUIRE(h.load() == 1);
  REQUIRE_FALSE(work->run_one());  // nothing is left to claim
}

TEST_CASE("idle workers finish background work without being asked", "[thread_pool]") {
  if (num_threads() < 2) {
    WARN("not checked: no worker threads (TSR_NUM_THREADS=1 or one core)");
    return;
  }
  std::atomic<int> ran{0};
  auto work = run_when_idle(8, [&](int64_t) { ran.fetch_add(1); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!work->done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(work->done());
  REQUIRE(ran.load() == 8);
}

TEST_CASE("a thread whose block of tasks is done takes what is left of a slow one's", "[thread_pool]") {
  if (num_threads() < 2) {
    WARN("not checked: no worker threads (TSR_NUM_THREADS=1 or one core)");
    return;
  }
  // The caller's block (the first tasks) is slow when the caller runs it; the workers' blocks
  // are quick, so they go on to take the caller's tasks from the back.
  const auto caller = std::this_thread::get_id();
  constexpr int n = 40;
  std::vector<std::atomic<int>> hits(n);
  std::atomic<int> taken_from_caller{0};
  parallel_for(n, [&](int64_t i) {
    hits[i].fetch_add(1);
    bool first_block = i < n / num_threads();
    if (first_block && std::this_thread::get_id() == caller) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (first_block && std::this_thread::get_id() != caller) taken_from_caller.fetch_add(1);
  });
  for (auto& h : hits) REQUIRE(h.load() == 1);
  REQUIRE(taken_from_caller.load() > 0);
}
