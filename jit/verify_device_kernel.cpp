#include "jit/verify_device_kernel.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/type_registry.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

std::string place(const SrcLoc& loc) { return (loc.file ? *loc.file : std::string("?")) + ":" + std::to_string(loc.line); }

// What a GPU holds in registers or reaches through a pointer: bits (numbers, Bool, Nothing,
// immutable structs of them), tensors of a number type, tuples and closures of these (the CPU
// boxes tuples, a GPU keeps them in registers), and constants (a type or a function, which compile to
// nothing).
bool is_device_type(const Type* t) {
  if (is_bits(t)) return true;
  auto dt = as_datatype(t);
  if (!dt) return false;
  const TypeName* tn = dt->name;
  if (tn->is_type_of_type && !dt->has_free_vars) return true;
  if (!dt->is_concrete) return false;
  if (tn->instance) return true;
  if (tn->is_tuple) return std::all_of(dt->params.begin(), dt->params.end(), is_device_type);
  // A closure: its captures, when a GPU can hold them (numbers, tuples, other such closures),
  // travel as a struct; calling it is a static call of its body.
  if (tn->callable) return std::all_of(dt->field_types.begin(), dt->field_types.end(), is_device_type);
  return (tn->is_tensor || tn->is_semantic) && dt->params.size() == 2 && dtype_of(dt->params[0]).has_value();
}

bool is_string(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->name->registry && dt == dt->name->registry->String;
}

std::string call_signature(const Body& b, const Node* n) {
  const Node* callee = n->kids[0];
  std::string s = callee->op == Op::Global ? callee->name : callee->op == Op::Slot ? b.slots[callee->slot].name : "(a value)";
  s += "(";
  for (size_t i = 1; i < n->kids.size(); ++i)
    s += (i > 1 ? ", ::" : "::") + (n->kids[i]->type ? show_type(n->kids[i]->type) : std::string("?"));
  if (!n->kwnames.empty()) s += "; keywords";
  return s + ")";
}

// The body's nodes reached from its root, in the order they run (kids before their parent),
// each with whether something uses its value (an argument, a variable, a condition, a result).
// A boxed value nothing uses (the value of an `if` without `else` used as a statement) costs a
// GPU nothing.
struct Reached {
  const Node* node;
  bool used;
};
std::vector<Reached> reached_nodes(const Body& b, bool result_used) {
  std::vector<Reached> out;
  auto walk = [&](auto& self, const Node* n, bool use) -> void {
    if (!n) return;
    for (size_t i = 0; i < n->kids.size(); ++i) {
      bool last = i + 1 == n->kids.size();
      bool kid_used = n->op == Op::Block ? use && last     // a statement's value is dropped
                      : n->op == Op::If  ? i == 0 || use   // the condition, then the branch taken
                      : n->op == Op::While ? i == 0        // the condition; body and step are statements
                      : n->op == Op::Try ? use
                                         : true;
      self(self, n->kids[i], kid_used);
    }
    out.push_back({n, use});
  };
  walk(walk, b.root, result_used);
  for (const Node* d : b.kwdefaults) walk(walk, d, true);
  return out;
}

class DeviceCheck {
 public:
  std::vector<DeviceProblem> run(const Spec& kernel) {
    std::set<const Spec*> seen{&kernel};
    std::vector<const Spec*> todo{&kernel};
    while (!todo.empty()) {
      const Spec* s = todo.front();
      todo.erase(todo.begin());
      size_t first = out_.size();
      check(*s, s == &kernel, seen, todo);
      std::stable_sort(out_.begin() + static_cast<std::ptrdiff_t>(first), out_.end(),
                       [](const DeviceProblem& a, const DeviceProblem& b) { return a.loc.line < b.loc.line; });
    }
    return std::move(out_);
  }

 private:
  void add(const Body& b, bool is_kernel, const SrcLoc& loc, std::string what) {
    std::string in = is_kernel ? "" : b.name;
    if (!reported_.insert({loc.file ? *loc.file : "", loc.line, in, what}).second) return;
    out_.push_back(DeviceProblem{loc, in, std::move(what)});
  }

