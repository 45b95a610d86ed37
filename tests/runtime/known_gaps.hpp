// Julia cases where Tessera's subtyping still answers differently (see docs/language.md,
// "Known gaps"). They are kept as real assertions but run only with TSR_KNOWN_GAPS=1, so the
// default test run stays green while every gap stays written down and checkable:
//   TSR_KNOWN_GAPS=1 build/tests/runtime/test_runtime_lattice
#pragma once

#include <cstdlib>

inline bool known_gaps_enabled() {
  const char* e = std::getenv("TSR_KNOWN_GAPS");
  return e && e[0] == '1';
}

#define KNOWN_GAP(...)               \
  do {                               \
    if (known_gaps_enabled()) {      \
      __VA_ARGS__;                   \
    }                                \
  } while (0)
