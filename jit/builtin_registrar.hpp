// Registering built-in C++ methods: shared by the files that define them.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/globals.hpp"
#include "runtime/tensor.hpp"

namespace tsr::jit {

using Fn = std::function<Value(std::span<const Value>)>;

struct Builtin {
  Fn fn;
  std::string name;                   // for the MethodError of unsupported keywords
  std::vector<std::string> keywords;  // the keyword arguments it takes (a trailing #KwArgs)
};

// True when the last of args is the #KwArgs carrier of a call's keyword arguments. Every
// built-in call, dynamic call and launch asks; the first character ('#', which no script's type
// name has) answers almost all of them before the name is compared.
inline bool has_kwargs(const Value* args, size_t n) {
  if (n == 0 || !args[n - 1].type()) return false;
  const std::string& name = args[n - 1].type()->name->name;
  return !name.empty() && name[0] == '#' && name == "#KwArgs";
}
// The MethodError of a call given keyword arguments its method does not take, as Julia's:
// "no method matching f(::Int64; b::Int64)" and a line saying the keywords are the problem.
[[noreturn]] void unsupported_keywords(const std::string& fname, std::span<const Value> positional, const Value& kwargs);

// A built-in rejects keyword arguments it does not name (println(1; x = 2) is a MethodError,
// not a print of the carrier).
inline Value call_builtin(const void* ctx, const Value* args, size_t n) {
  const auto* b = static_cast<const Builtin*>(ctx);
  if (has_kwargs(args, n)) {
    const auto& kw = args[n - 1].as_struct().fields;
    for (size_t i = 0; i + 1 < kw.size(); i += 2)
      if (std::find(b->keywords.begin(), b->keywords.end(), kw[i].as_string()) == b->keywords.end())
        unsupported_keywords(b->name, std::span<const Value>(args, n - 1), args[n - 1]);
  }
  return b->fn(std::span<const Value>(args, n));
}

class Registrar {
 public:
  explicit Registrar(Globals& g) : g_(g), t_(g.types()) {}

  const Type* ty(const char* name) { return t_.lookup(name); }

  const Method* add(const char* fname, std::vector<const Type*> sig, std::vector<std::string> names, const Type* result,
                    Fn fn, std::vector<std::string> keywords = {}) {
    return add_where(fname, t_.tuple(sig), std::move(names), result, std::move(fn), std::move(keywords));
  }
  // The same with a whole signature, `where` included.
  const Method* add_where(const char* fname, const Type* sig, std::vector<std::string> names, const Type* result,
                          Fn fn, std::vector<std::string> keywords = {}) {
    Method m;
    m.sig = sig;
    m.arg_names = std::move(names);
    m.invoke = &call_builtin;
    m.ctx = std::make_shared<const Builtin>(Builtin{std::move(fn), fname, std::move(keywords)});
    m.location = "built-in";
    m.result = result;
    return g_.function(fname).add(std::move(m));
  }
  Value str(std::string s) { return Value::from_object(t_.String, new StringObject(std::move(s))); }
  Value nothing() { return Value::singleton(t_.Nothing); }
  Value boolean(bool b) { return Value::from_bool(t_.Bool, b); }
  Value integer(int64_t i) { return Value::from_int(t_.Int64, i); }

