// The CUDA C++ printer (cuda_source.hpp, cuda_fn.hpp): types, functions, nodes, the entry.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "jit/definite_assignment.hpp"
#include "jit/gpu/cuda_fn.hpp"
#include "jit/may_throw.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit::gpu {

namespace {

bool is_bool_type(const Type* t) { return as_datatype(t) && as_datatype(t)->name->payload == Payload::Bool; }

std::string c_name(const std::string& s) {
  std::string out;
  for (char ch : s) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  return out;
}

// A float as a C++ literal that reads back exactly (hexadecimal; non-finite by its bits).
std::string float_literal(double v, bool f32) {
  if (std::isnan(v)) return f32 ? "__int_as_float(0x7fc00000)" : "__longlong_as_double(0x7ff8000000000000ll)";
  if (std::isinf(v)) return f32 ? (v > 0 ? "__int_as_float(0x7f800000)" : "__int_as_float(0xff800000)")
                                : (v > 0 ? "__longlong_as_double(0x7ff0000000000000ll)" : "__longlong_as_double(0xfff0000000000000ll)");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return f32 ? std::string("(float)") + buf : std::string(buf);
}

}  // namespace

// ---- the module ----

std::string CudaModule::element_ctype(const Type* elem) {
  if (is_bool_type(elem)) return "unsigned char";
  std::string t = cuda_number_type(elem);
  if (t.empty()) throw ErrorException("the CUDA C++ backend does not take tensors of " + show_type(elem) + " yet");
  return t;
}

std::string CudaModule::ctype(const Type* t) {
  if (auto it = types_.find(t); it != types_.end()) return it->second;
  std::string name;
  int rank = 0;
  auto dt = as_datatype(t);
  if (is_device_tensor(t, &rank)) {
    name = fmt::format("TsrTensor<{}, {}>", element_ctype(dt->params[0]), rank);
  } else if (t && t->kind != TypeKind::Bottom && is_bits(t) && !is_inline_struct(t)) {
    name = cuda_number_type(t);
    if (name.empty()) throw ErrorException("the CUDA C++ backend does not take " + show_type(t) + " yet");
  } else if (is_device_aggregate(t)) {
    const auto& fields = aggregate_fields(t);
    std::string body;
    for (size_t i = 0; i < fields.size(); ++i) body += fmt::format(" {} f{};", ctype(fields[i]), i);
    name = fmt::format("tsr_{}{}", dt->name->is_tuple ? "tuple" : "struct", next_type_++);
    type_defs_ += fmt::format("struct {} {{{} }};  // {}\n", name, body, show_type(t));
  } else {
    name = "TsrUnit";  // a constant: a type, a function
  }
  types_[t] = name;
  return name;
}

std::string CudaModule::function(Spec& s) {
  if (auto it = functions_.find(&s); it != functions_.end()) return it->second;
  std::string name = fmt::format("tsr_dev_{}_{}", c_name(s.body->name), s.id);
  functions_[&s] = name;
  std::string params;
  for (size_t i = 0; i < s.argtypes.size(); ++i) params += fmt::format("{}{} a{}", i ? ", " : "", ctype(s.argtypes[i]), i);
  std::string ret = s.ret->kind == TypeKind::Bottom ? "void" : ctype(s.ret);
  prototypes_ += fmt::format("static __device__ {} {}({});\n", ret, name, params);
  std::string def = CudaFn(*this, s).print(name);
  definitions_ += fmt::format("static __device__ {} {}({}) {{\n{}}}\n\n", ret, name, params, def);
  return name;
}

int CudaModule::add_site(DeviceErrorSite site) {
  sites_.push_back(std::move(site));
  return static_cast<int>(sites_.size()) - 1;
}

std::string CudaModule::shared_array(int site, const std::string& elem, int64_t count) {
  if (auto it = shared_.find(site); it != shared_.end()) return it->second;
  std::string name = fmt::format("tsr_localmem_{}", site);
  shared_defs_ += fmt::format("__shared__ __align__(16) {} {}[{}];\n", elem, name, std::max<int64_t>(count, 1));
  shared_[site] = name;
  return name;
}

