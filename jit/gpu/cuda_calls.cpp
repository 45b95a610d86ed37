// The CUDA C++ printer's calls, tensor accesses and kernel IR (cuda_fn.hpp), as
// device_calls.cpp does them for LLVM.
#include <fmt/format.h>

#include "jit/gpu/cuda_fn.hpp"
#include "jit/may_throw.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit::gpu {

std::string CudaFn::call(Node* n) {
  if (n->bind == Bind::Folded) {
    for (size_t i = 1; i < n->kids.size(); ++i) {
      if (!folded_constant(n->kids[i])) emit(n->kids[i]);
    }
    return literal(n->literal, n->type, n);
  }
  std::vector<std::string> args;
  std::vector<const Type*> ts;
  for (size_t i = 1; i < n->kids.size(); ++i) {
    args.push_back(emit(n->kids[i]));
    ts.push_back(type_of(n->kids[i]));
  }
  if (dead_) return "false";
  switch (n->bind) {
    case Bind::Intrinsic: {
      auto op = static_cast<Intrinsic>(n->intrinsic);
      auto typing = intrinsic_typing(types_, op, ts);
      if (!typing) throw InternalError("intrinsic bound without a typing");
      std::string v = cuda_number_op(*this, n, op, args, ts, typing->compute, typing->result);
      return bind(typing->result, cast(v, typing->compute, typing->result));
    }
    case Bind::Static: {
      if (!n->spec) break;
      Spec& callee = *n->spec;
      std::string f = cm_.function(callee);
      std::string list;
      for (size_t i = 0; i < args.size() && i < callee.argtypes.size(); ++i)
        list += (i ? ", " : "") + convert(args[i], ts[i], callee.argtypes[i], n);
      if (callee.ret->kind == TypeKind::Bottom) {
        line(fmt::format("{}({});", f, list));
        dead_ = true;
        return "false";
      }
      return bind(callee.ret, fmt::format("{}({})", f, list));
    }
    case Bind::TensorGet:
    case Bind::TensorSet:
    case Bind::TensorAtomicAdd: return tensor_access(n, args, ts);
    case Bind::TensorSize:
    case Bind::TensorLength: return tensor_shape(n, args, ts);
    case Bind::TupleGet: {
      auto dt = as_datatype(n->kids[1]->type);
      size_t i = static_cast<size_t>(n->kids[2]->literal.as_int() - 1);
      if (!dt || !dt->name->is_tuple || i >= dt->params.size()) throw InternalError("a tuple load bound without a tuple of known length");
      return bind(dt->params[i], fmt::format("{}.f{}", convert(args[0], ts[0], dt, n), i));
    }
    case Bind::Construct:
      switch (inline_construct(n)) {
        case InlineConstruct::No: break;
        case InlineConstruct::FloatConversion: return bind(n->type, cast(args[0], ts[0], n->type));
        case InlineConstruct::Struct: {
          auto dt = as_datatype(n->type);
          std::string init;
          for (size_t i = 0; i < args.size(); ++i) init += (i ? ", " : "") + convert(args[i], ts[i], dt->field_types[i], n);
          return bind(n->type, fmt::format("{}{{{}}}", cm_.ctype(n->type), init));
        }
      }
      if (args.size() == 1 && is_bits_number(n->type) && is_bits_number(ts[0])) return int_conversion(n, args[0], ts[0]);
      unsupported(n, "constructing a " + show_type(n->type));
    default: break;
  }
  std::string sig = n->kids[0]->op == Op::Global ? n->kids[0]->name : "a call";
  sig += "(";
  for (size_t i = 0; i < ts.size(); ++i) sig += (i ? ", ::" : "::") + show_type(ts[i]);
  unsupported(n, "the call " + sig + ")");
}

std::string CudaFn::tensor_access(Node* n, const std::vector<std::string>& args, const std::vector<const Type*>& ts) {
  bool set = n->bind == Bind::TensorSet;
  bool atomic = n->bind == Bind::TensorAtomicAdd;
  auto dt = as_datatype(ts[0]);
  const Type* elem = dt->params[0];
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  const std::string& t = args[0];
  size_t first = set ? 2 : 1;
  std::string offset = "0", bad;
  for (int d = 0; d < rank; ++d) {
    std::string i = bind(types_.Int64, cast(args[first + d], ts[first + d], types_.Int64));
    offset += fmt::format(" + ({} - 1) * {}.strides[{}]", i, t, d);
    bad += fmt::format("{}(unsigned long long)({} - 1) >= (unsigned long long){}.shape[{}]", d ? " || " : "", i, t, d);
  }
  if (!n->inbounds && rank > 0)
    raise_if(bad, "BoundsError", "attempt to access a " + show_type(ts[0]) + " out of its bounds (on the GPU: the index is not reported)", n);
  std::string place = fmt::format("{}.data[{}]", t, offset);
  bool b = elem == types_.Bool;
  if (atomic) {
    std::string v = cast(args.back(), ts.back(), elem);
    std::string ct = cuda_number_type(elem);
    if (ct == "float" || ct == "double" || ct == "int" || ct == "unsigned int" || ct == "unsigned long long")
      return bind(elem, fmt::format("atomicAdd(&{}, {})", place, v));
    if (ct == "long long")  // two's complement: the unsigned add is the signed one
      return bind(elem, fmt::format("(long long)atomicAdd((unsigned long long*)&{}, (unsigned long long){})", place, v));
    unsupported(n, "atomic_add! on a tensor of " + show_type(elem));
  }
  if (!set) return bind(elem, b ? fmt::format("({} != 0)", place) : place);
  std::string v = cast(args[1], ts[1], elem);
  line(fmt::format("{} = {};", place, b ? fmt::format("(unsigned char)({})", v) : v));
  return args[1];
}

