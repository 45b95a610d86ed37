// The infer pass: types every node of a specialization's body and binds its calls.
#pragma once

#include <vector>

namespace tsr {
struct Type;
struct TypeVar;
class TypeRegistry;
}  // namespace tsr

namespace tsr::jit {

class Compiler;
struct Spec;

// Makes s.body a typed copy of its method's body for s.argtypes: each node's type, each
// call's binding (intrinsic, static call of a specialization it makes and infers in turn,
// inline tensor access, dynamic), s.ret, and s.state (Provisional when it relied on a
// recursive call's estimate, else Inferred).
void infer_types(Compiler& c, Spec& s);

// The type of __broadcast(f, leaves...) for these argument types (f's first), or Any when
// only the run time can tell (jit/broadcast_result.cpp). *provisional is set when it relied
// on a specialization still being inferred.
const Type* broadcast_result_type(Compiler& c, const std::vector<const Type*>& args, bool* provisional);
// The same for __broadcast_fields(f, leaves...): the tuple of its fields' tensors.
const Type* broadcast_fields_result_type(Compiler& c, const std::vector<const Type*>& args, bool* provisional);

// Binds the `where` variables `vars` of signature pattern `pat` from the concrete type
// `actual`: Vec{T} against Vec{Float32} gives T = Float32 (out[i] for vars[i]; unset ones stay
// nullptr).
void match_sparams(TypeRegistry& types, const Type* pat, const Type* actual, const std::vector<const TypeVar*>& vars,
                   std::vector<const Type*>& out);

}  // namespace tsr::jit