std::string CudaModule::flatten_param(const Type* t, const std::string& p, std::vector<std::string>& params, bool noalias) {
  int rank = 0;
  auto dt = as_datatype(t);
  if (is_device_tensor(t, &rank)) {
    std::string e = element_ctype(dt->params[0]);
    params.push_back(fmt::format("{}*{} {}_data", e, noalias ? " __restrict__" : "", p));
    std::string shape, strides;
    for (int k = 0; k < rank; ++k) {
      params.push_back(fmt::format("long long {}_d{}", p, k));
      shape += fmt::format("{}{}_d{}", k ? ", " : "", p, k);
    }
    for (int k = 0; k < rank; ++k) {
      params.push_back(fmt::format("long long {}_s{}", p, k));
      strides += fmt::format("{}{}_s{}", k ? ", " : "", p, k);
    }
    return fmt::format("{}{{{}_data, {{{}}}, {{{}}}}}", ctype(t), p, shape, strides);
  }
  if (is_bits(t) && !is_inline_struct(t)) {
    if (is_bool_type(t)) {
      params.push_back(fmt::format("unsigned char {}", p));
      return fmt::format("({} != 0)", p);
    }
    params.push_back(fmt::format("{} {}", ctype(t), p));
    return p;
  }
  if (is_device_aggregate(t)) {
    const auto& fields = aggregate_fields(t);
    std::string init;
    for (size_t i = 0; i < fields.size(); ++i) init += (i ? ", " : "") + flatten_param(fields[i], fmt::format("{}_{}", p, i), params, noalias);
    return fmt::format("{}{{{}}}", ctype(t), init);
  }
  return "TsrUnit{}";
}

void CudaModule::print_entry(const std::string& body) {
  size_t nuser = kernel_.argtypes.size() - kKernelIndexArgCount;
  std::vector<std::string> params, args;
  for (size_t i = 0; i < nuser; ++i) args.push_back(flatten_param(kernel_.argtypes[i], fmt::format("p{}", i), params, kernel_.layout.noalias));
  for (const char* p : {"tsr_total", "tsr_n1", "tsr_n2", "tsr_n3", "tsr_rank"}) params.push_back(fmt::format("long long {}", p));
  std::string plist;
  for (size_t i = 0; i < params.size(); ++i) plist += (i ? ", " : "") + params[i];
  entry_ = fmt::format("extern \"C\" __global__ void {}({}) {{\n", device_entry_name(kernel_), plist);
  entry_ += "  long long lin0 = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n";
  // Past the ndrange: nothing to do (with barriers launch makes whole work-groups instead).
  if (!kernel_.body->uses_barrier) entry_ += "  if (lin0 >= tsr_total) return;\n";
  entry_ += "  long long g3 = lin0 % tsr_n3 + 1, g2 = (lin0 / tsr_n3) % tsr_n2 + 1, g1 = lin0 / (tsr_n2 * tsr_n3) + 1;\n";
  std::string call_args;
  for (const std::string& a : args) call_args += a + ", ";
  entry_ += fmt::format("  {}({}lin0 + 1, g1, g2, g3, (long long)blockDim.x, tsr_rank);\n}}\n", body, call_args);
}

DeviceCode CudaModule::print() {
  verify_device_kernel(kernel_, DeviceTarget::Gpu);
  std::string body = function(kernel_);
  print_entry(body);
  DeviceCode code;
  code.entry = device_entry_name(kernel_);
  code.sites = sites_;
  code.text = std::string(cuda_prelude()) + "\n" + type_defs_ + shared_defs_ + "\n" + prototypes_ + "\n" + definitions_ + entry_;
  return code;
}

DeviceCode kernel_cuda_source(Compiler& c, Spec& kernel) { return CudaModule(c, kernel).print(); }

