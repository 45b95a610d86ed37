// DispatchCache: argument types -> method, keyed by type identity.
//
// Open addressing with linear probing over a power-of-two table, so a warm lookup is one hash,
// usually one probe and a few pointer compares. Calls with more than kMaxKeys arguments are
// kept in an ordinary map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "runtime/types.hpp"

namespace tsr {

struct Method;

class DispatchCache {
 public:
  static constexpr size_t kMaxKeys = 4;

  const Method* find(const Type* const* keys, size_t n) const {
    if (slots_.empty()) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(keys, n) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.method) return nullptr;
      if (s.n == n && same(s.keys, keys, n)) return s.method;
    }
  }
  const Method* find_long(const std::vector<const Type*>& keys) const {
    auto it = long_.find(keys);
    return it == long_.end() ? nullptr : it->second;
  }

  void insert(const Type* const* keys, size_t n, const Method* m);
  void insert_long(std::vector<const Type*> keys, const Method* m) { long_[std::move(keys)] = m; }
  // Drops every entry for which drop(keys, n, method) is true.
  void erase_if(const std::function<bool(const Type* const*, size_t, const Method*)>& drop);
  size_t size() const { return count_ + long_.size(); }

 private:
  struct Slot {
    const Type* keys[kMaxKeys] = {};
    size_t n = 0;
    const Method* method = nullptr;  // null: empty slot
  };
  static size_t hash(const Type* const* keys, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull * (n + 1);
    for (size_t i = 0; i < n; ++i) h = (h ^ reinterpret_cast<uintptr_t>(keys[i])) * 0xff51afd7ed558ccdull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  static bool same(const Type* const* a, const Type* const* b, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  void rehash(size_t capacity);

  std::vector<Slot> slots_;
  size_t count_ = 0;
  std::map<std::vector<const Type*>, const Method*> long_;
};

}  // namespace tsr
