#include "runtime/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace tsr {

namespace {

thread_local bool t_in_parallel = false;

// One step of a spin wait: a pause instruction (lets the other hyperthread run, saves power).
void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

std::recursive_mutex& serial_mutex() {
  static std::recursive_mutex mu;
  return mu;
}

// A launch wakes the workers and waits for them; a training step makes dozens of launches a
// few microseconds apart, and on these virtual machines each futex wake and sleep costs tens
// of microseconds (a third of an MLP epoch's time went to them). So a worker that finishes
// spins for a while on the launch counter before it sleeps, and the launching thread spins on
// the count of active workers before it sleeps; wakes and notifies happen only for a thread
// that is asleep. While a worker waits for the next launch it runs pieces of background work
// (BackgroundWork), one at a time so that a launch waits at most one piece for it.
class Pool {
 public:
  explicit Pool(int workers) : blocks_(static_cast<size_t>(workers) + 1) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, i] { work(i + 1); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true);
      wake_.notify_all();
    }
    for (auto& t : threads_) t.join();
  }

  void run(int64_t tasks, const std::function<void(int64_t)>& task) {
    std::unique_lock<std::mutex> lock(run_mu_);  // one parallel_for at a time
    task_ = &task;
    // Thread b starts on block b of the tasks, in order (the caller on the first): consecutive
    // launches over the same data then find much of it in the cache of the core that last
    // touched it. (Handed out one by one from a shared counter, an Adam step left a 784 x 256
    // weight spread over both cores' caches, and the next forward's packing of it took 55-65 us
    // where it takes 27-30 with the weight in place.)
    int64_t parts = static_cast<int64_t>(blocks_.size());
    for (int64_t b = 0; b < parts; ++b) blocks_[b].store(span_of(tasks * b / parts, tasks * (b + 1) / parts), std::memory_order_relaxed);
    active_.store(static_cast<int>(threads_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);  // publishes task_ and the blocks
    {
      std::lock_guard<std::mutex> l(mu_);
      if (sleepers_ > 0) wake_.notify_all();
    }
    drain(0);
    for (int k = 0; k < kSpins && active_.load(std::memory_order_acquire) != 0; ++k) pause();
    if (active_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> l(mu_);
      launcher_waiting_ = true;
      done_.wait(l, [&] { return active_.load(std::memory_order_acquire) == 0; });
      launcher_waiting_ = false;
    }
    task_ = nullptr;
  }

  void add_background(std::shared_ptr<BackgroundWork> work) {
    {
      std::lock_guard<std::mutex> l(background_mu_);
      background_.push_back(std::move(work));
      background_pending_.store(true, std::memory_order_release);
    }
    std::lock_guard<std::mutex> l(mu_);
    if (sleepers_ > 0) wake_.notify_one();
  }

 private:
  static constexpr int kSpins = 20000;  // about 50 microseconds of pause instructions

  // A block of tasks [lo, hi) in one word, so that its owner taking from the front and another
  // thread taking from the back agree through one compare-and-swap.
  static uint64_t span_of(int64_t lo, int64_t hi) { return static_cast<uint64_t>(hi) << 32 | static_cast<uint64_t>(lo); }

  // The next task of block b, from its front (its owner) or its back (a thread whose own
  // block is done); -1 when the block is empty.
  int64_t take(size_t b, bool front) {
    uint64_t v = blocks_[b].load(std::memory_order_acquire);
    for (;;) {
      int64_t lo = static_cast<int64_t>(v & 0xffffffffu), hi = static_cast<int64_t>(v >> 32);
      if (lo >= hi) return -1;
      uint64_t next = front ? span_of(lo + 1, hi) : span_of(lo, hi - 1);
      if (blocks_[b].compare_exchange_weak(v, next, std::memory_order_acq_rel, std::memory_order_acquire))
        return front ? lo : hi - 1;
    }
  }

  // Thread `self` runs its own block from the front, then what is left of the others from
  // their backs (so that a late or slow thread does not hold up the launch).
  void drain(size_t self) {
    t_in_parallel = true;
    for (int64_t i = take(self, true); i >= 0; i = take(self, true)) (*task_)(i);
    for (size_t k = 1; k < blocks_.size(); ++k) {
      size_t b = (self + k) % blocks_.size();
      for (int64_t i = take(b, false); i >= 0; i = take(b, false)) (*task_)(i);
    }
    t_in_parallel = false;
  }

  // Runs one piece of the oldest background work that has pieces left; false when there is none.
  bool background_piece() {
    if (!background_pending_.load(std::memory_order_acquire)) return false;
    for (;;) {
      std::shared_ptr<BackgroundWork> work;
      {
        std::lock_guard<std::mutex> l(background_mu_);
        if (background_.empty()) {
          background_pending_.store(false, std::memory_order_release);
          return false;
        }
        work = background_.front();
      }
      if (work->run_one()) return true;
      std::lock_guard<std::mutex> l(background_mu_);  // all its pieces are claimed: drop it
      if (!background_.empty() && background_.front() == work) background_.pop_front();
    }
  }

  void work(size_t self) {
    uint64_t seen = 0;
    for (;;) {
      int spins = 0;
      while (generation_.load(std::memory_order_acquire) == seen && !stop_.load()) {
        if (background_piece()) {
          spins = 0;
        } else if (++spins < kSpins) {
          pause();
        } else {
          std::unique_lock<std::mutex> l(mu_);
          ++sleepers_;
          wake_.wait(l, [&] {
            return stop_.load() || generation_.load(std::memory_order_acquire) != seen ||
                   background_pending_.load(std::memory_order_acquire);
          });
          --sleepers_;
          spins = 0;
        }
      }
      if (stop_.load()) return;
      seen = generation_.load(std::memory_order_acquire);
      drain(self);
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> l(mu_);
        if (launcher_waiting_) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_, run_mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* task_ = nullptr;
  std::vector<std::atomic<uint64_t>> blocks_;  // per thread (the caller's first): its tasks left
  std::atomic<int> active_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  int sleepers_ = 0;               // workers asleep on wake_ (under mu_)
  std::mutex background_mu_;
  std::deque<std::shared_ptr<BackgroundWork>> background_;  // oldest first (under background_mu_)
  std::atomic<bool> background_pending_{false};             // background_ may be non-empty
  bool launcher_waiting_ = false;  // run() asleep on done_ (under mu_)
};

Pool& pool() {
  static Pool p(num_threads() - 1);
  return p;
}

}  // namespace

int num_threads() {
  static int n = [] {
    if (const char* e = std::getenv("TSR_NUM_THREADS"); e && std::atoi(e) > 0) return std::atoi(e);
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }();
  return n;
}

void parallel_for(int64_t tasks, const std::function<void(int64_t)>& task) {
  if (tasks <= 0) return;
  // More tasks than a block's 32-bit bounds hold run in chunks of that many (never, in practice).
  constexpr int64_t kMaxTasks = int64_t(1) << 31;
  if (tasks > kMaxTasks) {
    for (int64_t base = 0; base < tasks; base += kMaxTasks)
      parallel_for(std::min(kMaxTasks, tasks - base), [&](int64_t i) { task(base + i); });
    return;
  }
  if (tasks == 1 || num_threads() == 1 || t_in_parallel) {
    for (int64_t i = 0; i < tasks; ++i) task(i);
    return;
  }
  pool().run(tasks, task);
}

bool in_parallel() { return t_in_parallel; }

BackgroundWork::BackgroundWork(int64_t pieces, std::function<void(int64_t)> piece)
    : pieces_(pieces < 0 ? 0 : pieces), piece_(std::move(piece)) {}

bool BackgroundWork::run_one() {
  int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
  if (i >= pieces_) return false;
  piece_(i);
  done_.fetch_add(1, std::memory_order_release);
  return true;
}

void BackgroundWork::finish() {
  while (run_one()) {
  }
  while (!done()) pause();
}

std::shared_ptr<BackgroundWork> run_when_idle(int64_t pieces, std::function<void(int64_t)> piece) {
  auto work = std::make_shared<BackgroundWork>(pieces, std::move(piece));
  if (pieces > 0 && num_threads() > 1) pool().add_background(work);
  return work;
}

SerialSection::SerialSection() : held_(t_in_parallel) {
  if (held_) serial_mutex().lock();
}

SerialSection::~SerialSection() {
  if (held_) serial_mutex().unlock();
}

}  // namespace tsr