// A broadcast loop as a kernel with device_gen.hpp's generate_broadcast ABI.
DeviceCode CudaModule::print_broadcast(const BroadcastLoop& loop) {
  if (std::string why = broadcast_device_problems(loop); !why.empty()) throw ErrorException(why);
  Spec& f = *loop.f;
  std::string body = function(f);
  size_t nout = loop.outs.size(), nleaf = loop.is_tensor.size();
  std::vector<std::string> params;
  std::vector<std::string> bases;  // per value: its pointer ("" for a scalar)
  std::vector<std::string> args;
  for (size_t k = 0; k < nout; ++k) {
    params.push_back(fmt::format("{}* o{}", element_ctype(loop.outs[k].elem), k));
    bases.push_back(fmt::format("o{}", k));
  }
  for (size_t k = 0; k < nleaf; ++k) {
    if (loop.is_tensor[k]) {
      params.push_back(fmt::format("const {}* l{}", element_ctype(f.argtypes[k]), k));
      bases.push_back(fmt::format("l{}", k));
    } else {
      bases.push_back("");
      args.push_back(flatten_param(f.argtypes[k], fmt::format("l{}", k), params, false));
    }
  }
  params.push_back("long long tsr_total");
  params.push_back("const long long* tsr_meta");
  std::string plist;
  for (size_t i = 0; i < params.size(); ++i) plist += (i ? ", " : "") + params[i];
  std::string e = fmt::format("extern \"C\" __global__ void {}({}) {{\n", broadcast_entry_name(loop), plist);
  e += "  long long lin0 = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n  if (lin0 >= tsr_total) return;\n";
  // The leaves in f's argument order (tensors' elements at off{v}SUFFIX, scalars as passed)
  // into a{k}SUFFIX, then f called and the outputs stored.
  auto loads = [&](const std::string& sfx) {
    std::string out;
    size_t scalar_k = 0;
    for (size_t k = 0; k < nleaf; ++k) {
      std::string x;
      if (loop.is_tensor[k]) {
        x = fmt::format("{}[off{}{}]", bases[nout + k], nout + k, sfx);
        if (is_bool_type(f.argtypes[k])) x = "(" + x + " != 0)";
      }
      else x = args[scalar_k++];
      out += fmt::format("    auto a{}{} = {};\n", k, sfx, x);
    }
    return out;
  };
  auto compute_store = [&](const std::string& sfx) {
    std::string call;
    for (size_t k = 0; k < nleaf; ++k) call += fmt::format("{}a{}{}", k ? ", " : "", k, sfx);
    std::string out = fmt::format("    {} r{} = {}({});\n", ctype(f.ret), sfx, body, call);
    for (size_t k = 0; k < nout; ++k) {
      const BroadcastOut& o = loop.outs[k];
      std::string x = o.field >= 0 ? fmt::format("r{}.f{}", sfx, o.field) : "r" + sfx;
      std::string t = is_bool_type(o.elem) ? fmt::format("(unsigned char)({} != 0)", x) : fmt::format("({})({})", cuda_number_type(o.elem), x);
      out += fmt::format("    o{}[off{}{}] = {};\n", k, k, sfx, t);
    }
    return out;
  };
  std::string offs, sums;
  auto offsets_at = [&](const std::string& sfx, const std::string& at) {
    std::string out;
    for (size_t v = 0; v < bases.size(); ++v)
      if (!bases[v].empty()) out += fmt::format("{}off{}{} = {}", out.empty() ? "" : ", ", v, sfx, at);
    return "    long long " + out + ";\n";
  };
  for (size_t v = 0; v < bases.size(); ++v)
    if (!bases[v].empty()) {
      offs += fmt::format("{}off{} = 0", offs.empty() ? "" : ", ", v);
      sums += fmt::format("    off{} += i * tsr_meta[1 + rank + {} * rank + d];\n", v, v);
    }
  // No meta array: every tensor is laid out as the result is; a work item takes
  // kLinearPerItem elements a block apart (device_gen.hpp, generate_broadcast), all loads
  // first when all are inside (an output aliases a leaf only element for element).
  e += fmt::format("  if (!tsr_meta) {{\n    long long first = ((long long)blockIdx.x * blockDim.x) * {} + threadIdx.x;\n", kLinearPerItem);
  e += fmt::format("    if (first + (long long)({} - 1) * blockDim.x < tsr_total) {{\n", kLinearPerItem);
  std::string full_loads, full_stores;
  for (int64_t k = 0; k < kLinearPerItem; ++k) {
    std::string sfx = "_" + std::to_string(k);
    e += offsets_at(sfx, fmt::format("first + (long long){} * blockDim.x", k));
    full_loads += loads(sfx);
    full_stores += compute_store(sfx);
  }
  e += full_loads + full_stores + "    return;\n    }\n";
  e += fmt::format("    for (int k = 0; k < {}; ++k) {{\n", kLinearPerItem);
  e += "    long long e = first + (long long)k * blockDim.x;\n    if (e >= tsr_total) return;\n" + offsets_at("", "e");
  e += loads("") + compute_store("") + "    }\n    return;\n  }\n";
  e += "  long long rank = tsr_meta[0], rest = lin0;\n";
  e += "  long long " + offs + ";\n";
  e += "  for (long long d = rank - 1; d >= 0; --d) {\n    long long n = tsr_meta[1 + d], i = rest % n;\n    rest /= n;\n" + sums + "  }\n";
  e += "  {\n" + loads("") + compute_store("") + "  }\n";
  e += "}\n";
  entry_ = e;
  DeviceCode code;
  code.entry = broadcast_entry_name(loop);
  code.sites = sites_;
  code.text = std::string(cuda_prelude()) + "\n" + type_defs_ + shared_defs_ + "\n" + prototypes_ + "\n" + definitions_ + entry_;
  return code;
}

