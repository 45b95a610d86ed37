// Template parts of tsr::Runtime (included from dsl/embed/tessera.hpp).
#pragma once

#include <array>
#include <typeinfo>

namespace tsr {

namespace detail {
template <class>
inline constexpr bool dependent_false = false;
}

template <class T>
const Type* Runtime::type_of() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Value>) return types_.Any;
  else if constexpr (std::is_same_v<U, bool>) return types_.Bool;
  else if constexpr (std::is_same_v<U, double>) return types_.Float64;
  else if constexpr (std::is_same_v<U, float>) return types_.Float32;
  else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, const char*> ||
                     std::is_same_v<U, std::string_view>)
    return types_.String;
  else if constexpr (std::is_same_v<U, Nothing>) return types_.Nothing;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>)
    return sizeof(U) == 1 ? types_.Int8 : sizeof(U) == 2 ? types_.Int16 : types_.Int64;
  else if constexpr (std::is_integral_v<U>)
    return sizeof(U) == 1 ? types_.UInt8 : sizeof(U) == 2 ? types_.UInt16 : sizeof(U) == 4 ? types_.UInt32 : types_.UInt64;
  else if constexpr (detail::is_adapted_struct<U>) return registered(typeid(U), typeid(U).name());
  else
    static_assert(detail::dependent_false<U>,
                  "this C++ type has no Tessera type: adapt it with BOOST_HANA_ADAPT_STRUCT and "
                  "declare it with Runtime::struct_type<T>()");
}

template <class T>
Value Runtime::value(const T& x) {
  using U = std::remove_cvref_t<T>;
  const DataType* t = as_datatype(type_of<U>());
  if constexpr (std::is_same_v<U, Value>) return x;
  else if constexpr (std::is_same_v<U, bool>) return Value::from_bool(t, x);
  else if constexpr (std::is_same_v<U, double>) return Value::from_f64(t, x);
  else if constexpr (std::is_same_v<U, float>) return Value::from_f32(t, x);
  else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view> ||
                     std::is_same_v<U, const char*>)
    return string(std::string(x));
  else if constexpr (std::is_same_v<U, Nothing>) return nothing();
  else if constexpr (std::is_integral_v<U>) return Value::from_int(t, static_cast<int64_t>(x));
  else {
    std::vector<Value> fields;
    boost::hana::for_each(boost::hana::accessors<U>(),
                          [&](auto pair) { fields.push_back(value(boost::hana::second(pair)(x))); });
    return new_struct(t, std::move(fields));
  }
}

template <class T>
T Runtime::get(const Value& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Value>) {
    return v;
  } else {
    const Type* expected = type_of<U>();
    if (v.type() != expected) bad_conversion(v, expected, typeid(U).name());
    if constexpr (std::is_same_v<U, bool>) return v.as_bool();
    else if constexpr (std::is_same_v<U, double>) return v.as_f64();
    else if constexpr (std::is_same_v<U, float>) return v.as_f32();
    else if constexpr (std::is_same_v<U, std::string>) return v.as_string();
    else if constexpr (std::is_same_v<U, Nothing>) return Nothing{};
    else if constexpr (std::is_integral_v<U>) return static_cast<U>(v.as_int());
    else if constexpr (detail::is_adapted_struct<U>) {
      U out{};
      const auto& fields = v.as_struct().fields;
      size_t i = 0;
      boost::hana::for_each(boost::hana::accessors<U>(), [&](auto pair) {
        auto& member = boost::hana::second(pair)(out);
        member = get<std::remove_cvref_t<decltype(member)>>(fields[i++]);
      });
      return out;
    } else {
      static_assert(detail::dependent_false<U>, "no conversion from a Tessera value to this C++ type");
    }
  }
}

template <class T>
const TypeName* Runtime::struct_type(std::string_view header) {
  static_assert(detail::is_adapted_struct<T>, "adapt the struct with BOOST_HANA_ADAPT_STRUCT first");
  std::vector<std::pair<std::string, std::string>> fields;
  boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
    using M = std::remove_cvref_t<decltype(boost::hana::second(pair)(std::declval<T&>()))>;
    fields.emplace_back(boost::hana::to<const char*>(boost::hana::first(pair)), show_type(type_of<M>()));
  });
  const TypeName* tn = struct_type(header, fields);
  cpp_structs_[std::type_index(typeid(T))] = tn->primary;
  return tn;
}

