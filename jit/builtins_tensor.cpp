// Built-in methods on tensors that need the runtime's representation: making them (zeros,
// ones, fill, rand, randn, tensor), their shape (size, ndims, reshape, permutedims),
// indexing and copying. Operations on their elements (arithmetic, reductions, kernels) are
// the next step and are written in Tessera.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "jit/builtin_registrar.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

// The random state behind rand/randn: a seed and the number of draws made since it was set.
struct RandomState {
  uint64_t seed = 0x5EEDull;
  uint64_t draws = 0;
};
RandomState& random_state() {
  static RandomState s;
  return s;
}

std::vector<int64_t> dims_of(std::span<const Value> a, size_t from, const char* fname) {
  std::vector<int64_t> dims;
  for (size_t i = from; i < a.size(); ++i) {
    // dims may also come as one tuple: zeros((2, 3))
    if (a[i].type()->name->is_tuple && a.size() == from + 1) {
      for (const Value& d : a[i].as_struct().fields) {
        if (d.type()->name->payload != Payload::Int)
          throw ArgumentError(std::string(fname) + ": dimensions must be integers, got " + show_type(d.type()));
        dims.push_back(d.as_int());
      }
      return dims;
    }
    if (a[i].type()->name->payload != Payload::Int)
      throw ArgumentError(std::string(fname) + ": dimensions must be integers, got " + show_type(a[i].type()));
    dims.push_back(a[i].as_int());
  }
  return dims;
}

DType dtype_arg(const Value& t, const char* fname) {
  auto d = t.payload() == Payload::Type ? dtype_of(t.as_type()) : std::nullopt;
  if (!d)
    throw ArgumentError(std::string(fname) + ": tensors hold Float32, Float64, Float16, BFloat16, Int32, Int64, UInt8 or Bool, not " +
                        (t.payload() == Payload::Type ? show_type(t.as_type()) : show_type(t.type())));
  return *d;
}

// Every element set to v (converted once): the tensor is new, so contiguous.
void fill_all(TypeRegistry& t, const Value& tensor, const Value& v) {
  const TensorObject& obj = tensor_of(tensor);
  int64_t n = obj.numel();
  if (n == 0) return;
  store_element(t, obj, 0, v);
  size_t es = dtype_size(obj.dtype);
  // Double the filled prefix each time: log2(n) memcpys.
  for (int64_t done = 1; done < n;) {
    int64_t k = std::min(done, n - done);
    std::memcpy(obj.base + done * static_cast<int64_t>(es), obj.base, static_cast<size_t>(k) * es);
    done += k;
  }
}

}  // namespace

bool selection_index(const Value& x, TensorIndex& i) {
  const DataType* type = x.type();
  if (is_vector_name(type->name)) {
    auto elem = as_datatype(type->params[0]);
    if (!elem) return false;
    const auto& xs = x.as_struct().fields;
    if (elem->name->payload == Payload::Bool) {
      i.kind = TensorIndex::Mask;
      for (const Value& b : xs) i.mask.push_back(b.as_bool() ? 1 : 0);
      i.mask_shape = {static_cast<int64_t>(xs.size())};
      i.mask_type = show_type(type);
      return true;
    }
    if (elem->name->payload != Payload::Int || is_char_type(elem)) return false;
    i.kind = TensorIndex::List;
    for (const Value& k : xs) i.list.push_back(k.as_int());
    return true;
  }
  if (!is_tensor(x)) return false;
  const TensorObject& t = tensor_of(x);
  int64_t n = t.numel();
  if (t.dtype == DType::Bool) {
    i.kind = TensorIndex::Mask;
    for (int64_t k = 0; k < n; ++k) i.mask.push_back(*(static_cast<const char*>(t.storage->data) + storage_offset(t, k)) != 0);
    i.mask_shape.assign(t.shape, t.shape + t.rank);
    i.mask_type = show_type(type);
    return true;
  }
  if (t.rank != 1 || (t.dtype != DType::Int64 && t.dtype != DType::Int32 && t.dtype != DType::UInt8)) return false;
  i.kind = TensorIndex::List;
  TypeRegistry& types = *type->name->registry;
  for (int64_t k = 0; k < n; ++k) i.list.push_back(load_element(types, t, storage_offset(t, k)).as_int());
  return true;
}

