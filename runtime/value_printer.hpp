// Values as text, as Julia's `show` writes them: 2.0, 2.5f0, "text", Square(2.0), (1, 2.0).
#pragma once

#include <string>

#include "runtime/value.hpp"

namespace tsr {

// `show`: strings quoted. `print` (quoted = false): strings as they are.
std::string show_value(const Value& v, bool quoted = true);

}  // namespace tsr
