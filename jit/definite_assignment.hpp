// Definite assignment over a lowered body (see definite_assignment.cpp for the invariant).
#pragma once

#include <vector>

#include "jit/ir.hpp"

namespace tsr::jit {

// For each slot of `body`: whether some read of it may find it without a value (such reads
// must check, and raise UndefVarError).
std::vector<bool> slots_maybe_unassigned(const Body& body);
// Which slots the body assigns anywhere (an argument never assigned is never undefined).
std::vector<bool> slots_assigned(const Body& body);

}  // namespace tsr::jit