  void check(const Spec& s, bool is_kernel, std::set<const Spec*>& seen, std::vector<const Spec*>& todo) {
    const Body& b = *s.body;
    auto report = [&](const Node* n, std::string what) { add(b, is_kernel, n->loc, std::move(what)); };
    for (size_t i = 0; i < b.nargs && i < b.slots.size(); ++i)
      if (b.slots[i].type && !is_device_type(b.slots[i].type))
        add(b, is_kernel, b.loc, "the argument `" + b.slots[i].name + "` is a boxed value (" + show_type(b.slots[i].type) + ")");
    // A kernel's result is dropped; a function it calls returns its result to it.
    for (const auto [n, used] : reached_nodes(b, !is_kernel)) {
      if (!n->type) continue;  // never typed: inference found no path to it
      bool kids_fit = std::all_of(n->kids.begin(), n->kids.end(), [](const Node* k) { return !k->type || is_device_type(k->type); });
      switch (n->op) {
        case Op::Call:
          if (n->spec && seen.insert(n->spec).second) todo.push_back(n->spec);
          if (n->bind == Bind::Dynamic) {
            // A call with an argument that never arrives (typed Union{}) never runs.
            if (n->type->kind != TypeKind::Bottom) report(n, "a dynamic call: " + call_signature(b, n));
            continue;
          }
          if (n->bind == Bind::Static && n->vararg_at >= 0) {
            // The CPU packs the trailing arguments into a tuple object: no device code does.
            report(n, "a call of a method with a Vararg (its arguments packed into a tuple): " + call_signature(b, n));
            continue;
          }
          if (n->bind == Bind::Static && !n->spec) {
            report(n, "a call into the runtime: " + call_signature(b, n));
            continue;
          }
          if (n->bind == Bind::Construct && !is_device_type(n->type) && kids_fit) {
            report(n, "allocates a " + show_type(n->type));
            continue;
          }
          break;
        case Op::Global:
          if (!n->literal.defined()) {
            report(n, "reads the global variable `" + n->name + "`, which is not a constant");
            continue;
          }
          break;
        case Op::SetGlobal: report(n, "assigns the global variable `" + n->name + "`"); continue;
        case Op::Vect: report(n, "allocates a " + show_type(n->type)); continue;
        case Op::Lambda:
          // A closure of device values is a struct of its captures; one of boxed values is a heap object.
          if (!is_device_type(n->type) && kids_fit) report(n, "allocates a closure");
          else if (!is_device_type(n->type)) report(n, "allocates a closure that captures a boxed value");
          continue;
        case Op::NewCell: report(n, "allocates a cell for a variable a closure captures"); continue;
        case Op::Try: report(n, "try/catch"); continue;
        default: break;
      }
      if (is_string(n->type)) {
        report(n, n->op == Op::Literal ? "a string: " + show_value(n->literal) : "a string");
        continue;
      }
      // A boxed value where it first appears (not again in what it flows into, nor where a
      // variable holding it is read).
      bool read = n->op == Op::Slot || n->op == Op::CellGet;
      if (n->type->kind != TypeKind::Bottom && !is_device_type(n->type) && kids_fit && !read && used)
        report(n, "a boxed value (" + show_type(n->type) + ")");
    }
  }

  std::vector<DeviceProblem> out_;
  std::set<std::tuple<std::string, uint32_t, std::string, std::string>> reported_;
};

}  // namespace

std::vector<DeviceProblem> device_kernel_problems(const Spec& kernel) { return DeviceCheck().run(kernel); }

std::string describe_kernel(const Spec& kernel) {
  const Body& b = *kernel.body;
  size_t shown = b.nargs >= kKernelIndexArgCount ? b.nargs - kKernelIndexArgCount : 0;
  std::string sig;
  for (size_t i = 0; i < shown && i < kernel.argtypes.size(); ++i) sig += (i ? ", ::" : "::") + show_type(kernel.argtypes[i]);
  return "kernel " + b.name + "(" + sig + ") at " + place(b.loc);
}

void verify_device_kernel(const Spec& kernel, DeviceTarget target, std::FILE* out, bool name_fit) {
  std::vector<DeviceProblem> problems = device_kernel_problems(kernel);
  if (problems.empty()) {
    if (name_fit && target == DeviceTarget::Cpu) std::fprintf(out, "%s can run on a GPU\n", describe_kernel(kernel).c_str());
    return;
  }
  std::string text = describe_kernel(kernel) + " cannot run on a GPU:";
  std::set<std::string> derived;  // derived pullbacks (∂f) of functions the kernel calls
  for (const DeviceProblem& p : problems) {
    text += "\n  " + place(p.loc) + ": " + p.what + (p.function.empty() ? "" : " (in " + p.function + ")");
    bool tape = p.what.find("push!(") != std::string::npos || p.what.find("pop!(") != std::string::npos;
    if (tape && p.function.rfind("∂", 0) == 0) derived.insert(p.function.substr(3, p.function.find('#') - 3));
  }
  // A function an adjoint kernel calls is differentiated in place (reverse.hpp,
  // derive_local_gradient_body); one that could not be keeps a tape on the heap, which a GPU has not.
  for (const std::string& f : derived)
    text += "\n  hint: the derivative of " + f + ", which the kernel calls, keeps a tape on the heap: it could not be "
            "differentiated in place (a loop that carries a variable assigned before it on some paths only, say). Assign "
            "such a variable before its loop, or write an rrule for " + f;
  if (target == DeviceTarget::Gpu) throw ErrorException(text);
  std::fprintf(out, "WARNING: %s\n", text.c_str());
}

bool name_fit_kernels() {
  static const bool on = [] {
    const char* v = std::getenv("TSR_CHECK_KERNELS");
    return v && *v && std::string(v) != "0";
  }();
  return on;
}

}  // namespace tsr::jit