DeviceCode broadcast_cuda_source(Compiler& c, const BroadcastLoop& loop) { return CudaModule(c, *loop.f).print_broadcast(loop); }

// ---- one function ----

void CudaFn::unsupported(const Node* at, const std::string& what) {
  const SrcLoc& l = at ? at->loc : body_.loc;
  throw ErrorException((l.file ? *l.file : std::string("?")) + ":" + std::to_string(l.line) + ": " + what +
                       " cannot be compiled for the GPU yet (in " + body_.name + ")");
}

void CudaFn::line(const std::string& text) {
  if (dead_) return;
  out_.append(static_cast<size_t>(2 * indent_), ' ');
  out_ += text;
  out_ += '\n';
}

std::string CudaFn::bind_c(const std::string& ctype, const std::string& expr) {
  std::string v = fmt::format("t{}", next_++);
  line(fmt::format("{} {} = {};", ctype, v, expr));
  return v;
}

std::string CudaFn::bind(const Type* t, const std::string& expr) { return bind_c(cm_.ctype(t), expr); }

std::string CudaFn::cast(const std::string& expr, const Type* from, const Type* to) {
  if (from == to) return expr;
  if (is_bool_type(to)) return fmt::format("({} != 0)", expr);
  return fmt::format("({})({})", cuda_number_type(to), expr);
}

std::string CudaFn::convert(const std::string& expr, const Type* from, const Type* to, const Node* at) {
  if (!to || from == to) return expr;
  if (is_bits_number(from) && is_bits_number(to)) return cast(expr, from, to);
  if (cm_.ctype(from) == cm_.ctype(to)) return expr;  // one representation (a semantic tensor re-typed)
  unsupported(at, "a " + show_type(from) + " where a " + show_type(to) + " is expected");
}

void CudaFn::raise(const std::string& kind, const std::string& message, const Node* at) {
  int site = cm_.add_site(DeviceErrorSite{kind, message, at ? at->loc : body_.loc, body_.name});
  line(fmt::format("tsr_raise({});  // {}: {}", site, kind, message));
}

