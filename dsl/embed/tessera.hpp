// tsr::Runtime: the C++ embedding API.
//
//   tsr::Runtime rt;
//   rt.abstract_type("Shape");
//   struct Square { double side; };              // BOOST_HANA_ADAPT_STRUCT(Square, side);
//   rt.struct_type<Square>("Square <: Shape");   // fields read from the C++ struct
//   rt.method("area", [](const Square& s) { return s.side * s.side; });
//   double a = rt.call<double>("area", Square{2.0});
//
// A method's dispatch signature is read from the C++ parameter types at compile time; an
// explicit signature in .tsr syntax ("(s::Shape, angle::Float64)") may be given instead, for
// abstract or parametric parameters, with the callable taking tsr::Value for those.
//
// C++ to Tessera: double Float64, float Float32, bool Bool, int/long/long long Int64 (as `1`
// is Int64 in Tessera), int16_t Int16, int8_t Int8, uint8_t UInt8, uint16_t UInt16,
// unsigned UInt32, uint64_t UInt64, std::string String, tsr::Nothing Nothing, tsr::Value Any,
// an adapted struct the Tessera struct declared with struct_type<T>.
#pragma once

#include "dsl/source_location.hpp"
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>

#include "dsl/embed/cpp_traits.hpp"
#include "dsl/type_expr.hpp"
#include "runtime/errors.hpp"
#include "runtime/globals.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

struct Nothing {};

class Runtime {
 public:
  Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  TypeRegistry& types() { return types_; }
  const World& world() { return globals_.world(); }
  Globals& globals() { return globals_; }

  // ---- types ----
  // A type from its .tsr spelling: "Point{Float64}", "Union{Int, String}", "Point{T} where T<:Real".
  const Type* type(std::string_view expr) { return parse_type(types_, expr); }
  bool issub(std::string_view a, std::string_view b) { return types_.issub(type(a), type(b)); }
  // "Shape", "Polygon <: Shape", "AbstractPoint{T<:Real}".
  const TypeName* abstract_type(std::string_view header);
  // "Square <: Polygon" with fields {{"side", "Float64"}}; "Point{T<:Real}" with {{"x","T"},{"y","T"}}.
  const TypeName* struct_type(std::string_view header,
                              const std::vector<std::pair<std::string, std::string>>& fields,
                              bool is_mutable = false);
  // A Tessera struct whose fields are those of the adapted C++ struct T, in order; values of T
  // then convert both ways.
  template <class T>
  const TypeName* struct_type(std::string_view header);
  // Binds an adapted C++ struct to an existing concrete type, e.g. a C++ PointD to
  // "Point{Float64}"; field names and count must agree.
  template <class T>
  void bind_struct(std::string_view concrete_type);
  // "TensorImage <: Tensor": an instantiable subtype sharing its parent's representation.
  const TypeName* semantic_type(std::string_view header);

  // ---- generic functions and methods ----
  GenericFunction& function(std::string_view name);  // created on first use
  GenericFunction* find_function(std::string_view name);
  template <class F>
  const Method& method(std::string_view name, F&& f,
                       SourceLocation loc = SourceLocation::current());
  template <class F>
  const Method& method(std::string_view name, std::string_view signature, F&& f,
                       SourceLocation loc = SourceLocation::current());
  // Calls the generic function with C++ values, converting the result to R.
  template <class R = Value, class... A>
  R call(std::string_view name, A&&... args);
  Value call_values(std::string_view name, std::span<const Value> args);
  // The method a call with these argument types would run ("Square", "Float64").
  const Method& which(std::string_view name, std::initializer_list<std::string_view> argtypes);
  std::string methods(std::string_view name);

  // ---- values ----
  template <class T>
  Value value(const T& x);
  template <class T>
  T get(const Value& v);
  Value nothing() const { return Value::singleton(types_.Nothing); }
  Value string(std::string s) const { return Value::from_object(types_.String, new StringObject(std::move(s))); }
  Value new_struct(const DataType* t, std::vector<Value> fields);
  Value type_value(const Type* t);
  const Type* typeof_(const Value& v) { return v.type(); }
  bool isa(const Value& v, std::string_view t) { return types_.issub(v.type(), type(t)); }
  std::string show(const Value& v) const { return show_value(v); }

  // The Tessera type of a C++ type (see the table at the top of this file).
  template <class T>
  const Type* type_of();

 private:
  const Method& add_method(std::string_view name, const Type* sig, std::vector<std::string> arg_names,
                           Invoker invoke, std::shared_ptr<const void> ctx, SourceLocation loc);
  void check_cpp_params(std::string_view name, std::string_view signature, const Type* sig,
                        const std::vector<const Type*>& cpp);
  const DataType* registered(std::type_index t, const char* cpp_name);
  template <class F>
  static std::vector<const Type*> cpp_param_types(Runtime& rt);
  template <class F>
  std::pair<Invoker, std::shared_ptr<const void>> make_invoker(F&& f);
  [[noreturn]] void bad_conversion(const Value& v, const Type* expected, const char* cpp);

  TypeRegistry types_;
  Globals globals_{types_};
  std::unordered_map<std::type_index, const DataType*> cpp_structs_;
};

}  // namespace tsr

#include "dsl/embed/tessera_impl.hpp"
