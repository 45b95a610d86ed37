// Where compiled code finds the elements of a Vector or tuple (a StructObject's `fields`).
#include "runtime/value_layout.hpp"

#include <cstring>

namespace tsr {

StructFieldsLayout struct_fields_layout() {
  static const StructFieldsLayout layout = [] {
    StructObject probe;
    probe.fields.resize(3);
    auto at = [&](const void* p) {
      return static_cast<size_t>(static_cast<const char*>(p) - reinterpret_cast<const char*>(&probe));
    };
    // std::vector's first two words are its begin and end pointers in libstdc++ and libc++;
    // check that rather than assume it (inline access stays off otherwise).
    const Value* words[2];
    std::memcpy(words, &probe.fields, sizeof words);
    StructFieldsLayout l;
    l.begin = at(&probe.fields);
    l.end = l.begin + sizeof(void*);
    l.usable = sizeof(Value) == 16 && words[0] == probe.fields.data() && words[1] == probe.fields.data() + 3;
    return l;
  }();
  return layout;
}

}  // namespace tsr