void CudaFn::raise_if(const std::string& cond, const std::string& kind, const std::string& message, const Node* at) {
  if (dead_) return;
  int site = cm_.add_site(DeviceErrorSite{kind, message, at ? at->loc : body_.loc, body_.name});
  line(fmt::format("if ({}) tsr_raise({});  // {}", cond, site, kind));
}

std::string CudaFn::truth(const std::string& expr, const Type* t, const Node* at) {
  if (t == types_.Bool) return expr;
  raise("TypeError", "non-boolean (" + show_type(t) + ") used in boolean context", at);
  dead_ = true;
  return "false";
}

std::string CudaFn::print(const std::string& name) {
  (void)name;
  for (size_t i = 0; i < body_.slots.size(); ++i) {
    const Type* t = body_.slots[i].type;
    if (!t || t->kind == TypeKind::Bottom) {
      slot_.push_back("");
      continue;
    }
    slot_.push_back(fmt::format("s{}_{}", i, c_name(body_.slots[i].name)));
    line(fmt::format("{} {}{};", cm_.ctype(t), slot_.back(), i < s_.argtypes.size() ? fmt::format(" = a{}", i) : ""));
  }
  // A closure's captures: the fields of argument 0, the closure itself.
  if (!body_.capture_slots.empty()) {
    auto dt = s_.argtypes.empty() ? nullptr : as_datatype(s_.argtypes[0]);
    if (!dt || !is_device_aggregate(dt)) unsupported(nullptr, "a closure that captures what a GPU cannot hold");
    for (int slot : body_.capture_slots) {
      const auto& names = dt->name->field_names;
      size_t i = std::find(names.begin(), names.end(), body_.slots[slot].name) - names.begin();
      if (i == names.size()) unsupported(nullptr, "the capture `" + body_.slots[slot].name + "`");
      if (!slot_[slot].empty()) line(fmt::format("{} = a0.f{};", slot_[slot], i));
    }
  }
  std::vector<bool> maybe = slots_maybe_unassigned(body_);
  defined_.assign(body_.slots.size(), "");
  for (size_t i = 0; i < body_.slots.size(); ++i)
    if (maybe[i] && !slot_[i].empty()) {
      defined_[i] = slot_[i] + "_defined";
      line(fmt::format("bool {} = {};", defined_[i], i < s_.argtypes.size() ? "true" : "false"));
    }
  for (size_t k = 0; k < body_.kwdefaults.size(); ++k) {
    std::string d = emit(body_.kwdefaults[k]);
    int slot = static_cast<int>(body_.nargs + k);
    if (!slot_[slot].empty()) line(fmt::format("{} = {};", slot_[slot], convert(d, type_of(body_.kwdefaults[k]), body_.slots[slot].type, nullptr)));
  }
  std::string last = emit(body_.root);
  if (!dead_) {
    if (s_.ret->kind == TypeKind::Bottom) line("return;");
    else line(fmt::format("return {};", convert(last, type_of(body_.root), s_.ret, body_.root)));
  }
  return out_;
}

const Type* CudaFn::type_of(Node* n) {
  if (n->op == Op::Slot && n->slot >= 0) return body_.slots[n->slot].type;
  return n->type;
}

std::string CudaFn::literal(const Value& v, const Type* t, const Node* at) {
  if (v.payload() == Payload::Type || v.payload() == Payload::Function) return "TsrUnit{}";
  const Type* vt = v.type() ? v.type() : t;
  auto dt = as_datatype(vt);
  if (is_bits(vt) && !is_inline_struct(vt)) {
    switch (dt->name->payload) {
      case Payload::Float64: return float_literal(v.as_f64(), false);
      case Payload::Float32: return float_literal(v.as_f32(), true);
      case Payload::Bool: return v.as_bool() ? "true" : "false";
      case Payload::None: return "false";
      default: break;
    }
    std::string ct = cuda_number_type(vt);
    if (is_unsigned_integer(vt)) return fmt::format("({})0x{:x}ull", ct, static_cast<uint64_t>(v.as_int()));
    int64_t i = v.as_int();
    if (i == INT64_MIN) return "(-9223372036854775807ll - 1)";
    return fmt::format("({}){}ll", ct, i);
  }
  if (is_device_aggregate(vt) && v.payload() == Payload::Object) {
    const auto& fields = v.as_struct().fields;
    std::string init;
    for (size_t i = 0; i < fields.size(); ++i) init += (i ? ", " : "") + literal(fields[i], aggregate_fields(vt)[i], at);
    return fmt::format("{}{{{}}}", cm_.ctype(vt), init);
  }
  if (cm_.ctype(vt) == "TsrUnit") return "TsrUnit{}";
  unsupported(at, "the constant " + show_value(v));
}

