// Value: a Tessera value with its concrete type, as the dynamic parts of the runtime see it.
//
// 16 bytes: the concrete DataType and an 8-byte payload. Numbers, Bool and Nothing are held
// inline; strings, structs and tuples are reference-counted heap objects; functions and types
// are pointers to objects the runtime owns for its whole life.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/types.hpp"

namespace tsr {

class GenericFunction;

// Base of every heap object. The count is atomic: values may cross threads (kernels).
struct Object {
  std::atomic<uint32_t> refs{1};
  virtual ~Object() = default;
  void retain() { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

class Value;

struct StringObject : Object {
  std::string text;
  explicit StringObject(std::string t) : text(std::move(t)) {}
};

// Fields of a struct instance, or the elements of a tuple.
struct StructObject : Object {
  std::vector<Value> fields;
  // Defined below, once Value is complete: clang (unlike g++) instantiates the vector's
  // destructor at the implicit virtual destructor and rejects the incomplete element type.
  ~StructObject() override;
};

class Value {
 public:
  Value() = default;  // an undefined value (no type): never seen by Tessera code
  Value(const Value& o) : type_(o.type_), bits_(o.bits_) { retain(); }
  Value(Value&& o) noexcept : type_(o.type_), bits_(o.bits_) { o.type_ = nullptr; }
  Value& operator=(const Value& o) {
    if (this != &o) {
      Value tmp(o);
      swap(tmp);
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    Value tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  ~Value() { release(); }
  void swap(Value& o) noexcept {
    std::swap(type_, o.type_);
    std::swap(bits_, o.bits_);
  }

  // ---- construction (the type must have the matching payload) ----
  static Value singleton(const DataType* t) { return Value(t, 0); }
  static Value from_int(const DataType* t, int64_t v) { return Value(t, static_cast<uint64_t>(v)); }
  static Value from_f64(const DataType* t, double v) {
    Value r(t, 0);
    r.f64_ = v;
    return r;
  }
  static Value from_f32(const DataType* t, float v) {
    Value r(t, 0);
    r.f32_ = v;
    return r;
  }
  static Value from_bool(const DataType* t, bool v) { return Value(t, v ? 1 : 0); }
  static Value from_half_bits(const DataType* t, uint16_t v) { return Value(t, v); }
  // Takes over one reference of obj.
  static Value from_object(const DataType* t, Object* obj) {
    Value r(t, 0);
    r.obj_ = obj;
    return r;
  }
  static Value from_function(const DataType* t, GenericFunction* f) {
    Value r(t, 0);
    r.fn_ = f;
    return r;
  }
  // t is DataType, Union or UnionAll (the type of the type value), ty the type itself.
  static Value from_type(const DataType* t, const Type* ty) {
    Value r(t, 0);
    r.ty_ = ty;
    return r;
  }

  // ---- access ----
  const DataType* type() const { return type_; }
  bool defined() const { return type_ != nullptr; }
  Payload payload() const { return type_ ? type_->name->payload : Payload::None; }
  int64_t as_int() const { return static_cast<int64_t>(bits_); }
  double as_f64() const { return f64_; }
  float as_f32() const { return f32_; }
  bool as_bool() const { return bits_ != 0; }
  uint16_t as_half_bits() const { return static_cast<uint16_t>(bits_); }
  Object* as_object() const { return obj_; }
  GenericFunction* as_function() const { return fn_; }
  const Type* as_type() const { return ty_; }
  const std::string& as_string() const { return static_cast<StringObject*>(obj_)->text; }
  StructObject& as_struct() const { return *static_cast<StructObject*>(obj_); }

 private:
  Value(const DataType* t, uint64_t bits) : type_(t), bits_(bits) {}
  bool holds_object() const { return type_ && type_->name->payload == Payload::Object && obj_; }
  void retain() {
    if (holds_object()) obj_->retain();
  }
  void release() {
    if (holds_object()) obj_->release();
    type_ = nullptr;
  }

  const DataType* type_ = nullptr;
  union {
    uint64_t bits_ = 0;
    double f64_;
    float f32_;
    Object* obj_;
    GenericFunction* fn_;
    const Type* ty_;
  };
};

inline StructObject::~StructObject() = default;

}  // namespace tsr
