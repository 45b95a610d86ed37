// Values as text, as Julia's `show` writes them: 2.0, 2.5f0, "text", Square(2.0), (1, 2.0).
#pragma once

#include <string>

#include "runtime/value.hpp"

namespace tsr {

// The UTF-8 bytes of a Unicode code point (a Char).
std::string utf8_encode(int64_t code_point);

// `show`: strings quoted. `print` (quoted = false): strings as they are.
std::string show_value(const Value& v, bool quoted = true);
// Julia's text/plain form of a Dict or Set (display): a summary line, then one entry per
// line, dict keys padded to one width. Other values: as show_value.
std::string show_value_plain(const Value& v);

// `show` of an element of a collection whose element type `elem` has already been printed
// (Julia's :typeinfo): Float32[1.5] shows its element as 1.5, not 1.5f0.
std::string show_element(const Value& v, const Type* elem);

// A user-defined `show(io, x)` for x's type (or, when `printing`, a `print(io, x)`), when
// there is one: the hook writes its text to `out` and returns true. Numbers and strings never
// reach it. The runtime cannot call Tessera code itself, so the JIT installs this
// (jit/builtins_io.cpp).
using ShowHook = bool (*)(const Value& v, bool printing, std::string& out);
void set_show_hook(ShowHook hook);

}  // namespace tsr
