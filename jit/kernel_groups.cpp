#include "jit/kernel_groups.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "jit/abi.hpp"
#include "runtime/errors.hpp"
#include "runtime/fiber.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

// Each work item's stack: compiled code is shallow, but a dynamic call from a kernel may
// compile a method (LLVM recurses deeply). Pages are committed only as they are touched.
constexpr size_t kFiberStack = size_t(1) << 20;

struct WorkItem {
  FiberContext ctx;
  FiberStack* stack = nullptr;
  void* guards = nullptr;  // its stack-overflow guards while it waits (swap_guard_chain)
  int64_t waiting_line = 0;  // the @synchronize it waits at; 0 when running or done
  bool done = false;
};

// The work-group running on this thread.
struct WorkGroup {
  const GroupLaunch* launch = nullptr;
  int64_t first = 0;  // its first linear index
  int64_t count = 0;  // its work items (the last group may be short)
  // @localmem tensors, by the site in the source that asked for them.
  std::vector<std::pair<int64_t, Value>> localmem;
  // With barriers: the items as fibers, and the thread's own context to come back to.
  FiberContext main;
  std::vector<WorkItem> items;
  int64_t current = 0;
  std::string abort_message;  // set when the items disagree about a barrier
};

thread_local WorkGroup* t_group = nullptr;
thread_local std::vector<std::unique_ptr<FiberStack>> t_stacks;  // reused by the next group
// Stacks below this index belong to the groups running (suspended) further out: a kernel
// with barriers that launches another one nests a group inside a work item's fiber.
thread_local size_t t_stacks_in_use = 0;

void run_item(void* p) {
  auto* g = static_cast<WorkGroup*>(p);
  int64_t i = g->current;
  struct Run {
    WorkGroup* g;
    int64_t lin;
  } run{g, g->first + i};
  // Guarded on its own fiber stack: recursion that overflows it ends this item with a
  // StackOverflowError (and the others at their next barrier), as any error does.
  GuardSite site{g->launch->frame, nullptr, g->items[i].stack->low(), g->items[i].stack->size()};
  run_guarded([](void* c) {
    auto* r = static_cast<Run*>(c);
    const GroupLaunch& l = *r->g->launch;
    l.range(l.args, r->lin, r->lin + 1, l.n1, l.n2, l.n3, l.workgroup, l.rank);
  }, &run, site);
  g->items[i].done = true;
  g->items[i].waiting_line = 0;
  fiber_switch(g->items[i].ctx, g->main);  // never resumed
}

void raise_error(const std::string& message) {
  jit::raise(exception_value(abi_globals(), "ErrorException", message));
}

// One group with barriers: rounds in which every unfinished item runs to its next barrier
// (or its end), until all are done. Errors make the barriers return at once, so the items
// unwind through their frames as they would from any error.
void run_group_with_barriers(WorkGroup& g) {
  size_t base = t_stacks_in_use;
  while (t_stacks.size() < base + static_cast<size_t>(g.count)) t_stacks.push_back(std::make_unique<FiberStack>(kFiberStack));
  t_stacks_in_use = base + static_cast<size_t>(g.count);
  g.items.clear();
  g.items.resize(static_cast<size_t>(g.count));
  for (int64_t i = 0; i < g.count; ++i) {
    g.items[i].stack = t_stacks[base + i].get();
    g.items[i].ctx.prepare(g.items[i].stack->low(), g.items[i].stack->size(), &run_item, &g);
  }
  struct Release {
    size_t base;
    ~Release() { t_stacks_in_use = base; }
  } release{base};
  for (;;) {
    for (int64_t i = 0; i < g.count; ++i) {
      if (g.items[i].done) continue;
      g.current = i;
      const void* outer = set_error_owner(&g.items[i]);
      void* guards = swap_guard_chain(g.items[i].guards);
      fiber_switch(g.main, g.items[i].ctx);
      g.items[i].guards = swap_guard_chain(guards);
      set_error_owner(outer);
    }
    int64_t waiting = 0, line = 0, other = 0;
    for (const WorkItem& it : g.items) {
      if (it.done) continue;
      ++waiting;
      if (!line) line = it.waiting_line;
      else if (it.waiting_line != line) other = it.waiting_line;
    }
    if (waiting == 0) return;
    if (tsr_pending || !g.abort_message.empty()) continue;
    int64_t group = g.first / g.launch->workgroup + 1;
    if (waiting < g.count)
      g.abort_message = "@synchronize at line " + std::to_string(line) + ": only " + std::to_string(waiting) + " of the " +
                        std::to_string(g.count) + " work items of work-group " + std::to_string(group) +
                        " reached it (the others returned); every work item of a group must reach each @synchronize";
    else if (other)
      g.abort_message = "the work items of work-group " + std::to_string(group) + " wait at different @synchronize calls (lines " +
                        std::to_string(std::min(line, other)) + " and " + std::to_string(std::max(line, other)) +
                        "); every work item of a group must reach the same barriers in the same order";
  }
}

}  // namespace

