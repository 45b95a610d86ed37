// Compile-time facts about C++ callables and structs, read with Boost.Hana: the parameter
// types of a lambda (for a method's dispatch signature) and the fields of an adapted struct
// (for a Tessera struct declared from C++).
#pragma once

#include <boost/hana.hpp>

#include <span>
#include <type_traits>

#include "runtime/value.hpp"

namespace tsr::detail {

namespace hana = boost::hana;

template <class R, class... A>
struct signature_of {
  using result = R;
  static constexpr auto args = hana::tuple_t<std::remove_cvref_t<A>...>;
  static constexpr size_t arity = sizeof...(A);
};

template <class F>
struct callable_traits : callable_traits<decltype(&F::operator())> {};
template <class R, class... A>
struct callable_traits<R (*)(A...)> : signature_of<R, A...> {};
template <class R, class... A>
struct callable_traits<R(A...)> : signature_of<R, A...> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : signature_of<R, A...> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : signature_of<R, A...> {};

// The I-th parameter type of F, without const and reference.
template <class F, size_t I>
using arg_t = typename std::remove_cvref_t<decltype(hana::at_c<I>(callable_traits<F>::args))>::type;

// A callable that takes every argument at once: f(std::span<const tsr::Value>).
template <class F>
constexpr bool takes_all_values() {
  if constexpr (callable_traits<F>::arity == 1) return std::is_same_v<arg_t<F, 0>, std::span<const Value>>;
  else return false;
}

template <class T>
constexpr bool is_adapted_struct = hana::Struct<T>::value;

}  // namespace tsr::detail
