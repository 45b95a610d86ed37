// Compiled code run in chunks over the kernel threads, each chunk under the stack guard, the
// first error of any chunk rethrown on the calling thread.
#include "jit/abi.hpp"
#include "runtime/thread_pool.hpp"

namespace tsr::jit {

void run_chunks_parallel(int64_t total, int64_t chunk, const std::function<void(int64_t, int64_t)>& run,
                         const std::string* frame) {
  if (total <= 0) return;
  struct Chunk {
    const std::function<void(int64_t, int64_t)>* run;
    int64_t lo, hi;
  };
  GuardSite site{frame};
  // Rounded up, and the last chunk's end capped, without overflow near typemax(Int).
  parallel_for(total / chunk + (total % chunk != 0), [&](int64_t k) {
    if (tsr_pending) return;
    Chunk c{&run, k * chunk, 0};
    if (__builtin_mul_overflow(k + 1, chunk, &c.hi) || c.hi > total) c.hi = total;
    run_guarded([](void* p) {
      auto* c = static_cast<Chunk*>(p);
      (*c->run)(c->lo, c->hi);
    }, &c, site);
  });
  if (tsr_pending) rethrow_pending();
}

}  // namespace tsr::jit
