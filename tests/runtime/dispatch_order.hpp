// Helpers for dispatch tests that must give the same answer in every order of definition:
// methods that answer their own number, which method a call picks, and the loop over orders.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dsl/embed/tessera.hpp"

namespace dispatch_order {

// A method that answers its own number, whatever its arguments.
struct Def {
  std::string sig;
  int64_t id;
};

inline void define(tsr::Runtime& rt, std::string_view f, const Def& d) {
  int64_t id = d.id;
  rt.method(f, d.sig, [id](std::span<const tsr::Value>) { return id; });
}

// The number of the method a call with these argument types runs.
inline int64_t which_id(tsr::Runtime& rt, std::string_view f, std::initializer_list<std::string_view> args) {
  return rt.get<int64_t>(rt.which(f, args).call(nullptr, 0));
}

// The message of the MethodError the call raises ("" when it raises none).
inline std::string dispatch_error(tsr::Runtime& rt, std::string_view f, std::initializer_list<std::string_view> args) {
  try {
    rt.which(f, args);
  } catch (const tsr::MethodError& e) {
    return e.what();
  }
  return "";
}

using Setup = std::function<void(tsr::Runtime&)>;

// Runs check on a fresh runtime for every order of defining defs (setup declares the types).
template <class Check>
void in_every_order(std::string_view f, const std::vector<Def>& defs, const Setup& setup, Check check) {
  std::vector<size_t> order(defs.size());
  std::iota(order.begin(), order.end(), 0);
  do {
    tsr::Runtime rt;
    if (setup) setup(rt);
    std::string desc;
    for (size_t i : order) {
      define(rt, f, defs[i]);
      desc += "\n  " + std::string(f) + defs[i].sig;
    }
    INFO("methods defined in the order:" << desc);
    check(rt);
  } while (std::next_permutation(order.begin(), order.end()));
}

}  // namespace dispatch_order
