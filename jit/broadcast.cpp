// Broadcasting at run time: __broadcast(f, leaves...) and __broadcast!(dest, f, leaves...),
// called by the code lowering makes of a dotted expression (dsl/lower_broadcast.cpp).
//
// Shapes align from the trailing dimension and a dimension of size 1 stretches (numpy and
// PyTorch); numbers are broadcast as they are. The fused function f is specialized for the
// leaves' element types and compiled, together with a loop around it, into one module, so f
// is inlined and the loop vectorized; the loops of a broadcast run on the thread pool. The
// result's type follows LANGUAGE.md: the semantic type the tensor leaves share (plain Tensors
// and numbers are neutral), else Tensor.
#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "jit/abi.hpp"
#include "jit/broadcast_leaves.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/compiler.hpp"
#include "jit/gpu/device_launch.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

std::string shape_text(std::span<const int64_t> s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

// Functions, closures, types (a local `T` in `T.(x)`) and callable structs (a local `m` in
// `m.(x)` with (m::M)(x) = ... defined) broadcast as scalars: the fused loop calls them.
bool is_function_value(Globals& g, const Value& v) {
  if (v.payload() == Payload::Function || v.payload() == Payload::Type || (v.type() && v.type()->name->callable != nullptr))
    return true;
  GenericFunction* call = v.type() ? g.find_function("#call") : nullptr;
  if (!call) return false;
  TypeRegistry& t = g.types();
  for (const Method* m : call->methods()) {
    auto sig = as_datatype(unwrap_unionall(m->sig));
    if (sig && !sig->params.empty() && t.issub(v.type(), sig->params[0])) return true;
  }
  return false;
}

void Compiler::register_broadcast() {
  Registrar r(globals_);
  TypeRegistry& t = types();
  r.add("__broadcast", {t.Function, t.vararg(t.Any)}, {"f", "leaves"}, nullptr,
        [this](std::span<const Value> a) { return broadcast(a, false); });
  r.add("__broadcast!", {t.Any, t.Function, t.vararg(t.Any)}, {"dest", "f", "leaves"}, nullptr,
        [this](std::span<const Value> a) { return broadcast(a, true); });
  r.add("__broadcast_fields", {t.Function, t.vararg(t.Any)}, {"f", "leaves"}, nullptr,
        [this](std::span<const Value> a) { return broadcast_fields(a); });
}

// When inference cannot tell the element type (the expression reads untyped globals, say):
// element by element through dynamic calls, the result's type taken from the values. Slow,
// but the same answer.
std::vector<Value> Compiler::broadcast_each(GenericFunction* f, std::span<const Value> leaves, std::span<const int64_t> shape) {
  TypeRegistry& t = types();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  size_t rank = shape.size();
  std::vector<Value> results;
  std::vector<Value> args(leaves.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t k = 0; k < total; ++k) {
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (!is_tensor(leaves[i])) {
        args[i] = leaves[i];
        continue;
      }
      const TensorObject& o = tensor_of(leaves[i]);
      int64_t off = o.offset;
      for (int d = 0; d < o.rank; ++d) {
        size_t od = rank - static_cast<size_t>(o.rank) + static_cast<size_t>(d);
        if (o.shape[d] != 1) off += idx[od] * o.strides[d];
      }
      args[i] = load_element(t, o, off);
    }
    results.push_back(f->call(args.data(), args.size()));
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return results;
}

Value Compiler::store_each(const std::vector<Value>& results, const Value* dest, std::span<const Value> leaves,
                           std::span<const int64_t> shape) {
  TypeRegistry& t = types();
  Value out;
  if (dest) {
    out = *dest;
  } else {
    auto d = results.empty() ? std::optional<DType>(DType::Float32) : dtype_of(results[0].type());
    for (const Value& r : results)
      if (!d || !dtype_of(r.type()) || *dtype_of(r.type()) != *d)
        throw ArgumentError("broadcast: the elements computed are not all numbers of one type (got " +
                            show_type(r.type()) + ")");
    // every element stored below, on the leaves' device
    out = new_tensor(t, *d, shape, shared_kind(t, leaves), false, broadcast_device(nullptr, leaves, nullptr));
  }
  const TensorObject& o = tensor_of(out);
  size_t rank = shape.size();
  std::vector<int64_t> i(rank, 0);
  for (size_t k = 0; k < results.size(); ++k) {
    int64_t off = o.offset;
    for (size_t d = 0; d < rank; ++d) off += i[d] * o.strides[d];
    store_element(t, o, off, results[k]);
    for (size_t d = rank; d-- > 0;) {
      if (++i[d] < shape[d]) break;
      i[d] = 0;
    }
  }
  return out;
}

std::vector<const Type*> Compiler::broadcast_arg_types(std::span<const Value> leaves, BroadcastPlan& plan) {
  TypeRegistry& t = types();
  plan.world = globals_.world().age;
  plan.kind = shared_kind(t, leaves);
  std::vector<const Type*> elem_types;
  for (const Value& v : leaves) {
    if (is_tensor(v)) {
      DType d = tensor_of(v).dtype;
      // Float16 and BFloat16 have no compiled arithmetic: element by element, dynamically.
      if (d == DType::Float16 || d == DType::BFloat16) plan.dynamic = true;
      elem_types.push_back(element_type(t, d));
    } else if (is_loop_scalar(globals_, v)) {
      elem_types.push_back(v.type());
    } else {
      throw ArgumentError("broadcasting works over tensors, numbers and vectors of numbers, not a value of type " + show_type(v.type()));
    }
  }
  return elem_types;
}

Compiler::BroadcastPlan Compiler::broadcast_plan(GenericFunction* f, std::span<const Value> leaves, const Value* dest) {
  TypeRegistry& t = types();
  BroadcastPlan plan;
  std::vector<const Type*> elem_types = broadcast_arg_types(leaves, plan);
  if (plan.dynamic) return plan;
  // The fused function for these element types, and its result type.
  const Method* m = f->which(elem_types);
  Spec* s = specialize(m, elem_types);
  auto out_dtype = dtype_of(s->ret);
  if (!out_dtype || *out_dtype == DType::Float16 || *out_dtype == DType::BFloat16) {
    plan.dynamic = true;
    return plan;
  }
  plan.out = *out_dtype;
  if (dest) {
    // y .= ... stores each result converted to y's element type, as Julia's setindex! does:
    // compiled when the conversion cannot fail (to a float type), else element by element
    // through the checked conversion (2.5 into an Int64 tensor is an InexactError).
    DType d = tensor_of(*dest).dtype;
    bool to_float = d == DType::Float32 || d == DType::Float64;
    if (d != *out_dtype && !to_float) {
      plan.dynamic = true;
      return plan;
    }
    plan.out = d;
  }
  plan.range = broadcast_range(s, leaves, {BroadcastOut{element_type(t, plan.out), -1}});
  return plan;
}

const Compiler::BroadcastPlan& Compiler::find_broadcast_plan(GenericFunction* f, std::span<const Value> leaves,
                                                             const Value* dest, bool fields, BroadcastPlan& scratch) {
  auto make = [&] { return fields ? broadcast_fields_plan(f, leaves) : broadcast_plan(f, leaves, dest); };
  if (leaves.size() >= kMaxPlanLeaves) {
    scratch = make();
    return scratch;
  }
  // The destination's type (its element type decides the stores), then the leaves'.
  PlanKey key;
  key.f = f;
  key.n = leaves.size() + 1;
  key.fields = fields;
  key.types[0] = dest ? dest->type() : nullptr;
  for (size_t i = 0; i < leaves.size(); ++i) key.types[i + 1] = leaves[i].type();
  auto it = broadcast_plans_.find(key);
  if (it != broadcast_plans_.end() && it->second.world == globals_.world().age) return it->second;
  BroadcastPlan plan = make();
  // (references into an unordered_map stay valid as it grows)
  return broadcast_plans_[key] = std::move(plan);
}

size_t Compiler::broadcast_shape(std::span<const Value> leaves, const Value* dest, int64_t* shape_buf) {
  // The shape: trailing dimensions aligned, size 1 stretching.
  size_t rank = dest ? static_cast<size_t>(tensor_of(*dest).rank) : 0;
  for (const Value& v : leaves)
    if (is_tensor(v)) rank = std::max(rank, static_cast<size_t>(tensor_of(v).rank));
  std::fill(shape_buf, shape_buf + rank, int64_t(1));
  std::span<int64_t> shape(shape_buf, rank);
  auto merge = [&](const TensorObject& o) {
    for (int k = 0; k < o.rank; ++k) {
      size_t d = rank - static_cast<size_t>(o.rank) + static_cast<size_t>(k);
      int64_t s = o.shape[k];
      if (s == 1) continue;
      if (shape[d] != 1 && shape[d] != s)
        throw Error("DimensionMismatch", "arrays could not be broadcast to a common size: shapes " + shape_text(shape) +
                                             " and " + shape_text(std::span<const int64_t>(o.shape, static_cast<size_t>(o.rank))) +
                                             " (trailing dimensions align; a dimension of 1 stretches)");
      shape[d] = s;
    }
  };
  for (const Value& v : leaves)
    if (is_tensor(v)) merge(tensor_of(v));
  if (dest) {
    const TensorObject& d = tensor_of(*dest);
    std::vector<int64_t> result(shape.begin(), shape.end());
    merge(d);
    // The leaves' shape may stretch to the destination's, never the destination to theirs.
    if (!std::equal(d.shape, d.shape + d.rank, shape.begin(), shape.end()))
      throw Error("DimensionMismatch", "cannot broadcast a result of shape " + shape_text(result) +
                                           " into a destination of shape " +
                                           shape_text(std::span<const int64_t>(d.shape, static_cast<size_t>(d.rank))));
  }
  return rank;
}

void Compiler::run_broadcast(BroadcastRange range, const Value* vals, size_t nvals, std::span<const int64_t> shape) {
  // Meta: rank, then each value's strides per dimension (0 where stretched); on the stack for
  // the usual few values (a small broadcast's cost is mostly such bookkeeping).
  size_t rank = shape.size();
  size_t nmeta = (1 + rank) + nvals * rank;
  std::array<int64_t, 1 + kMaxRank + (kMaxPlanLeaves + 1) * kMaxRank> small_meta{};
  std::vector<int64_t> big_meta;
  int64_t* meta = small_meta.data();
  if (nmeta > small_meta.size()) {
    big_meta.assign(nmeta, 0);
    meta = big_meta.data();
  } else {
    std::fill(meta, meta + nmeta, int64_t(0));
  }
  meta[0] = static_cast<int64_t>(rank);
  std::copy(shape.begin(), shape.end(), meta + 1);
  for (size_t v = 0; v < nvals; ++v) {
    if (!is_tensor(vals[v])) continue;
    const TensorObject& o = tensor_of(vals[v]);
    int64_t* strides = meta + 1 + rank + v * rank;
    for (int k = 0; k < o.rank; ++k)
      if (o.shape[k] != 1) strides[rank - static_cast<size_t>(o.rank) + static_cast<size_t>(k)] = o.strides[k];
  }
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  // The output on the GPU (broadcast put it there, its leaves being there): the loop runs there
  // (or here, over the unified memory, when no device code can be made for it).
  if (nvals && is_tensor(vals[0]) && device_of(tensor_of(vals[0])) == Device::GPU) {
    const BroadcastLoop* loop = broadcast_loop_of(range);
    if (!loop) throw InternalError("a broadcast loop without its description");
    if (total == 0 || gpu::broadcast_on_gpu(*this, *loop, vals, nvals, std::span<const int64_t>(meta, nmeta), total)) return;
  }
  // Chunks of at least 16K elements, a few per thread; a small broadcast runs right here.
  int64_t chunk = std::max<int64_t>(16384, (total + 4 * num_threads() - 1) / (4 * num_threads()));
  if (total <= chunk) {
    if (total > 0) range(vals, 0, total, meta);
    if (tsr_pending) rethrow_pending();
    return;
  }
  run_chunks_parallel(total, chunk, [&](int64_t lo, int64_t hi) { range(vals, lo, hi, meta); });
}

// A Vector whose elements are numbers of one tensor element type.
bool is_number_vector(const Value& v) {
  const DataType* dt = v.type();
  return v.payload() == Payload::Object && !is_tensor(v) && is_vector_name(dt->name) && dt->params.size() == 1 &&
         dtype_of(dt->params[0]).has_value();
}

namespace {

// The elements of a tensor, in order, as the fields of a Vector of its element type.
Value tensor_as_vector(TypeRegistry& t, const Value& tv) {
  const TensorObject& o = tensor_of(tv);
  std::vector<Value> xs;
  for (int64_t k = 0, n = o.numel(); k < n; ++k) xs.push_back(load_element(t, o, storage_offset(o, k)));
  return vector_of(t, element_type(t, o.dtype), std::move(xs));
}

}  // namespace

// A range (1:n, a:s:b, 0:0.1:1): it broadcasts as the Vector of its elements.
bool is_range(const Value& v) {
  // StepRangeLen is stdlib Tessera (Base.tsr), known by its name only.
  return v.payload() == Payload::Object && (is_range_name(v.type()->name) || v.type()->name->name == "StepRangeLen");
}

// Tuples (with numbers and functions as scalars) broadcast as Julia's: the result is a tuple
// of f over the elements; a tuple of one element stretches, other lengths must agree.
Value Compiler::broadcast_tuples(GenericFunction* f, std::span<const Value> leaves) {
  size_t n = 1;
  bool sized = false;
  for (const Value& v : leaves) {
    if (!v.type()->name->is_tuple) continue;
    size_t len = v.as_struct().fields.size();
    if (len == 1) continue;
    if (sized && len != n)
      throw Error("DimensionMismatch", "arrays could not be broadcast to a common size; got a dimension with lengths " +
                              std::to_string(n) + " and " + std::to_string(len));
    n = len;
    sized = true;
  }
  std::vector<Value> results;
  std::vector<const Type*> types;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Value> args;
    for (const Value& v : leaves) {
      if (!v.type()->name->is_tuple) {
        args.push_back(v);
        continue;
      }
      const auto& fields = v.as_struct().fields;
      args.push_back(fields.size() == 1 ? fields[0] : fields[i]);
    }
    results.push_back(f->call(args.data(), args.size()));
    types.push_back(results.back().type());
  }
  auto* obj = new StructObject();
  obj->fields = std::move(results);
  return Value::from_object(this->types().tuple(types), obj);
}