template <class T>
void Runtime::bind_struct(std::string_view concrete_type) {
  static_assert(detail::is_adapted_struct<T>, "adapt the struct with BOOST_HANA_ADAPT_STRUCT first");
  const DataType* dt = as_datatype(type(concrete_type));
  if (!dt || !dt->is_concrete)
    throw ArgumentError("bind_struct: " + std::string(concrete_type) + " is not a concrete struct type");
  std::vector<std::string> names;
  std::vector<const Type*> field_types;
  boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
    using M = std::remove_cvref_t<decltype(boost::hana::second(pair)(std::declval<T&>()))>;
    names.emplace_back(boost::hana::to<const char*>(boost::hana::first(pair)));
    field_types.push_back(type_of<M>());
  });
  std::vector<const TypeVar*> vars(dt->name->params.begin(), dt->name->params.end());
  bool same = names == dt->name->field_names;
  for (size_t i = 0; same && i < names.size(); ++i)
    same = field_types[i] == types_.subst(dt->name->field_types[i], vars, dt->params);
  if (!same)
    throw ArgumentError("bind_struct: the C++ fields of " + std::string(typeid(T).name()) +
                        " do not match the fields of " + show_type(dt) + " (names and types, in order)");
  cpp_structs_[std::type_index(typeid(T))] = dt;
}

template <class F>
std::vector<const Type*> Runtime::cpp_param_types(Runtime& rt) {
  return boost::hana::unpack(detail::callable_traits<F>::args, [&rt](auto... t) {
    return std::vector<const Type*>{rt.type_of<typename decltype(t)::type>()...};
  });
}

template <class F>
std::pair<Invoker, std::shared_ptr<const void>> Runtime::make_invoker(F&& f) {
  using Fn = std::decay_t<F>;
  using Tr = detail::callable_traits<Fn>;
  struct Ctx {
    Runtime* rt;
    Fn fn;
  };
  auto ctx = std::make_shared<const Ctx>(Ctx{this, std::forward<F>(f)});
  Invoker invoke = [](const void* p, const Value* args, size_t n) -> Value {
    const Ctx& c = *static_cast<const Ctx*>(p);
    auto run = [&](auto&&... xs) -> Value {
      if constexpr (std::is_void_v<typename Tr::result>) {
        c.fn(std::forward<decltype(xs)>(xs)...);
        return c.rt->nothing();
      } else {
        return c.rt->value(c.fn(std::forward<decltype(xs)>(xs)...));
      }
    };
    if constexpr (detail::takes_all_values<Fn>()) {
      return run(std::span<const Value>(args, n));
    } else {
      return [&]<size_t... I>(std::index_sequence<I...>) {
        return run(c.rt->template get<detail::arg_t<Fn, I>>(args[I])...);
      }(std::make_index_sequence<Tr::arity>{});
    }
  };
  return {invoke, std::static_pointer_cast<const void>(ctx)};
}

template <class F>
const Method& Runtime::method(std::string_view name, F&& f, SourceLocation loc) {
  using Fn = std::decay_t<F>;
  const Type* sig;
  if constexpr (detail::takes_all_values<Fn>()) {
    const Type* va[] = {types_.vararg(types_.Any)};
    sig = types_.tuple(va);
  } else {
    sig = types_.tuple(cpp_param_types<Fn>(*this));
  }
  auto [invoke, ctx] = make_invoker(std::forward<F>(f));
  return add_method(name, sig, {}, invoke, std::move(ctx), loc);
}

template <class F>
const Method& Runtime::method(std::string_view name, std::string_view signature, F&& f,
                              SourceLocation loc) {
  using Fn = std::decay_t<F>;
  ParsedSignature parsed = parse_signature(types_, signature);
  if constexpr (!detail::takes_all_values<Fn>()) check_cpp_params(name, signature, parsed.sig, cpp_param_types<Fn>(*this));
  auto [invoke, ctx] = make_invoker(std::forward<F>(f));
  return add_method(name, parsed.sig, std::move(parsed.arg_names), invoke, std::move(ctx), loc);
}

template <class R, class... A>
R Runtime::call(std::string_view name, A&&... args) {
  std::array<Value, sizeof...(A)> vals{value<std::decay_t<A>>(args)...};
  Value r = call_values(name, std::span<const Value>(vals.data(), vals.size()));
  if constexpr (std::is_same_v<R, Value>) return r;
  else if constexpr (std::is_void_v<R>) return;
  else return get<R>(r);
}

}  // namespace tsr
