// verify_device_kernel on hand-built typed kernel IR: for a GPU target what a GPU cannot run is
// an error naming the kernel's file:line and each problem's line; on the CPU the same text is a
// warning, and a kernel made of kernel IR nodes, numbers and tensors passes.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "jit/builtins.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"
#include "runtime/globals.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_registry.hpp"

using namespace tsr;
using namespace tsr::jit;

namespace {

const std::string kFile = "k.tsr";

// A kernel k!(out::Tensor{Float32, 1}, x) with the CPU's hidden index arguments, whose body
// (a block) the test fills in.
struct KernelIR {
  TypeRegistry types;
  Globals globals{types};
  Spec spec;
  Body* b = nullptr;
  Node* root = nullptr;

  explicit KernelIR(const Type* x) {
    register_builtins(globals);
    spec.body = std::make_unique<Body>();
    b = spec.body.get();
    b->name = "k!";
    b->loc = at(1);
    const Type* out = tensor_type(types, types.TensorName, DType::Float32, 1);
    spec.argtypes = {out, x};
    b->slots.push_back(SlotInfo{"out", true});
    b->slots.push_back(SlotInfo{"x", true});
    for (const char* hidden : kKernelIndexArgs) {
      b->slots.push_back(SlotInfo{hidden, true});
      spec.argtypes.push_back(types.Int64);
    }
    for (size_t i = 0; i < b->slots.size(); ++i) b->slots[i].type = spec.argtypes[i];
    b->nargs = b->slots.size();
    root = node(Op::Block, 2, types.Nothing);
    b->root = root;
  }
  SrcLoc at(uint32_t line) { return SrcLoc{&kFile, line, 5}; }
  Node* node(Op op, uint32_t line, const Type* type, std::vector<Node*> kids = {}) {
    Node* n = b->make(op, at(line));
    n->type = type;
    n->kids = std::move(kids);
    return n;
  }
  // A function, as inference leaves a global that names one: its value known.
  Node* global(const char* name, uint32_t line) {
    GenericFunction& f = globals.function(name);
    Node* g = node(Op::Global, line, f.type());
    g->name = name;
    g->literal = Value::from_function(f.type(), &f);
    return g;
  }
  Node* slot(int i, uint32_t line) {
    Node* s = node(Op::Slot, line, b->slots[i].type);
    s->slot = i;
    return s;
  }
  // out[@index(Global)] = x, bound as inference binds a store to a Float32 tensor.
  Node* store(uint32_t line) {
    Node* i = node(Op::WorkItem, line, types.Int64);
    i->item = WorkItem::GlobalLinear;
    Node* c = node(Op::Call, line, types.Float32, {global("setindex!", line), slot(0, line), slot(1, line), i});
    c->bind = Bind::TensorSet;
    return c;
  }
  std::string warning(bool name_fit = false) {
    std::FILE* f = std::tmpfile();
    verify_device_kernel(spec, DeviceTarget::Cpu, f, name_fit);
    std::rewind(f);
    std::string text;
    char buf[512];
    while (size_t got = std::fread(buf, 1, sizeof buf, f)) text.append(buf, got);
    std::fclose(f);
    return text;
  }
};

}  // namespace

TEST_CASE("a kernel of numbers, tensors and kernel IR nodes runs on a GPU", "[jit][device]") {
  KernelIR k(nullptr);
  k.spec.argtypes[1] = k.types.Float32;
  k.b->slots[1].type = k.types.Float32;
  Node* shape = k.node(Op::Tuple, 3, k.types.tuple(std::vector<const Type*>{k.types.Int64}),
                       {k.node(Op::Literal, 3, k.types.Int64)});
  shape->kids[0]->literal = Value::from_int(k.types.Int64, 16);
  Node* elem = k.node(Op::Global, 3, k.types.type_of_type(k.types.Float32));
  elem->name = "Float32";
  elem->literal = Value::from_type(k.types.DataTypeT, k.types.Float32);
  Node* tile = k.node(Op::LocalMem, 3, tensor_type(k.types, k.types.TensorName, DType::Float32, 1), {elem, shape});
  k.root->kids = {k.store(2), tile, k.node(Op::Barrier, 4, k.types.Nothing)};
  CHECK(device_kernel_problems(k.spec).empty());
  CHECK_NOTHROW(verify_device_kernel(k.spec, DeviceTarget::Gpu));
  CHECK(k.warning() == "");
  CHECK(k.warning(true) == "kernel k!(::Tensor{Float32, 1}, ::Float32) at k.tsr:1 can run on a GPU\n");
}

TEST_CASE("for a GPU target a dynamic call is an error naming the kernel and the line", "[jit][device]") {
  KernelIR k(nullptr);
  k.spec.argtypes[1] = k.types.Any;
  k.b->slots[1].type = k.types.Any;
  Node* call = k.node(Op::Call, 3, k.types.Any, {k.global("twice", 3), k.slot(1, 3)});
  call->bind = Bind::Dynamic;
  k.root->kids = {k.store(2), call};
  const std::string expected =
      "kernel k!(::Tensor{Float32, 1}, ::Any) at k.tsr:1 cannot run on a GPU:\n"
      "  k.tsr:1: the argument `x` is a boxed value (Any)\n"
      "  k.tsr:3: a dynamic call: twice(::Any)";
  try {
    verify_device_kernel(k.spec, DeviceTarget::Gpu);
    FAIL("no error for a GPU target");
  } catch (const ErrorException& e) {
    CHECK(e.message() == expected);
  }
  // On the CPU the kernel still runs: the same text, as a warning.
  CHECK(k.warning() == "WARNING: " + expected + "\n");
}

TEST_CASE("allocation, try/catch and calls into the runtime are refused for a GPU", "[jit][device]") {
  KernelIR k(nullptr);
  k.spec.argtypes[1] = k.types.Int64;
  k.b->slots[1].type = k.types.Int64;
  const Type* vec = k.types.instantiate(k.types.lookup("Vector"), std::vector<const Type*>{k.types.Int64});
  Node* v = k.node(Op::Vect, 3, vec, {k.slot(1, 3)});
  Node* runtime = k.node(Op::Call, 4, k.types.Nothing, {k.global("println", 4), k.slot(1, 4)});
  runtime->bind = Bind::Static;
  Node* t = k.node(Op::Try, 5, k.types.Nothing, {k.node(Op::Block, 5, k.types.Nothing), k.node(Op::Block, 6, k.types.Nothing)});
  k.root->kids = {v, runtime, t};
  std::vector<DeviceProblem> p = device_kernel_problems(k.spec);
  REQUIRE(p.size() == 3);
  CHECK(p[0].loc.line == 3);
  CHECK(p[0].what == "allocates a Vector{Int64}");
  CHECK(p[1].what == "a call into the runtime: println(::Int64)");
  CHECK(p[2].what == "try/catch");
  CHECK_THROWS_AS(verify_device_kernel(k.spec, DeviceTarget::Gpu), ErrorException);
}
