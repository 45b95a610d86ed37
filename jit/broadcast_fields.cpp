// __broadcast_fields(f, leaves...): a broadcast whose function returns an inline struct (all
// its fields numbers or nothing), written as one tensor per field by ONE fused loop. The
// backward of a fused dotted expression uses it (stdlib/Autodiff.tsr): f evaluates the
// expression once on dual numbers with one partial per argument, and each field is one
// argument's gradient, so the leaves are read and f runs once for all the gradients.
//
// The leaves broadcast as __broadcast's (jit/broadcast.cpp: shapes, ranges, vectors of
// numbers, scalars); the result is the tuple of the fields' tensors, all of the broadcast
// shape, `nothing` for a field of type Nothing (an argument that takes no gradient).
#include "jit/abi.hpp"
#include "jit/broadcast_leaves.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "jit/compiler.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

bool is_nothing_type(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->name->payload == Payload::None && dt->name->name == "Nothing";
}

// An immutable struct (its fields boxed: Float16 fields make no inline struct).
bool is_plain_struct(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->name->payload == Payload::Object && !dt->name->is_mutable && !dt->name->is_tuple &&
         !dt->name->field_names.empty() && dt->field_types.size() == dt->name->field_names.size();
}

[[noreturn]] void not_a_struct(const Type* t) {
  throw ArgumentError("__broadcast_fields: the function must return a struct whose fields are numbers or nothing, got a value of type " +
                      show_type(t));
}

}  // namespace

Compiler::BroadcastPlan Compiler::broadcast_fields_plan(GenericFunction* f, std::span<const Value> leaves) {
  BroadcastPlan plan;
  std::vector<const Type*> elem_types = broadcast_arg_types(leaves, plan);
  if (plan.dynamic) return plan;
  Spec* s = specialize(f->which(elem_types), elem_types);
  // Element by element (dynamic calls) when the result's type is not a struct of numbers
  // known here, or has half-precision fields (no compiled arithmetic).
  auto dt = as_datatype(s->ret);
  plan.dynamic = !is_inline_struct(s->ret);
  if (plan.dynamic) return plan;
  std::vector<BroadcastOut> outs;
  for (size_t i = 0; i < dt->field_types.size(); ++i) {
    const Type* ft = dt->field_types[i];
    if (is_nothing_type(ft)) {
      plan.fields.push_back(std::nullopt);
      continue;
    }
    auto d = dtype_of(ft);
    if (!d || *d == DType::Float16 || *d == DType::BFloat16) {
      plan.dynamic = true;
      plan.fields.clear();
      return plan;
    }
    plan.fields.push_back(*d);
    outs.push_back(BroadcastOut{ft, static_cast<int>(i)});
  }
  if (!outs.empty()) plan.range = broadcast_range(s, leaves, std::move(outs));
  return plan;
}

Value Compiler::broadcast_fields(std::span<const Value> a) {
  TypeRegistry& t = types();
  if (a[0].payload() != Payload::Function)
    throw ArgumentError("broadcasting calls a function, not a value of type " + show_type(a[0].type()));
  GenericFunction* f = a[0].as_function();
  // Ranges and vectors of numbers as tensors of one dimension (the results are tensors).
  std::vector<Value> leaves(a.begin() + 1, a.end());
  bool any_tensor = false;
  for (Value& v : leaves) {
    if (is_range(v)) v = vector_of(t, v.type()->params[0], iterate_all(globals_, v));
    if (is_number_vector(v)) v = tensor_from_vector(t, v);
    any_tensor = any_tensor || is_tensor(v);
  }
  if (!any_tensor) {
    // Numbers only: f's struct, as the tuple of its fields.
    Value r = f->call(leaves.data(), leaves.size());
    if (!is_plain_struct(r.type())) not_a_struct(r.type());
    return tuple_of(t, r.as_struct().fields);
  }
  BroadcastPlan scratch;
  const BroadcastPlan& plan = find_broadcast_plan(f, leaves, nullptr, true, scratch);
  int64_t shape_buf[kMaxRank];
  std::span<const int64_t> shape(shape_buf, broadcast_shape(leaves, nullptr, shape_buf));
  if (plan.dynamic) {
    // Each element's struct, then each field's values stored as a broadcast's elements.
    std::vector<Value> each = broadcast_each(f, leaves, shape);
    if (each.empty()) throw ArgumentError("__broadcast_fields: the fields of an empty broadcast whose function's result type is not known here");
    if (!is_plain_struct(each[0].type())) not_a_struct(each[0].type());
    size_t nfields = each[0].type()->field_types.size();
    std::vector<Value> outs;
    for (size_t i = 0; i < nfields; ++i) {
      std::vector<Value> field;
      for (const Value& r : each) {
        if (!is_plain_struct(r.type()) || r.type()->field_types.size() != nfields) not_a_struct(r.type());
        field.push_back(r.as_struct().fields[i]);
      }
      outs.push_back(is_nothing_type(field[0].type()) ? field[0] : store_each(field, nullptr, leaves, shape));
    }
    return tuple_of(t, std::move(outs));
  }
  // The fields' tensors, then the leaves: the loop's values.
  std::vector<Value> result;
  std::vector<Value> vals;
  Device device = broadcast_device(f, leaves, nullptr);
  // Not zeroed when the loop writes every element (the memset had been ~1% of an MLP step).
  for (const auto& d : plan.fields) {
    result.push_back(d ? new_tensor(t, *d, shape, plan.kind, !plan.range, device) : Value::singleton(t.Nothing));
    if (d) vals.push_back(result.back());
  }
  vals.insert(vals.end(), leaves.begin(), leaves.end());
  if (plan.range) run_broadcast(plan.range, vals.data(), vals.size(), shape);
  return tuple_of(t, std::move(result));
}

}  // namespace tsr::jit
