#include "runtime/number_types.hpp"

#include "runtime/type_registry.hpp"

namespace tsr {

namespace {
// The registry that made t's name, or nullptr for a type that is not a DataType.
const TypeRegistry* registry_of(const Type* t) {
  auto dt = as_datatype(t);
  return dt ? dt->name->registry : nullptr;
}
}  // namespace

bool is_number_type(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt) return false;
  Payload p = dt->name->payload;
  return (p == Payload::Int && !is_char_type(dt)) || p == Payload::Float64 || p == Payload::Float32 || p == Payload::Bool || p == Payload::Half;
}

bool is_unsigned_integer(const Type* t) {
  const TypeRegistry* r = registry_of(t);
  return r && (t == r->UInt8 || t == r->UInt16 || t == r->UInt32 || t == r->UInt64);
}

int integer_bits(const Type* t) {
  const TypeRegistry* r = registry_of(t);
  if (!r) return 64;
  if (t == r->Int8 || t == r->UInt8) return 8;
  if (t == r->Int16 || t == r->UInt16) return 16;
  if (t == r->Int32 || t == r->UInt32) return 32;
  return 64;
}

bool is_char_type(const Type* t) {
  const TypeRegistry* r = registry_of(t);
  return r && t == r->Char;
}

bool is_bfloat16(const Type* t) {
  const TypeRegistry* r = registry_of(t);
  return r && t == r->BFloat16;
}

const DataType* promote_numbers(const TypeRegistry& t, const DataType* a, const DataType* b) {
  if (a == b) return a;
  if (a == t.Bool) return b;
  if (b == t.Bool) return a;
  auto float_rank = [&t](const DataType* x) {
    return x == t.Float64 ? 3 : x == t.Float32 ? 2 : (x == t.Float16 || x == t.BFloat16) ? 1 : 0;
  };
  int fa = float_rank(a), fb = float_rank(b);
  if (fa == 1 && fb == 1) return t.Float32;  // Float16 and BFloat16
  if (fa || fb) return fa >= fb ? a : b;
  int ba = integer_bits(a), bb = integer_bits(b);
  if (ba != bb) return ba > bb ? a : b;
  return is_unsigned_integer(a) ? a : b;
}

}  // namespace tsr
