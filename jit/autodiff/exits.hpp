// Early exits out of a body, for reverse-mode autodiff: the reverse sweep mirrors the forward
// one's structure (branches, loops with their trip counts), which `return`, `break` and
// `continue` in the middle of a block would break. This rewrite replaces them with flags:
//   return e   ->  #retval = e; #done = true       (the rest of each block is guarded by
//   break      ->  #break = true                     `if !(flags) ... end`, a loop's condition
//   continue   ->  #continue = true                  and step test them too)
// so that every statement runs to its end and the body's value is its root's. New nodes
// carry type hints (`type`) for the flags (Bool); the body's meaning is unchanged.
#pragma once

#include "jit/ir.hpp"
#include "runtime/globals.hpp"

namespace tsr::jit {

void remove_early_exits(Body& b, Globals& g);

}  // namespace tsr::jit
