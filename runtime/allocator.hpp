// The caching allocator behind tensor storage.
//
// Freed blocks are kept in per-size-class free lists and handed out again, so a training
// loop that allocates the same shapes every step stops paying for fresh pages (page faults
// cost ~3 GB/s on these machines, against ~20 GB/s for reused or huge pages:
// shared/TOOLCHAIN.md). Blocks are 64-byte aligned; blocks of 2 MiB and more ask the kernel
// for transparent huge pages. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tsr {

struct AllocatorStats {
  uint64_t allocations = 0;   // requests served
  uint64_t cache_hits = 0;    // of which from a free list
  uint64_t bytes_cached = 0;  // held in free lists now
  uint64_t bytes_in_use = 0;  // handed out and not yet freed
};

// The machine's physical memory in bytes: a request for more is refused up front (an
// OutOfMemoryError) instead of growing towards it one copy at a time.
uint64_t physical_memory_bytes();

class CachingAllocator {
 public:
  static CachingAllocator& instance();
  // At least `bytes` bytes, 64-byte aligned; never null (throws std::bad_alloc).
  void* allocate(size_t bytes);
  // `bytes` must be what was asked of allocate for this block.
  void release(void* p, size_t bytes);
  // Returns every cached block to the system.
  void trim();
  AllocatorStats stats() const;

 private:
  CachingAllocator() = default;
  ~CachingAllocator();
  struct Impl;
  Impl* impl();
  mutable Impl* impl_ = nullptr;
};

}  // namespace tsr