std::string CudaFn::emit(Node* n) {
  switch (n->op) {
    case Op::Literal: return literal(n->literal, n->type, n);
    case Op::Slot: {
      if (slot_[n->slot].empty()) unsupported(n, "a variable of no type");
      if (!defined_[n->slot].empty())
        raise_if("!" + defined_[n->slot], "UndefVarError", "`" + body_.slots[n->slot].name + "` not defined in local scope", n);
      return slot_[n->slot];
    }
    case Op::SetSlot: {
      std::string v = emit(n->kids[0]);
      if (slot_[n->slot].empty()) return v;
      line(fmt::format("{} = {};", slot_[n->slot], convert(v, type_of(n->kids[0]), body_.slots[n->slot].type, n)));
      if (!defined_[n->slot].empty()) line(defined_[n->slot] + " = true;");
      return slot_[n->slot];
    }
    case Op::Global:
    case Op::SParam:
      if (n->literal.defined()) return literal(n->literal, n->type, n);
      unsupported(n, n->op == Op::Global ? "the global variable `" + n->name + "`" : "a `where` variable without a value");
    case Op::Call: return call(n);
    case Op::Block: {
      std::string last = "false";
      for (Node* k : n->kids) {
        if (dead_) break;
        last = emit(k);
      }
      return last;
    }
    case Op::If: return emit_if(n);
    case Op::While: return emit_while(n);
    case Op::Break:
      line("break;");
      dead_ = true;
      return "false";
    case Op::Continue:
      line(fmt::format("goto step{};", loops_.back()));
      dead_ = true;
      return "false";
    case Op::Return: {
      std::string v = emit(n->kids[0]);
      if (s_.ret->kind == TypeKind::Bottom) line("return;");
      else line(fmt::format("return {};", convert(v, type_of(n->kids[0]), s_.ret, n)));
      dead_ = true;
      return "false";
    }
    case Op::And:
    case Op::Or: return emit_andor(n);
    case Op::Tuple: {
      auto dt = as_datatype(n->type);
      std::string init;
      for (size_t i = 0; i < n->kids.size(); ++i) {
        std::string e = emit(n->kids[i]);
        init += (i ? ", " : "") + convert(e, type_of(n->kids[i]), dt->params[i], n);
      }
      return bind(n->type, fmt::format("{}{{{}}}", cm_.ctype(n->type), init));
    }
    case Op::GetField: {
      std::string obj = emit(n->kids[0]);
      auto dt = as_datatype(type_of(n->kids[0]));
      if (dt && is_inline_struct(dt)) {
        const auto& names = dt->name->field_names;
        for (size_t i = 0; i < names.size(); ++i)
          if (names[i] == n->name) return bind(dt->field_types[i], fmt::format("{}.f{}", obj, i));
      }
      unsupported(n, "the field `" + n->name + "`");
    }
    case Op::TypeAssert: {
      std::string v = emit(n->kids[0]);
      const Type* t = type_of(n->kids[0]);
      if (!types_.issub(t, n->type_arg)) {
        raise("TypeError", "in typeassert, expected " + show_type(n->type_arg) + ", got a value of type " + show_type(t), n);
        dead_ = true;
      }
      return v;
    }
    case Op::Unset:
      if (!defined_[n->slot].empty()) line(defined_[n->slot] + " = false;");
      return "false";
    case Op::WorkItem: return work_item(n);
    case Op::Barrier:
      line("__syncthreads();");
      return "false";
    case Op::LocalMem: return local_memory(n);
    case Op::SetGlobal: unsupported(n, "assigning a global variable");
    case Op::Vect: unsupported(n, "a vector literal");
    case Op::SetField: unsupported(n, "assigning a field");
    case Op::Try: unsupported(n, "try/catch");
    case Op::Lambda: {
      // A closure whose captures a GPU holds: a struct of them (device_fn.cpp says why).
      if (n->kids.empty()) return "TsrUnit{}";  // captures nothing
      if (!is_device_aggregate(n->type)) unsupported(n, "a closure (" + show_type(n->type) + ") that captures what a GPU cannot hold");
      const auto& fields = aggregate_fields(n->type);
      std::string init;
      for (size_t i = 0; i < n->kids.size(); ++i) {
        std::string e = emit(n->kids[i]);
        init += (i ? ", " : "") + convert(e, type_of(n->kids[i]), fields[i], n);
      }
      return bind(n->type, fmt::format("{}{{{}}}", cm_.ctype(n->type), init));
    }
    case Op::NewCell:
    case Op::CellGet:
    case Op::CellSet: unsupported(n, "a variable captured by a closure");
  }
  unsupported(n, std::string("the node ") + op_name(n->op));
}