  Globals& g_;
  TypeRegistry& t_;
};

// The MethodError a built-in raises for arguments it cannot take (it accepts Any and
// checks inside): "no method matching f(::A, ::B)".
[[noreturn]] void no_method(const char* fname, std::span<const Value> args);
// The BoundsError of v[i] on a Vector, tuple or range.
[[noreturn]] void bounds_error(const Value& v, int64_t i);

// What type inference may assume a built-in returns when the argument types decide it
// (Method::result covers the methods whose result type is fixed).
enum class ResultRule {
  ElementOfFirst,  // getindex(v::Vector{T}, i) is a T; so is an element of a range
  SameAsFirst,     // zero(x), one(x): the type of x
  TypeArgument,    // zero(T), one(T), convert(T, x): the T given as a type
  TypeOfFirst,     // typeof(x): the type Type{typeof(x)}
  LocalMem,        // __localmem(T, (d1, ..., dn), site): a Tensor{T, n}
  ElementTypeOfFirst,  // eltype(xs): Type{T} for a Vector{T}, a range of T, a Tensor{T, N}
  NewTensor,       // zeros(T, d1, ..., dn), ones, rand, randn, __uninitialized: a Tensor{T, n}
  ShapeOfTensor,   // size(t) of a tensor of rank N: an NTuple{N, Int64}
  ViewOfFirst,     // reshape(t, dims...), permutedims(t[, perm]): a view, t's kind and element type
  StorageOfFirst,  // __storage_vector(t): a Tensor{T, 1} over t's storage
  AccumNamed,      // _accum_named(a, b) of two named tuples: typed where each field is nothing on one side
  TensorSlice,     // t[1:m, :], t[i, 2:3]: a view of t's kind, one dimension per range or colon
  IntRange,        // a:b, a:s:b of one integer type: UnitRange{T}, StepRange{T, T}
  SimilarTensor,   // similar(x, T[, dims...]), similar(x, dims...): a Tensor{T, n} (T: x's element type when not
                   // given), n the dims given or x's rank
};
void set_result_rule(const Method* m, ResultRule rule);
// A built-in whose result depends on its arguments' types or constant values only, with no
// effect (eltype, typeof, zero(T), typemax(T)): inference may compute it at compile time.
void set_pure(const Method* m);
// The element type of a collection of this type (Any when the type does not tell).
const Type* element_type_of(TypeRegistry& t, const DataType* dt);

// The elements of any iterable: vectors, tuples and ranges directly, the rest through
// iterate(xs) / iterate(xs, state) (builtins.cpp).
std::vector<Value> iterate_all(Globals& g, const Value& v);
// Declares a built-in struct type (builtins.cpp).
const DataType* declare_struct(TypeRegistry& t, const char* name, const Type* super, std::vector<std::string> fields,
                               std::vector<const Type*> ftypes, bool is_mutable = false, std::vector<TypeVar*> params = {});

// A Vector{elem} holding xs (builtins_element_types.cpp).
Value vector_of(TypeRegistry& t, const Type* elem, std::vector<Value> xs);
// tensor([1.0, 2.0]): a 1-d tensor of a vector's numbers, their type its element type
// (builtins_tensor.cpp); an ArgumentError for anything else.
Value tensor_from_vector(TypeRegistry& t, const Value& v);

// x as an index that selects several elements: a Vector or tensor of integers (a List of
// positions) or of Bools (a Mask); false for anything else (builtins_tensor.cpp).
bool selection_index(const Value& x, TensorIndex& i);

// *, ^, repeat, case, prefixes, join and comparisons of whole strings (builtins_strings.cpp).
void register_string_operators(Registrar& r);
// zero/one, promote_type, convert, eps/nextfloat/prevfloat, NaN/Inf/pi (builtins_numbers.cpp).
void register_number_builtins(Registrar& r);
// T[xs...], __narrow, __empty_like, eltype (builtins_element_types.cpp).
void register_element_type_builtins(Registrar& r);
// __setconst, __setdoc/__getdoc, __time_report, blackbox (builtins_lowering_hooks.cpp).
void register_lowering_hooks(Registrar& r);
// s[i], lengths in characters, strip, split, parse (builtins_strings.cpp).
void register_string_builtins(Registrar& r);
// __regex_check, __regex_find: what stdlib/Strings.tsr's Regex matches with (builtins_regex.cpp).
void register_regex_builtins(Registrar& r);
// pop!, insert!, deleteat!, ...: vectors changing length (builtins_vector.cpp).
void register_vector_builtins(Registrar& r);
// Symbol, Pair, named tuples, Dict and Set (builtins_collections.cpp).
void register_collection_types(TypeRegistry& t);
void register_collection_builtins(Registrar& r);
// IO types, print/show on an IO, exit, time, user show methods (builtins_io.cpp).
void register_io_builtins(Registrar& r);
// open, close, readline, read, readdir, mkpath, ... (builtins_files.cpp; IOStream is io's).
void register_file_builtins(Registrar& r, const DataType* stream_type);
// Making tensors, their shape, indexing (builtins_tensor.cpp).
void register_tensor_builtins(Registrar& r);
// isfile, isdir, ENV (builtins_system.cpp).
void register_system_builtins(Registrar& r);
// has_gpu, gpu, cpu, device (gpu/builtins_gpu.cpp).
void register_gpu_builtins(Registrar& r);
// __read_idx: IDX files, gzip'd or not, as tensors (idx_reader.cpp).
void register_idx_reader(Registrar& r);
// __safetensors_write / __safetensors_read: checkpoint files (safetensors_io.cpp).
void register_safetensors_io(Registrar& r);
// __write_png: a UInt8 tensor (H, W), (H, W, 3) or (H, W, 4) as a PNG file (png_writer.cpp).
void register_png_writer(Registrar& r);
// __prefetch_rows / __take_batch: DataLoader's batches copied on another thread (batch_prefetch.cpp).
void register_batch_prefetch(Registrar& r);
// __json, __run_folder, __run_log, __tee_open, __git_state...: a tracked run's files (run_files.cpp).
void register_run_files(Registrar& r);

}  // namespace tsr::jit
