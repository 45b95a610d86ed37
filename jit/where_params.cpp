// Binding a method's `where` variables from the concrete argument types of a specialization.
#include "jit/infer.hpp"

#include "runtime/type_registry.hpp"

namespace tsr::jit {

// Binds the `where` variables of a signature pattern from concrete argument types:
// Vec{T} against Vec{Float32} gives T = Float32.
void match_sparams(TypeRegistry& types, const Type* pat, const Type* actual, const std::vector<const TypeVar*>& vars,
                   std::vector<const Type*>& out) {
  if (!pat || !actual) return;
  if (auto v = as_typevar(pat)) {
    for (size_t i = 0; i < vars.size(); ++i)
      if (vars[i] == v && !out[i]) out[i] = actual;
    return;
  }
  // Q{T} is Q{T, B} where B: match its body (B is not one of the method's variables).
  auto pd = as_datatype(unwrap_unionall(pat));
  auto ad = as_datatype(actual);
  if (!pd || !ad) return;
  if (pd->name->is_tuple && ad->name->is_tuple) {
    for (size_t i = 0; i < ad->params.size(); ++i) {
      const Type* p = i < pd->params.size() ? pd->params[i] : (pd->params.empty() ? nullptr : pd->params.back());
      if (auto va = as_vararg(p)) p = va->elem;
      match_sparams(types, p, ad->params[i], vars, out);
    }
    return;
  }
  while (ad->name != pd->name && ad->super != ad) ad = ad->super;
  if (ad->name != pd->name) return;
  for (size_t i = 0; i < pd->params.size() && i < ad->params.size(); ++i)
    match_sparams(types, pd->params[i], ad->params[i], vars, out);
}

}  // namespace tsr::jit
