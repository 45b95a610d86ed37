// The type of __broadcast(f, leaves...) when inference can tell it: what Compiler::broadcast
// (broadcast.cpp) will make, decided the same way from the leaves' types. Only the plain case
// is typed (tensors of compiled element types and numbers, at least one tensor, no vectors or
// tuples, a fused function whose result is such an element type); else Any, and the call's
// value is typed when it runs.
#include "jit/compiler.hpp"
#include "jit/infer.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"

namespace tsr::jit {

const Type* broadcast_result_type(Compiler& c, const std::vector<const Type*>& args, bool* provisional) {
  TypeRegistry& t = c.types();
  if (args.size() < 2) return t.Any;
  auto ft = as_datatype(args[0]);
  if (!ft || !ft->name->instance) return t.Any;
  const TypeName* kind = nullptr;
  int64_t rank = -1;
  std::vector<const Type*> elems;
  for (size_t i = 1; i < args.size(); ++i) {
    auto dt = as_datatype(args[i]);
    if (!dt || !dt->is_concrete) return t.Any;
    if (dt->name->is_tensor || dt->name->is_semantic) {
      if (dt->params.size() != 2) return t.Any;
      auto r = as_const(dt->params[1]);
      auto d = dtype_of(dt->params[0]);
      if (!r || !d || *d == DType::Float16 || *d == DType::BFloat16) return t.Any;
      rank = std::max<int64_t>(rank, r->value);
      if (dt->name != t.TensorName) {
        try {
          kind = kind ? t.semantic_join(kind, dt->name) : dt->name;
        } catch (const Error&) {
          return t.Any;  // the run-time join says what is wrong
        }
      }
      elems.push_back(dt->params[0]);
    } else if (is_number_type(dt) || dt->name->instance) {
      elems.push_back(dt);
    } else {
      return t.Any;
    }
  }
  if (rank < 0) return t.Any;
  const Method* m = nullptr;
  try {
    m = ft->name->instance->which(elems);
  } catch (const Error&) {
    return t.Any;
  }
  if (!c.tessera_def(m)) return t.Any;
  Spec* s = c.specialize(m, elems);
  if (s->state == Spec::State::Inferring || s->state == Spec::State::Provisional) *provisional = true;
  auto out = s->ret ? dtype_of(s->ret) : std::nullopt;
  if (!out || *out == DType::Float16 || *out == DType::BFloat16) return t.Any;
  return tensor_type(t, kind ? kind : t.TensorName, *out, static_cast<int>(rank));
}

}  // namespace tsr::jit
