// The type of __broadcast(f, leaves...) when inference can tell it: what Compiler::broadcast
// (broadcast.cpp) will make, decided the same way from the leaves' types. Only the plain case
// is typed (tensors of compiled element types and numbers, at least one tensor, no vectors or
// tuples, a fused function whose result is such an element type); else Any, and the call's
// value is typed when it runs. Likewise __broadcast_fields(f, leaves...) (broadcast_fields.cpp):
// the tuple of a tensor per field of the struct f returns (Nothing for a Nothing field).
#include "jit/compiler.hpp"
#include "jit/infer.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"

namespace tsr::jit {

namespace {

// The fused function's specialization for the leaves' element types, the result's semantic
// kind and rank; nullptr when the call is not the plain case.
Spec* plain_broadcast(Compiler& c, const std::vector<const Type*>& args, bool* provisional, const TypeName*& kind,
                      int64_t& rank) {
  TypeRegistry& t = c.types();
  if (args.size() < 2) return nullptr;
  auto ft = as_datatype(args[0]);
  if (!ft || !ft->name->instance) return nullptr;
  kind = nullptr;
  rank = -1;
  std::vector<const Type*> elems;
  for (size_t i = 1; i < args.size(); ++i) {
    auto dt = as_datatype(args[i]);
    if (!dt || !dt->is_concrete) return nullptr;
    if (dt->name->is_tensor || dt->name->is_semantic) {
      if (dt->params.size() != 2) return nullptr;
      auto r = as_const(dt->params[1]);
      auto d = dtype_of(dt->params[0]);
      if (!r || !d || *d == DType::Float16 || *d == DType::BFloat16) return nullptr;
      rank = std::max<int64_t>(rank, r->value);
      if (dt->name != t.TensorName) {
        try {
          kind = kind ? t.semantic_join(kind, dt->name) : dt->name;
        } catch (const Error&) {
          return nullptr;  // the run-time join says what is wrong
        }
      }
      elems.push_back(dt->params[0]);
    } else if (is_number_type(dt) || dt->name->instance) {
      elems.push_back(dt);
    } else {
      return nullptr;
    }
  }
  if (rank < 0) return nullptr;
  const Method* m = nullptr;
  try {
    m = ft->name->instance->which(elems);
  } catch (const Error&) {
    return nullptr;
  }
  if (!c.tessera_def(m)) return nullptr;
  Spec* s = c.specialize(m, elems);
  if (s->state == Spec::State::Inferring || s->state == Spec::State::Provisional) *provisional = true;
  return s;
}

// A tensor element type compiled code computes with (not Float16 or BFloat16).
bool compiled_element(std::optional<DType> d) { return d && *d != DType::Float16 && *d != DType::BFloat16; }

}  // namespace

const Type* broadcast_result_type(Compiler& c, const std::vector<const Type*>& args, bool* provisional) {
  TypeRegistry& t = c.types();
  const TypeName* kind = nullptr;
  int64_t rank = -1;
  Spec* s = plain_broadcast(c, args, provisional, kind, rank);
  if (!s) return t.Any;
  auto out = s->ret ? dtype_of(s->ret) : std::nullopt;
  if (!compiled_element(out)) return t.Any;
  return tensor_type(t, kind ? kind : t.TensorName, *out, static_cast<int>(rank));
}

const Type* broadcast_fields_result_type(Compiler& c, const std::vector<const Type*>& args, bool* provisional) {
  TypeRegistry& t = c.types();
  const TypeName* kind = nullptr;
  int64_t rank = -1;
  Spec* s = plain_broadcast(c, args, provisional, kind, rank);
  if (!s || !s->ret || !is_inline_struct(s->ret)) return t.Any;
  std::vector<const Type*> fields;
  for (const Type* ft : as_datatype(s->ret)->field_types) {
    if (ft == t.Nothing) {
      fields.push_back(ft);
      continue;
    }
    auto d = dtype_of(ft);
    if (!compiled_element(d)) return t.Any;
    fields.push_back(tensor_type(t, kind ? kind : t.TensorName, *d, static_cast<int>(rank)));
  }
  return t.tuple(fields);
}

}  // namespace tsr::jit