void run_work_groups(const GroupLaunch& l, int64_t lo, int64_t hi) {
  WorkGroup g;
  g.launch = &l;
  WorkGroup* outer = t_group;  // a launch from inside a kernel runs its groups here, nested
  t_group = &g;
  for (int64_t first = lo; first < hi && !tsr_pending; first += std::min(l.workgroup, hi - first)) {
    g.first = first;
    g.count = std::min(l.workgroup, l.total - first);
    g.localmem.clear();
    g.abort_message.clear();
    if (l.barriers) run_group_with_barriers(g);
    else l.range(l.args, first, first + g.count, l.n1, l.n2, l.n3, l.workgroup, l.rank);
  }
  t_group = outer;
}

namespace {

// t[idx...]'s place in its storage, the indices given as values (integers, one per dimension).
int64_t element_offset_of(const Value& t, std::span<const Value> idx, const char* fname) {
  std::vector<int64_t> at;
  for (const Value& i : idx) {
    if (i.type()->name->payload != Payload::Int)
      throw ArgumentError(std::string(fname) + ": indices are integers, got " + show_value(i));
    at.push_back(i.as_int());
  }
  return element_offset(t, at);
}

}  // namespace

void register_kernel_builtins(Registrar& r) {
  // The lambdas outlive the Registrar: they hold the Globals and the TypeRegistry.
  Globals& g = r.g_;
  TypeRegistry& t = r.t_;
  const Type* tensor = t.lookup("AbstractTensor");
  // @localmem T (dims...): the work-group's tensor for this site, made (zeroed) by the first
  // work item that asks. A GPU's shared memory starts undefined; zeros keep CPU runs
  // deterministic.
  const Method* localmem =
      r.add("__localmem", {t.Any, t.Any, t.Int64}, {"T", "dims", "site"}, nullptr, [&t](std::span<const Value> a) {
        WorkGroup* group = t_group;
        if (!group) throw ErrorException("@localmem is only available while a @kernel runs (through launch)");
        if (a[0].payload() != Payload::Type || !dtype_of(a[0].as_type()))
          throw ArgumentError("@localmem: the element type is a number type such as Float32, got " + show_value(a[0]));
        if (!a[1].type()->name->is_tuple) throw ArgumentError("@localmem: the shape is a tuple such as (16, 16), got " + show_value(a[1]));
        std::vector<int64_t> dims;
        for (const Value& d : a[1].as_struct().fields) {
          if (d.type()->name->payload != Payload::Int || d.as_int() < 0)
            throw ArgumentError("@localmem: the shape holds non-negative integers, got " + show_value(a[1]));
          dims.push_back(d.as_int());
        }
        DType dt = *dtype_of(a[0].as_type());
        int64_t site = a[2].as_int();
        for (auto& [s, v] : group->localmem)
          if (s == site) {
            const TensorObject& o = tensor_of(v);
            if (o.dtype != dt || o.rank != static_cast<int>(dims.size()) || !std::equal(dims.begin(), dims.end(), o.shape))
              throw ArgumentError("@localmem: the work items of one group asked for different shapes or types at the same place");
            return v;
          }
        group->localmem.emplace_back(site, new_tensor(t, dt, dims, nullptr, true, Device::CPU));
        return group->localmem.back().second;
      });
  set_result_rule(localmem, ResultRule::LocalMem);
  // atomic_add!(t, idx..., v): t[idx...] += v as one indivisible step; returns the old value.
  // Compiled kernels do this inline (an atomic instruction); this is the general path.
  r.add("atomic_add!", {tensor, t.vararg(t.Any)}, {"t", "args"}, nullptr, [&g, &t](std::span<const Value> a) {
    if (a.size() < 2) throw ArgumentError("atomic_add! takes a tensor, its indices and a value: atomic_add!(t, i, v)");
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    int64_t off = element_offset_of(a[0], a.subspan(1, a.size() - 2), "atomic_add!");
    const TensorObject& o = tensor_of(a[0]);
    Value old = load_element(t, o, off);
    Value pair[] = {old, a.back()};
    store_element(t, o, off, g.function("+").call(pair, 2));
    return old;
  });
}

}  // namespace tsr::jit

extern "C" void tsr_kernel_barrier(int64_t line) {
  using namespace tsr::jit;
  WorkGroup* g = t_group;
  if (!g || g->items.empty()) {
    raise_error("@synchronize is only available while a @kernel runs (through launch)");
    return;
  }
  if (tsr_pending) return;
  WorkItem& it = g->items[g->current];
  it.waiting_line = line;
  fiber_switch(it.ctx, g->main);
  it.waiting_line = 0;
  if (!g->abort_message.empty() && !tsr_pending) raise_error(g->abort_message);
}
