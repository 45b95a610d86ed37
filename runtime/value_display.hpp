// Values as the REPL displays them: Julia's `show(io, MIME"text/plain"(), x)`. A vector is a
// summary line and one aligned element per line (the middle elided past the screen's height),
// a function names its method count; everything else displays as `show` writes it.
#pragma once

#include <string>

#include "runtime/value.hpp"

namespace tsr {

// `rows`: the height of the screen (Julia's displaysize; 24 when it is not a terminal).
std::string display_value(const Value& v, int rows = 24);

}  // namespace tsr
