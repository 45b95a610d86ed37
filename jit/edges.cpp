#include "jit/edges.hpp"

#include "runtime/method_table.hpp"

namespace tsr::jit {

void record_edges(Spec& s) {
  s.edges.clear();
  auto add = [&](const GenericFunction* f, uint64_t epoch) {
    for (auto& e : s.edges)
      if (e.first == f) return;
    s.edges.emplace_back(f, epoch);
  };
  for (auto& [f, epoch] : s.body->assumed) add(f, epoch);
  for (auto& n : s.body->pool) {
    if (n->op != Op::Call || (n->bind != Bind::Static && n->bind != Bind::Intrinsic && n->bind != Bind::TensorGet &&
                              n->bind != Bind::TensorSet && n->bind != Bind::TensorAtomicAdd && n->bind != Bind::TensorSize &&
                              n->bind != Bind::TensorLength && n->bind != Bind::VectorGet && n->bind != Bind::VectorSet &&
                              n->bind != Bind::VectorLength && n->bind != Bind::TupleGet && n->bind != Bind::Folded))
      continue;
    const Value& callee = n->kids[0]->literal;
    if (callee.defined() && callee.payload() == Payload::Function) add(callee.as_function(), callee.as_function()->epoch());
    // A function passed as an argument (f(v) with f::typeof(sq)) is bound by its type: it
    // depends on that function's methods just the same.
    if (auto dt = as_datatype(n->kids[0]->type); dt && dt->name->instance && !callee.defined())
      add(dt->name->instance, dt->name->instance->epoch());
    if (n->spec && n->spec != &s)
      for (auto& e : n->spec->edges) add(e.first, e.second);
  }
}

}  // namespace tsr::jit
