// Where compiled code finds the field Values of a StructObject (a Vector's elements, a tuple's
// items): bytes from the start of the object to the pointers to the first and past the last.
// Elements are 16-byte Values: the type, then the payload (a number's bits).
#pragma once

#include <cstddef>

#include "runtime/value.hpp"

namespace tsr {

struct StructFieldsLayout {
  size_t begin = 0, end = 0;
  bool usable = false;  // false: the standard library lays out std::vector otherwise
};
StructFieldsLayout struct_fields_layout();

}  // namespace tsr
