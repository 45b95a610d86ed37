#include "runtime/dispatch_cache.hpp"

namespace tsr {

void DispatchCache::insert(const Type* const* keys, size_t n, const Method* m) {
  if ((count_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
  size_t mask = slots_.size() - 1;
  for (size_t i = hash(keys, n) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.method) {
      for (size_t k = 0; k < n; ++k) s.keys[k] = keys[k];
      s.n = n;
      s.method = m;
      ++count_;
      return;
    }
    if (s.n == n && same(s.keys, keys, n)) {
      s.method = m;
      return;
    }
  }
}

void DispatchCache::rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  count_ = 0;
  for (const Slot& s : old)
    if (s.method) insert(s.keys, s.n, s.method);
}

void DispatchCache::erase_if(const std::function<bool(const Type* const*, size_t, const Method*)>& drop) {
  // Rebuilding keeps linear probing correct without tombstones; method additions are rare.
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size(), Slot{});
  count_ = 0;
  for (const Slot& s : old)
    if (s.method && !drop(s.keys, s.n, s.method)) insert(s.keys, s.n, s.method);
  for (auto it = long_.begin(); it != long_.end();) {
    if (drop(it->first.data(), it->first.size(), it->second)) it = long_.erase(it);
    else ++it;
  }
}

}  // namespace tsr