namespace {

TensorIndex index_of(const Value& x, size_t position) {
  TensorIndex i;
  const TypeName* n = x.type()->name;
  if (n->payload == Payload::Int) {
    i.kind = TensorIndex::Int;
    i.start = x.as_int();
  } else if (is_unit_range_name(n)) {
    i.kind = TensorIndex::Range;
    i.start = x.as_struct().fields[0].as_int();
    i.stop = x.as_struct().fields[1].as_int();
  } else if (n == n->registry->StepRangeName) {
    i.kind = TensorIndex::Range;
    i.start = x.as_struct().fields[0].as_int();
    i.step = x.as_struct().fields[1].as_int();
    i.stop = x.as_struct().fields[2].as_int();
  } else if (is_colon_name(n)) {
    i.kind = TensorIndex::All;
  } else if (!selection_index(x, i)) {
    throw ArgumentError("index " + std::to_string(position) +
                        " of a tensor must be an integer, a range, `:`, integers or Bools (a vector or tensor), got " +
                        show_type(x.type()));
  }
  return i;
}

std::vector<TensorIndex> indices_of(std::span<const Value> a, size_t from) {
  std::vector<TensorIndex> out;
  for (size_t i = from; i < a.size(); ++i) out.push_back(index_of(a[i], i - from + 1));
  return out;
}


Value tuple_of(TypeRegistry& t, const std::vector<int64_t>& xs) {
  std::vector<const Type*> ts;
  auto* obj = new StructObject();
  for (int64_t x : xs) {
    obj->fields.push_back(Value::from_int(t.Int64, x));
    ts.push_back(t.Int64);
  }
  return Value::from_object(t.tuple(ts), obj);
}

}  // namespace

Value tensor_from_vector(TypeRegistry& t, const Value& v) {
  if (!is_vector_name(v.type()->name))
    throw ArgumentError("tensor: expected a vector such as [1.0, 2.0], got " + show_type(v.type()));
  const auto& xs = v.as_struct().fields;
  auto d = dtype_of(v.type()->params[0]);
  // Numbers of a type tensors do not hold (Int8, UInt16, ...) say so, as zeros(Int8, n) does.
  if (!d && is_number_type(v.type()->params[0]))
    throw ArgumentError("tensor: tensors hold Float32, Float64, Float16, BFloat16, Int32, Int64, UInt8 or Bool, not " +
                        show_type(v.type()->params[0]) + " (convert the elements first, e.g. Int32.(v))");
  if (!d) throw ArgumentError("tensor: the elements must be numbers of one type, got " + show_type(v.type()));
  int64_t n = static_cast<int64_t>(xs.size());
  Value out = new_tensor(t, *d, std::span<const int64_t>(&n, 1));
  const TensorObject& obj = tensor_of(out);
  for (int64_t k = 0; k < n; ++k) store_element(t, obj, k, xs[static_cast<size_t>(k)]);
  return out;
}