std::string CudaFn::emit_if(Node* n) {
  std::string c = truth(emit(n->kids[0]), type_of(n->kids[0]), n);
  if (dead_) return "false";
  if (int taken = folded_branch(n->kids[0])) {
    // Inference typed the If as the branch taken (jit/infer.cpp): that branch only.
    if (taken == 1) return emit(n->kids[1]);
    return n->kids.size() > 2 ? emit(n->kids[2]) : "false";
  }
  bool has_value = n->type && n->type->kind != TypeKind::Bottom && cm_.ctype(n->type) != "TsrUnit" && n->type != types_.Nothing;
  std::string r;
  if (has_value) {
    r = fmt::format("t{}", next_++);
    line(fmt::format("{} {};", cm_.ctype(n->type), r));
  }
  line(fmt::format("if ({}) {{", c));
  auto branch = [&](Node* k) {
    ++indent_;
    std::string v = k ? emit(k) : "false";
    if (has_value && !dead_) line(fmt::format("{} = {};", r, convert(v, type_of(k), n->type, n)));
    --indent_;
    bool d = dead_;
    dead_ = false;
    return d;
  };
  bool then_dead = branch(n->kids[1]);
  line("} else {");
  bool else_dead = branch(n->kids.size() > 2 ? n->kids[2] : nullptr);
  line("}");
  dead_ = then_dead && else_dead;
  return has_value ? r : "false";
}

std::string CudaFn::emit_while(Node* n) {
  int id = next_++;
  line("for (;;) {");
  ++indent_;
  std::string c = truth(emit(n->kids[0]), type_of(n->kids[0]), n);
  line(fmt::format("if (!({})) break;", c));
  loops_.push_back(id);
  line("{");
  ++indent_;
  emit(n->kids[1]);
  --indent_;
  dead_ = false;
  line("}");
  line(fmt::format("step{}:;", id));
  if (n->kids.size() > 2) emit(n->kids[2]);
  dead_ = false;
  loops_.pop_back();
  --indent_;
  line("}");
  return "false";
}

std::string CudaFn::emit_andor(Node* n) {
  bool is_and = n->op == Op::And;
  std::string a = truth(emit(n->kids[0]), type_of(n->kids[0]), n);
  std::string r = bind_c("bool", a);
  line(fmt::format("if ({}{}) {{", is_and ? "" : "!", r));
  ++indent_;
  std::string b = emit(n->kids[1]);
  if (!dead_) line(fmt::format("{} = {};", r, truth(b, type_of(n->kids[1]), n)));
  dead_ = false;
  --indent_;
  line("}");
  return r;
}

}  // namespace tsr::jit::gpu