std::string CudaFn::tensor_shape(Node* n, const std::vector<std::string>& args, const std::vector<const Type*>& ts) {
  auto dt = as_datatype(ts[0]);
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  const std::string& t = args[0];
  if (n->bind == Bind::TensorLength) {
    std::string len = "1ll";
    for (int d = 0; d < rank; ++d) len += fmt::format(" * {}.shape[{}]", t, d);
    return bind(types_.Int64, len);
  }
  // size(t, d): 1..rank from the shape, past it 1 (as Julia), below 1 an error.
  std::string d = bind(types_.Int64, cast(args[1], ts[1], types_.Int64));
  raise_if(d + " < 1", "ArgumentError", "dimension out of range: size(t, d) needs d >= 1", n);
  std::string v = "1ll";
  for (int k = rank; k-- > 0;) v = fmt::format("({} == {} ? {}.shape[{}] : {})", d, k + 1, t, k, v);
  return bind(types_.Int64, v);
}

// From the kernel body's trailing arguments (#lin, #g1, #g2, #g3, #wg, #rank), which the entry
// computes from threadIdx, blockIdx and blockDim.
std::string CudaFn::work_item(Node* n) {
  size_t first = body_.nargs - kKernelIndexArgCount;
  auto arg = [&](size_t k) { return slot_[first + k]; };
  switch (n->item) {
    case WorkItem::GlobalLinear: return arg(0);
    case WorkItem::GroupSize: return arg(4);
    case WorkItem::NDims: return arg(5);
    case WorkItem::Local: return bind(types_.Int64, fmt::format("({} - 1) % {} + 1", arg(0), arg(4)));
    case WorkItem::Group: return bind(types_.Int64, fmt::format("({} - 1) / {} + 1", arg(0), arg(4)));
    case WorkItem::GlobalCartesian: break;
  }
  int d = n->dim;
  if (d == 1) return arg(1);
  raise_if(d > 3 ? std::string("true") : fmt::format("{} < {}", arg(5), d), "BoundsError",
           "attempt to access the ndrange's index tuple at index [" + std::to_string(d) + "]", n);
  return d <= 3 ? arg(static_cast<size_t>(d)) : "0ll";
}

std::string CudaFn::local_memory(Node* n) {
  auto dt = as_datatype(n->type);
  if (!dt || !is_device_tensor(dt)) unsupported(n, "@localmem of this type");
  std::vector<int64_t> dims;
  if (!localmem_shape(n, dims)) unsupported(n, "@localmem with a shape that is not constant");
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::string elem = cm_.element_ctype(dt->params[0]);
  std::string data = cm_.shared_array(n->slot, elem, count);
  std::string shape_s, strides_s;
  int64_t stride = 1;
  std::vector<int64_t> strides(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= dims[d];
  }
  for (size_t d = 0; d < dims.size(); ++d) {
    shape_s += fmt::format("{}{}", d ? ", " : "", dims[d]);
    strides_s += fmt::format("{}{}", d ? ", " : "", strides[d]);
  }
  return bind(n->type, fmt::format("{}{{{}, {{{}}}, {{{}}}}}", cm_.ctype(n->type), data, shape_s, strides_s));
}



// Int64(x), UInt8(x), Bool(x) from a number, as device_calls.cpp's int_conversion.
std::string CudaFn::int_conversion(Node* n, const std::string& x, const Type* from) {
  const Type* to = n->type;
  std::string T = cuda_number_type(to);
  bool fl = is_bits_float(from);
  std::string ok;
  std::string r;
  if (to == types_.Bool) {
    ok = fmt::format("({} == 0 || {} == 1)", x, x);
    r = fmt::format("({} == 1)", x);
  } else if (fl) {
    int bits = integer_bits(to);
    bool un = is_unsigned_integer(to);
    std::string f = cuda_number_type(from);
    std::string lo = un ? "0.0" : fmt::format("-0x1p{}", bits - 1);
    std::string hi = fmt::format("0x1p{}", bits - (un ? 0 : 1));
    ok = fmt::format("(trunc({}) == {} && {} >= ({}){} && {} < ({}){})", x, x, x, f, lo, x, f, hi);
    r = fmt::format("({})({})", T, x);
  } else {
    bool from_un = is_unsigned_integer(from) || from == types_.Bool;
    bool to_un = is_unsigned_integer(to);
    std::string cast = fmt::format("({})({})", T, x);
    ok = fmt::format("(({}){} == {} && {} == {})", cuda_number_type(from), cast, x, from_un ? "false" : fmt::format("({} < 0)", x),
                     to_un ? "false" : fmt::format("({} < 0)", cast));
    r = cast;
  }
  raise_if("!" + ok, "InexactError", show_type(to) + "(x): x is not representable (on the GPU: x is not reported)", n);
  return bind(to, r);
}

}  // namespace tsr::jit::gpu