void register_tensor_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* tensor = t.lookup("AbstractTensor");  // every tensor, semantic ones included
  const Type* any = t.Any;
  const Type* va_any = t.vararg(any);
  TypeVar* T = t.new_typevar("T");
  const Type* type_t = t.type_of_type(T);
  auto with_type = [&](std::vector<const Type*> rest) {
    rest.insert(rest.begin(), type_t);
    return t.unionall(T, t.tuple(rest));
  };

  // zeros(2, 3) / zeros(Float64, 2, 3): Float32 unless a type comes first (LANGUAGE.md).
  auto maker = [&t](const char* fname, double value) {
    return [&t, fname, value](std::span<const Value> a) {
      bool typed = !a.empty() && a[0].payload() == Payload::Type;
      DType d = typed ? dtype_arg(a[0], fname) : DType::Float32;
      Value out = new_tensor(t, d, dims_of(a, typed ? 1 : 0, fname));
      if (value != 0) fill_all(t, out, Value::from_f64(t.Float64, value));
      return out;
    };
  };
  // __uninitialized(T, dims...): a tensor whose elements are whatever the memory held. Only for
  // the stdlib's buffers that a kernel overwrites in full before anything reads them (the
  // zero fill of conv2d's were ~15% of its time); not part of the language.
  set_result_rule(r.add_where("__uninitialized", with_type({va_any}), {"T", "dims"}, nullptr,
                              [&t](std::span<const Value> a) {
                                return new_tensor(t, dtype_arg(a[0], "__uninitialized"), dims_of(a, 1, "__uninitialized"),
                                                  nullptr, false);
                              }),
                  ResultRule::NewTensor);
  // similar(x), similar(x, T), similar(x, T, dims...), similar(x, dims...): a tensor on x's device, of x's element
  // type (and kind) and shape unless given, whose elements are whatever the memory held, as
  // Julia's similar. __zeros_like(x, T, dims...) is the same zero-filled. The stdlib makes its
  // results with these, so that they are on the device of its inputs.
  auto like = [&t](const char* fname, bool zero) {
    return [&t, fname, zero](std::span<const Value> a) {
      const TensorObject& x = tensor_of(a[0]);
      if (a.size() == 1) {
        std::vector<int64_t> shape(x.shape, x.shape + x.rank);
        return new_tensor(t, x.dtype, shape, a[0].type()->name->is_tensor ? nullptr : a[0].type()->name, zero, device_of(x));
      }
      // similar(x, dims...): x's element type
      if (a[1].payload() != Payload::Type) return new_tensor(t, x.dtype, dims_of(a, 1, fname), nullptr, zero, device_of(x));
      DType d = dtype_arg(a[1], fname);
      std::vector<int64_t> shape = a.size() == 2 ? std::vector<int64_t>(x.shape, x.shape + x.rank) : dims_of(a, 2, fname);
      return new_tensor(t, d, shape, nullptr, zero, device_of(x));
    };
  };
  set_result_rule(r.add("similar", {tensor}, {"x"}, nullptr, like("similar", false)), ResultRule::SameAsFirst);
  set_result_rule(r.add("similar", {tensor, t.Integer, t.vararg(t.Integer)}, {"x", "d1", "dims"}, nullptr, like("similar", false)),
                  ResultRule::SimilarTensor);
  set_result_rule(r.add("similar", {tensor, t.lookup("Tuple")}, {"x", "dims"}, nullptr, like("similar", false)),
                  ResultRule::SimilarTensor);
  for (auto [name, zero] : {std::pair{"similar", false}, std::pair{"__zeros_like", true}})
    set_result_rule(r.add_where(name, t.unionall(T, t.tuple(std::vector<const Type*>{tensor, type_t, va_any})), {"x", "T", "dims"}, nullptr, like(name, zero)),
                    ResultRule::SimilarTensor);
  for (auto [name, value] : {std::pair{"zeros", 0.0}, std::pair{"ones", 1.0}}) {
    r.add(name, {va_any}, {"dims"}, nullptr, maker(name, value));
    set_result_rule(r.add_where(name, with_type({va_any}), {"T", "dims"}, nullptr, maker(name, value)), ResultRule::NewTensor);
  }
  // fill(v, dims...): a float fills a Float32 tensor (the default, as PyTorch's); an integer
  // or a Bool keeps its type (as Julia's fill and torch.full), Int64 for the integer types
  // tensors do not have.
  r.add("fill", {t.Number, va_any}, {"v", "dims"}, nullptr, [&t](std::span<const Value> a) {
    Payload p = a[0].type()->name->payload;
    DType d = DType::Float32;
    if (p == Payload::Int || p == Payload::Bool) d = dtype_of(a[0].type()).value_or(DType::Int64);
    Value out = new_tensor(t, d, dims_of(a, 1, "fill"));
    fill_all(t, out, a[0]);
    return out;
  });
  r.add_where("fill", with_type({t.Number, va_any}), {"T", "v", "dims"}, nullptr, [&t](std::span<const Value> a) {
    Value out = new_tensor(t, dtype_arg(a[0], "fill"), dims_of(a, 2, "fill"));
    fill_all(t, out, a[1]);
    return out;
  });
  auto random = [&t](const char* fname, bool normal) {
    return [&t, fname, normal](std::span<const Value> a) {
      bool typed = !a.empty() && a[0].payload() == Payload::Type;
      // rand() and rand(T) are one number (Float64 by default), as Julia's; with dimensions,
      // a tensor (Float32 by default, LANGUAGE.md).
      bool scalar = a.size() == (typed ? 1u : 0u);
      DType d = typed ? dtype_arg(a[0], fname) : scalar ? DType::Float64 : DType::Float32;
      Value out = new_tensor(t, d, dims_of(a, typed ? 1 : 0, fname));
      RandomState& s = random_state();
      if (normal) fill_randn(t, out, s.seed, s.draws++);
      else fill_rand(t, out, s.seed, s.draws++);
      if (scalar) return load_element(t, tensor_of(out), 0);
      return out;
    };
  };
  r.add("rand", {va_any}, {"dims"}, nullptr, random("rand", false));
  // rand(T) alone is a number: the rule gives a tensor type only when dimensions follow.
  set_result_rule(r.add_where("rand", with_type({va_any}), {"T", "dims"}, nullptr, random("rand", false)), ResultRule::NewTensor);
  r.add("randn", {va_any}, {"dims"}, nullptr, random("randn", true));
  set_result_rule(r.add_where("randn", with_type({va_any}), {"T", "dims"}, nullptr, random("randn", true)), ResultRule::NewTensor);
  r.add("seed!", {t.Integer}, {"seed"}, t.Nothing, [&r](std::span<const Value> a) {
    random_state() = RandomState{static_cast<uint64_t>(a[0].as_int()), 0};
    return r.nothing();
  });
  // __random_seed(): the seed last given to seed! (what a tracked run records).
  r.add("__random_seed", {}, {}, t.Int64, [&r](std::span<const Value>) {
    return r.integer(static_cast<int64_t>(random_state().seed));
  });
  // tensor([1.0, 2.0]): the element type is the vector's.
  r.add("tensor", {any}, {"xs"}, nullptr, [&t](std::span<const Value> a) { return tensor_from_vector(t, a[0]); });
  // What a comprehension over several iterables (`[f(i, j) for i in a, j in b]`) makes: Julia's
  // N-d array, a tensor here. Lowering pushes the values first index fastest (Julia's order),
  // so they fill the reversed shape, whose dimensions are then reversed: element [i, j] is
  // f(a[i], b[j]), as in Julia.
  r.add("__comprehension_tensor", {any, any}, {"values", "shape"}, nullptr, [&t](std::span<const Value> a) {
    const Type* element = a[0].type()->params[0];
    if (a[0].as_struct().fields.empty())
      throw ArgumentError("an empty comprehension over several iterables is not supported yet (its element type is unknown)");
    if (!dtype_of(element))
      throw ArgumentError("a comprehension over several iterables makes a tensor, whose elements are numbers, not " +
                          show_type(element) + " (nested `for` clauses make a vector)");
    std::vector<int64_t> shape = dims_of(a[1].as_struct().fields, 0, "comprehension");
    std::vector<int64_t> perm;
    for (size_t k = shape.size(); k > 0; --k) perm.push_back(static_cast<int64_t>(k));
    std::reverse(shape.begin(), shape.end());
    return tensor_copy(t, permutedims(t, reshape(t, tensor_from_vector(t, a[0]), shape), perm));
  });

  set_result_rule(r.add("size", {tensor}, {"t"}, nullptr, [&t](std::span<const Value> a) {
                    const TensorObject& o = tensor_of(a[0]);
                    return tuple_of(t, std::vector<int64_t>(o.shape, o.shape + o.rank));
                  }),
                  ResultRule::ShapeOfTensor);
  r.add("size", {tensor, t.Integer}, {"t", "d"}, t.Int64, [&r](std::span<const Value> a) {
    const TensorObject& o = tensor_of(a[0]);
    int64_t d = a[1].as_int();
    if (d < 1) throw ArgumentError("dimension out of range: " + std::to_string(d));
    return r.integer(d > o.rank ? 1 : o.shape[d - 1]);
  });
  r.add("ndims", {tensor}, {"t"}, t.Int64, [&r](std::span<const Value> a) { return r.integer(tensor_of(a[0]).rank); });
  // stride(t, d) and strides(t): elements between neighbours along d, as Julia's (so past the
  // last dimension the whole tensor's span); row-major, so a contiguous t's last stride is 1.
  r.add("stride", {tensor, t.Integer}, {"t", "d"}, t.Int64, [&r](std::span<const Value> a) {
    const TensorObject& o = tensor_of(a[0]);
    int64_t d = a[1].as_int();
    if (d < 1) throw ArgumentError("stride: dimension out of range: " + std::to_string(d));
    if (d <= o.rank) return r.integer(o.strides[d - 1]);
    int64_t span = 1;
    for (int i = 0; i < o.rank; ++i) span = std::max(span, o.strides[i] * o.shape[i]);
    return r.integer(span);
  });
  set_result_rule(r.add("strides", {tensor}, {"t"}, nullptr, [&t](std::span<const Value> a) {
                    const TensorObject& o = tensor_of(a[0]);
                    return tuple_of(t, std::vector<int64_t>(o.strides, o.strides + o.rank));
                  }),
                  ResultRule::ShapeOfTensor);
  set_result_rule(r.add("reshape", {tensor, va_any}, {"t", "dims"}, nullptr, [&t](std::span<const Value> a) {
                    // A `:` (Julia's) stands for the one dimension inferred from the others, as -1 does.
                    std::vector<Value> dims(a.begin(), a.end());
                    for (size_t i = 1; i < dims.size(); ++i)
                      if (is_colon_name(dims[i].type()->name)) dims[i] = Value::from_int(t.Int64, -1);
                    return reshape(t, a[0], dims_of(dims, 1, "reshape"));
                  }),
                  ResultRule::ViewOfFirst);
  set_result_rule(r.add("permutedims", {tensor, any}, {"t", "perm"}, nullptr, [&t](std::span<const Value> a) {
    std::vector<int64_t> perm;
    const TypeName* n = a[1].type()->name;
    if (!n->is_tuple && !is_vector_name(n)) throw ArgumentError("permutedims: the permutation is a tuple such as (2, 1)");
    for (const Value& p : a[1].as_struct().fields) perm.push_back(p.as_int());
    return permutedims(t, a[0], perm);
  }), ResultRule::ViewOfFirst);
  set_result_rule(r.add("permutedims", {tensor}, {"t"}, nullptr, [&t](std::span<const Value> a) {
    if (tensor_of(a[0]).rank != 2) throw ArgumentError("permutedims(t) without a permutation is for matrices; give one, as (2, 1, 3)");
    int64_t perm[] = {2, 1};
    return permutedims(t, a[0], perm);
  }), ResultRule::ViewOfFirst);
  auto index = [&t](std::span<const Value> a) {
    // t[:] on a tensor of several dimensions: all its elements in one dimension (row-major),
    // a view where the layout allows, as reshape(t, length(t)).
    if (a.size() == 2 && is_colon_name(a[1].type()->name) && tensor_of(a[0]).rank != 1) {
      int64_t n = tensor_of(a[0]).numel();
      return reshape(t, a[0], std::span<const int64_t>(&n, 1));
    }
    return tensor_index(t, a[0], indices_of(a, 1));
  };
  set_result_rule(r.add("getindex", {tensor, va_any}, {"t", "i"}, nullptr, index), ResultRule::TensorSlice);
  // More specific than both getindex(x, i::Integer) and the above, which would tie.
  r.add("getindex", {tensor, t.Integer}, {"t", "i"}, nullptr, index);
  auto set = [&t](std::span<const Value> a) {
    // t[1, :] = [9, 10]: a vector of numbers is assigned as the tensor it holds.
    if (is_vector_name(a[1].type()->name) && dtype_of(a[1].type()->params[0]))
      tensor_set_index(t, a[0], indices_of(a, 2), tensor_from_vector(t, a[1]));
    else
      tensor_set_index(t, a[0], indices_of(a, 2), a[1]);
    return a[1];
  };
  r.add("setindex!", {tensor, any, va_any}, {"t", "v", "i"}, nullptr, set);
  r.add("setindex!", {tensor, any, t.Integer}, {"t", "v", "i"}, nullptr, set);
  r.add("copy", {tensor}, {"t"}, nullptr, [&t](std::span<const Value> a) { return tensor_copy(t, a[0]); });
  // __shares_storage(a, b): the two tensors are views of one storage (they may overlap), which
  // a kernel's adjoint must know (a launch that writes one and reads the other).
  r.add("__shares_storage", {tensor, tensor}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) {
    return r.boolean(tensor_of(a[0]).storage == tensor_of(a[1]).storage);
  });
  // __storage_vector(t) and __storage_offset(t): all of t's storage as a contiguous vector, and
  // where t's first element lies in it (0-based). Kernels that take any strided matrix through
  // them are compiled once, not once per layout (matmul's: stdlib/Matmul.tsr).
  set_result_rule(r.add("__storage_vector", {tensor}, {"t"}, nullptr, [&t](std::span<const Value> a) {
    const TensorObject& x = tensor_of(a[0]);
    int64_t n = static_cast<int64_t>(x.storage->bytes / dtype_size(x.dtype));
    const int64_t shape[] = {n}, strides[] = {1};
    Value view = tensor_view(t, a[0], shape, strides, 0);  // of t's kind: made a plain Tensor
    view.as_object()->retain();
    return Value::from_object(tensor_type(t, t.TensorName, x.dtype, 1), view.as_object());
  }), ResultRule::StorageOfFirst);
  r.add("__storage_offset", {tensor}, {"t"}, t.Int64, [&t](std::span<const Value> a) {
    return Value::from_int(t.Int64, tensor_of(a[0]).offset);
  });
  // __sole_view(t): no other tensor object (a view, a reshape) shares t's storage, so writes
  // into t are seen through t alone.
  r.add("__sole_view", {tensor}, {"t"}, t.Bool, [&r](std::span<const Value> a) {
    return r.boolean(tensor_of(a[0]).storage->refs.load(std::memory_order_relaxed) == 1);
  });
  // __semantic_like(out, ts): out re-tagged with the semantic type the tensors ts share (their
  // join; plain Tensors are neutral), as broadcasts do. cat and stack keep TensorImage so.
  r.add("__semantic_like", {tensor, any}, {"out", "ts"}, nullptr, [&t](std::span<const Value> a) {
    const TypeName* n = a[1].type()->name;
    if (!n->is_tuple && !is_vector_name(n)) throw ArgumentError("__semantic_like: the tensors are a tuple or a vector");
    const TypeName* kind = shared_kind(t, a[1].as_struct().fields);
    if (kind == t.TensorName || kind == a[0].type()->name) return a[0];
    return retag(t, a[0], kind);
  });
  // a == b: the same shape and equal elements, compared by == (so 1 == 1.0), as Julia's arrays.
  r.add("==", {tensor, tensor}, {"a", "b"}, t.Bool, [&r, &t](std::span<const Value> a) {
    const TensorObject &x = tensor_of(a[0]), &y = tensor_of(a[1]);
    if (x.rank != y.rank || !std::equal(x.shape, x.shape + x.rank, y.shape)) return r.boolean(false);
    GenericFunction& eq = r.g_.function("==");
    for (int64_t k = 0, n = x.numel(); k < n; ++k) {
      Value pair[] = {load_element(t, x, storage_offset(x, k)), load_element(t, y, storage_offset(y, k))};
      if (!eq.call(pair, 2).as_bool()) return r.boolean(false);
    }
    return r.boolean(true);
  });
}

}  // namespace tsr::jit