Device broadcast_device(const GenericFunction* f, std::span<const Value> leaves, const Value* dest) {
  bool gpu = (dest && device_of(tensor_of(*dest)) == Device::GPU) || gpu::any_on_gpu(leaves);
  if (!gpu) return Device::CPU;
  std::vector<Value> all;
  if (dest) all.push_back(*dest);
  all.insert(all.end(), leaves.begin(), leaves.end());
  // A fused broadcast's function is the compiler's (#bcast#12): named only when it is the user's.
  bool named = f && !f->name().empty() && f->name()[0] != '#';
  return gpu::call_device(all, named ? "the broadcast of " + f->name() : std::string("a broadcast"));
}

Value Compiler::broadcast(std::span<const Value> a, bool in_place) {
  TypeRegistry& t = types();
  // Ranges as Julia's: (1:5) .^ 2 and Float32.(1:6) are Vectors, as over [1, 2, ...].
  size_t first_leaf = in_place ? 2 : 1;
  for (size_t i = first_leaf; i < a.size(); ++i)
    if (is_range(a[i])) {
      std::vector<Value> with_vectors(a.begin(), a.end());
      for (size_t j = first_leaf; j < with_vectors.size(); ++j)
        if (is_range(with_vectors[j]))
          with_vectors[j] = vector_of(t, with_vectors[j].type()->params[0], iterate_all(globals_, with_vectors[j]));
      return broadcast(with_vectors, in_place);
    }
  // Ref(x) is a scalar (Julia's): a number or a function inside joins the loop as itself;
  // anything else goes element by element, where broadcast_vectors unwraps it.
  bool opaque_ref = false;
  for (size_t i = first_leaf; i < a.size(); ++i)
    if (is_ref(a[i])) {
      const Value& x = a[i].as_struct().fields[0];
      if (!is_loop_scalar(globals_, x)) {
        opaque_ref = true;
        continue;
      }
      std::vector<Value> unwrapped(a.begin(), a.end());
      unwrapped[i] = x;
      return broadcast(unwrapped, in_place);
    }
  const Value* dest = in_place ? &a[0] : nullptr;
  const Value& fv = a[first_leaf - 1];
  std::span<const Value> leaves = a.subspan(first_leaf);
  if (fv.payload() != Payload::Function)
    throw ArgumentError("broadcasting calls a function, not a value of type " + show_type(fv.type()));
  GenericFunction* f = fv.as_function();
  // Vectors of numbers broadcast as 1-d tensors, as Julia's arrays do: [1, 2] .+ 1 is the
  // Vector [2, 3], v .= v .* 2 updates v; mixed with tensors the result is a tensor. Vectors of
  // anything else (strings, tensors, mixed numbers), and number vectors beside tuples or
  // scalars that are not numbers, or whose results are not numbers: element by element, to a
  // Vector (jit/broadcast_vectors.cpp).
  bool vectors = dest && is_number_vector(*dest), tensors = dest && is_tensor(*dest);
  bool general = opaque_ref || (dest && is_vector_value(*dest) && !is_number_vector(*dest));
  for (const Value& v : leaves) {
    if (is_tensor(v)) tensors = true;
    else if (is_number_vector(v)) vectors = true;
    else if (is_vector_value(v)) general = true;
  }
  if (!tensors && vectors && !general)
    for (const Value& v : leaves)
      if (!is_number_vector(v) && !is_loop_scalar(globals_, v)) general = true;
  if (!tensors && general) return broadcast_vectors(f, leaves, dest);
  if (vectors) {
    std::vector<Value> as_tensors(a.begin(), a.end());
    for (Value& v : as_tensors)
      if (is_number_vector(v)) v = tensor_from_vector(t, v);
    if (!tensors && !in_place) {
      BroadcastPlan scratch;
      std::span<const Value> tensor_leaves = std::span<const Value>(as_tensors).subspan(first_leaf);
      if (find_broadcast_plan(f, tensor_leaves, nullptr, false, scratch).dynamic) return broadcast_vectors(f, leaves, nullptr);
    }
    Value r = broadcast(as_tensors, in_place);
    if (in_place && is_number_vector(a[0])) {
      Value back = tensor_as_vector(t, r);  // the result written back into the destination
      a[0].as_struct().fields = std::move(back.as_struct().fields);
      return a[0];
    }
    return tensors || !is_tensor(r) ? r : tensor_as_vector(t, r);
  }
  if (dest && !is_tensor(*dest))
    throw ArgumentError(".= writes into a tensor or a Vector, not a value of type " + show_type(dest->type()));
  bool any_tensor = dest != nullptr;
  for (const Value& v : leaves) any_tensor = any_tensor || is_tensor(v);
  if (!any_tensor) {
    // Tuples, or scalars only: 1 .+ 2 is 3, "a" .* "b" is "ab".
    for (const Value& v : leaves)
      if (v.type()->name->is_tuple) return broadcast_tuples(f, leaves);
    return f->call(leaves.data(), leaves.size());
  }
  // The plan for these leaf types: made once (per world age), then looked up.
  BroadcastPlan scratch;
  const BroadcastPlan& plan = find_broadcast_plan(f, leaves, dest, false, scratch);
  int64_t shape_buf[kMaxRank];
  std::span<const int64_t> shape(shape_buf, broadcast_shape(leaves, dest, shape_buf));
  if (plan.dynamic) return store_each(broadcast_each(f, leaves, shape), dest, leaves, shape);
  // The result: the destination, or a new tensor of the leaves' shared semantic type (not
  // zero-filled: the loop writes every element, and a fill was a serial memset of each result),
  // on the leaves' device: all of them on one.
  Device device = broadcast_device(f, leaves, dest);
  Value out = dest ? *dest : new_tensor(t, plan.out, shape, plan.kind, false, device);
  // A leaf that overlaps the destination other than element for element (y .= y[end:-1:1])
  // is copied first, as Julia's broadcast! unaliases: after that the loop's iterations are
  // independent, which lets it be vectorized without run-time overlap checks.
  size_t nvals = leaves.size() + 1;
  std::array<Value, kMaxPlanLeaves + 1> small_vals;
  std::vector<Value> big_vals;
  Value* vals = small_vals.data();
  if (nvals > small_vals.size()) {
    big_vals.resize(nvals);
    vals = big_vals.data();
  }
  vals[0] = out;
  std::copy(leaves.begin(), leaves.end(), vals + 1);
  if (dest) {
    const TensorObject& d = tensor_of(*dest);
    for (size_t i = 1; i < nvals; ++i) {
      if (!is_tensor(vals[i])) continue;
      const TensorObject& o = tensor_of(vals[i]);
      if (o.storage != d.storage) continue;
      bool same = o.base == d.base && o.rank == d.rank;
      for (int k = 0; same && k < o.rank; ++k) same = o.shape[k] == d.shape[k] && o.strides[k] == d.strides[k];
      if (!same) vals[i] = tensor_copy(t, vals[i]);
    }
  }
  run_broadcast(plan.range, vals, nvals, shape);
  return out;
}

}  // namespace tsr::jit
