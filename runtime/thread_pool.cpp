#include "runtime/thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tsr {

namespace {

thread_local bool t_in_parallel = false;

std::recursive_mutex& serial_mutex() {
  static std::recursive_mutex mu;
  return mu;
}

class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void run(int64_t tasks, const std::function<void(int64_t)>& task) {
    std::unique_lock<std::mutex> lock(run_mu_);  // one parallel_for at a time
    {
      std::lock_guard<std::mutex> l(mu_);
      task_ = &task;
      total_ = tasks;
      next_.store(0);
      active_ = static_cast<int>(threads_.size());
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [&] { return active_ == 0; });
    task_ = nullptr;
  }

 private:
  void drain() {
    t_in_parallel = true;
    for (int64_t i = next_.fetch_add(1); i < total_; i = next_.fetch_add(1)) (*task_)(i);
    t_in_parallel = false;
  }
  void work() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(mu_);
        wake_.wait(l, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      drain();
      std::lock_guard<std::mutex> l(mu_);
      if (--active_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_, run_mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* task_ = nullptr;
  std::atomic<int64_t> next_{0};
  int64_t total_ = 0;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
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
  if (tasks == 1 || num_threads() == 1 || t_in_parallel) {
    for (int64_t i = 0; i < tasks; ++i) task(i);
    return;
  }
  pool().run(tasks, task);
}

bool in_parallel() { return t_in_parallel; }

SerialSection::SerialSection() : held_(t_in_parallel) {
  if (held_) serial_mutex().lock();
}

SerialSection::~SerialSection() {
  if (held_) serial_mutex().unlock();
}

}  // namespace tsr
