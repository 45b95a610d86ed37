#include "dsl/embed/tessera.hpp"

#include <filesystem>

#include "runtime/suggest.hpp"

namespace tsr {

Runtime::Runtime() {
  // The six semantic tensor types of LANGUAGE.md. They belong to the standard library; until
  // .tsr files can be loaded (the language issue) the runtime declares them here.
  semantic_type("TensorImage <: Tensor");
  semantic_type("TensorImageBW <: TensorImage");
  semantic_type("TensorMask <: TensorImage");
  semantic_type("TensorPoint <: Tensor");
  semantic_type("TensorBBox <: TensorPoint");
  semantic_type("TensorCategory <: Tensor");
}

Runtime::~Runtime() = default;

const TypeName* Runtime::abstract_type(std::string_view header) {
  TypeHeader h = parse_type_header(types_, header);
  TypeDecl d;
  d.kind = TypeDecl::Kind::Abstract;
  d.name = h.name;
  d.params = h.params;
  d.super = h.super;
  return types_.declare(d);
}

const TypeName* Runtime::struct_type(std::string_view header,
                                     const std::vector<std::pair<std::string, std::string>>& fields,
                                     bool is_mutable) {
  TypeHeader h = parse_type_header(types_, header);
  TypeDecl d;
  d.kind = is_mutable ? TypeDecl::Kind::MutableStruct : TypeDecl::Kind::Struct;
  d.name = h.name;
  d.params = h.params;
  d.super = h.super;
  for (const auto& [fname, ftype] : fields) {
    if (std::find(d.field_names.begin(), d.field_names.end(), fname) != d.field_names.end())
      throw ArgumentError("in definition of " + h.name + ": duplicate field name `" + fname + "`");
    d.field_names.push_back(fname);
    d.field_types.push_back(parse_type(types_, ftype, h.params));
  }
  return types_.declare(d);
}

const TypeName* Runtime::semantic_type(std::string_view header) {
  TypeHeader h = parse_type_header(types_, header);
  if (!h.params.empty())
    throw ArgumentError("semantic " + h.name + ": a semantic type takes its parent's parameters; write `semantic " +
                        h.name + " <: Parent` without {...}");
  TypeDecl d;
  d.kind = TypeDecl::Kind::Semantic;
  d.name = h.name;
  d.super = h.super;
  return types_.declare(d);
}

GenericFunction& Runtime::function(std::string_view name) { return globals_.function(name); }

GenericFunction* Runtime::find_function(std::string_view name) { return globals_.find_function(name); }

const Method& Runtime::add_method(std::string_view name, const Type* sig, std::vector<std::string> arg_names,
                                  Invoker invoke, std::shared_ptr<const void> ctx, SourceLocation loc) {
  Method m;
  m.sig = sig;
  m.arg_names = std::move(arg_names);
  m.invoke = invoke;
  m.ctx = std::move(ctx);
  m.location = std::filesystem::path(loc.file_name()).filename().string() + ":" + std::to_string(loc.line());
  return *function(name).add(std::move(m));
}

void Runtime::check_cpp_params(std::string_view name, std::string_view signature, const Type* sig,
                               const std::vector<const Type*>& cpp) {
  std::string where = "method " + std::string(name) + std::string(signature) + ": ";
  const DataType* body = as_datatype(unwrap_unionall(sig));
  std::vector<const TypeVar*> vars;
  for (const Type* t = sig; auto ua = as_unionall(t); t = ua->body) vars.push_back(ua->var);
  if (body->params.size() != cpp.size())
    throw ArgumentError(where + "the signature has " +
                        std::to_string(body->params.size()) + " arguments but the C++ callable takes " +
                        std::to_string(cpp.size()));
  for (size_t i = 0; i < cpp.size(); ++i) {
    const Type* declared = types_.unionall(vars, body->params[i]);
    if (!types_.issub(declared, cpp[i]))
      throw ArgumentError(where + "argument " + std::to_string(i + 1) + " is declared " +
                          show_type(declared) + " but the C++ parameter holds only " + show_type(cpp[i]) +
                          "; take a tsr::Value for it");
  }
}

Value Runtime::call_values(std::string_view name, std::span<const Value> args) {
  GenericFunction* f = find_function(name);
  if (!f) {
    std::string hint = closest_name(name, globals_.function_names());
    throw UndefVarError("`" + std::string(name) + "` not defined" + (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
  }
  return f->call(args);
}

const Method& Runtime::which(std::string_view name, std::initializer_list<std::string_view> argtypes) {
  GenericFunction* f = find_function(name);
  if (!f) throw UndefVarError("`" + std::string(name) + "` not defined");
  std::vector<const Type*> ts;
  for (std::string_view t : argtypes) ts.push_back(type(t));
  return *f->which(ts);
}

std::string Runtime::methods(std::string_view name) {
  GenericFunction* f = find_function(name);
  if (!f) throw UndefVarError("`" + std::string(name) + "` not defined");
  return f->show_methods();
}

Value Runtime::new_struct(const DataType* t, std::vector<Value> fields) {
  if (!t->is_concrete || t->name->is_abstract || t->name->payload != Payload::Object)
    throw TypeError("cannot create an instance of " + show_type(t));
  if (fields.size() != t->name->field_names.size())
    throw ArgumentError(show_type(t) + " has " + std::to_string(t->name->field_names.size()) + " fields, got " +
                        std::to_string(fields.size()) + " values");
  std::vector<const TypeVar*> vars(t->name->params.begin(), t->name->params.end());
  for (size_t i = 0; i < fields.size(); ++i) {
    const Type* ft = types_.subst(t->name->field_types[i], vars, t->params);
    if (!types_.issub(fields[i].type(), ft))
      throw TypeError("in " + show_type(t) + ", field " + t->name->field_names[i] + " expected " + show_type(ft) +
                      ", got a value of type " + show_type(fields[i].type()));
  }
  auto* obj = new StructObject();
  obj->fields = std::move(fields);
  return Value::from_object(t, obj);
}

Value Runtime::type_value(const Type* t) {
  const DataType* kind = t->kind == TypeKind::UnionAll ? types_.UnionAllT
                         : t->kind == TypeKind::Union  ? types_.UnionTypeT
                                                       : types_.DataTypeT;
  return Value::from_type(kind, t);
}

const DataType* Runtime::registered(std::type_index t, const char* cpp_name) {
  auto it = cpp_structs_.find(t);
  if (it == cpp_structs_.end())
    throw ArgumentError(std::string("the C++ type ") + cpp_name +
                        " is not declared to Tessera; call Runtime::struct_type<T>() or bind_struct<T>() first");
  return it->second;
}

void Runtime::bad_conversion(const Value& v, const Type* expected, const char* cpp) {
  throw TypeError(std::string("cannot convert a value of type ") + show_type(v.type()) + " to C++ " + cpp +
                  " (expected " + show_type(expected) + ")");
}

}  // namespace tsr
