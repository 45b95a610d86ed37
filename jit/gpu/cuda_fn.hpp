// The CUDA C++ printer's parts (cuda_source.hpp): the module being printed and one function.
// Private to jit/gpu/. Every value is held in a named C++ variable, so what emit returns is
// always a name or a literal and nodes may be printed as statements in order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "jit/gpu/cuda_source.hpp"
#include "jit/intrinsics.hpp"

namespace tsr::jit::gpu {

class CudaModule {
 public:
  CudaModule(Compiler& c, Spec& kernel) : c_(c), kernel_(kernel) {}
  DeviceCode print();
  DeviceCode print_broadcast(const BroadcastLoop& loop);

  Compiler& compiler() { return c_; }
  // The C++ type of a value of device type t (a struct defined on first use).
  std::string ctype(const Type* t);
  // The C++ type of a tensor's elements as stored (Bool as unsigned char).
  std::string element_ctype(const Type* elem);
  // The device function of s (printed on first use), by name.
  std::string function(Spec& s);
  int add_site(DeviceErrorSite site);
  // A __shared__ array for a @localmem site.
  std::string shared_array(int site, const std::string& elem, int64_t count);

 private:
  void print_entry(const std::string& body);
  // The entry's parameters for a value of type t named p (tensors as pointer, shape and
  // strides; structs and tuples field by field), and the C++ expression that rebuilds it.
  std::string flatten_param(const Type* t, const std::string& p, std::vector<std::string>& params, bool noalias);

  Compiler& c_;
  Spec& kernel_;
  std::map<const Type*, std::string> types_;
  std::map<const Spec*, std::string> functions_;
  std::map<int, std::string> shared_;
  std::string type_defs_, shared_defs_, prototypes_, definitions_, entry_;
  std::vector<DeviceErrorSite> sites_;
  int next_type_ = 0;
};

class CudaFn {
 public:
  CudaFn(CudaModule& cm, Spec& s) : cm_(cm), types_(cm.compiler().types()), s_(s), body_(*s.body) {}
  // The function's definition, named `name`.
  std::string print(const std::string& name);

  // ---- for the number code (cuda_numbers.cpp) ----
  TypeRegistry& types() { return types_; }
  // A fresh variable holding expr, of type t.
  std::string bind(const Type* t, const std::string& expr);
  std::string bind_c(const std::string& ctype, const std::string& expr);
  // expr of number type `from` as number type `to` (the conversions that cannot fail).
  std::string cast(const std::string& expr, const Type* from, const Type* to);
  void raise_if(const std::string& cond, const std::string& kind, const std::string& message, const Node* at);
  void line(const std::string& text);
  CudaModule& module() { return cm_; }

 private:
  std::string emit(Node* n);
  std::string literal(const Value& v, const Type* t, const Node* at);
  std::string convert(const std::string& expr, const Type* from, const Type* to, const Node* at);
  std::string truth(const std::string& expr, const Type* t, const Node* at);
  void raise(const std::string& kind, const std::string& message, const Node* at);
  [[noreturn]] void unsupported(const Node* at, const std::string& what);
  std::string emit_if(Node* n);
  std::string emit_while(Node* n);
  std::string emit_andor(Node* n);
  std::string call(Node* n);
  std::string int_conversion(Node* n, const std::string& x, const Type* from);
  std::string tensor_access(Node* n, const std::vector<std::string>& args, const std::vector<const Type*>& ts);
  std::string tensor_shape(Node* n, const std::vector<std::string>& args, const std::vector<const Type*>& ts);
  std::string work_item(Node* n);
  std::string local_memory(Node* n);
  // The type an expression's node has (a slot's type for a variable).
  const Type* type_of(Node* n);

  CudaModule& cm_;
  TypeRegistry& types_;
  Spec& s_;
  Body& body_;
  std::string out_;
  int indent_ = 1;
  int next_ = 0;
  bool dead_ = false;  // what follows does not run (after return, break, continue, raise)
  std::vector<std::string> slot_;     // each slot's variable ("" when it has no type)
  std::vector<std::string> defined_;  // its "defined" flag, for slots a read may find unassigned
  std::vector<int> loops_;            // the loop numbers (a `continue` goes to its step label)
};

// The value of intrinsic call n on args (variables of types ts): an expression or a variable,
// with the checks Julia makes (DivideError, DomainError) printed before it.
std::string cuda_number_op(CudaFn& f, Node* n, Intrinsic op, std::vector<std::string> args, const std::vector<const Type*>& ts,
                           const Type* compute, const Type* result);
// The C++ name of a number type ("long long", "float", "bool").
std::string cuda_number_type(const Type* t);
// The prelude every printed kernel starts with: the tensor struct, the error flag, raising,
// Julia's shifts, min/max and integer powers.
const char* cuda_prelude();

}  // namespace tsr::jit::gpu
