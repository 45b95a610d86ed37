// The JIT's IR: a small typed tree, one per method body (and one per batch of top-level
// statements), in Halide's spirit: few node kinds, passes that walk or rewrite it, a printer.
//
// Lowering (lower.cpp) builds it from the syntax tree with names resolved to slots or globals
// and sugar removed (for-loops, updating assignment, string interpolation, short forms). Type
// inference (infer.cpp) fills in `type` and, for calls, how the call is bound. Code generation
// (jit/cpu/, the CPU backend) turns a typed tree into LLVM IR.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/method_table.hpp"
#include "runtime/value.hpp"

namespace tsr::jit {

struct Spec;

// A place in a .tsr file: every node keeps one so errors and stack traces name a line.
struct SrcLoc {
  const std::string* file = nullptr;  // owned by the Session, lives as long as it
  uint32_t line = 0;
  uint32_t col = 0;
};

enum class Op : uint8_t {
  Literal,    // literal
  Slot,       // slot                         a local variable or argument
  SetSlot,    // slot, kids[0]                value: the assigned value
  Global,     // name                         a global (function, type or variable)
  SetGlobal,  // name, kids[0]
  Call,       // kids[0] callee, kids[1..] args; kwnames for the trailing keyword args
  Block,      // kids; value: the last, or nothing
  If,         // cond, then, else             value: the branch taken's
  While,      // cond, body[, step]           value: nothing; step (for loops) runs after the body and on `continue`
  Break,
  Continue,
  Return,     // kids[0]
  And,        // lhs, rhs                     short-circuit, both Bool
  Or,
  Tuple,      // elements
  Vect,       // elements                     [a, b, c]
  GetField,   // kids[0], name
  SetField,   // kids[0] object, kids[1] value, name
  Try,        // body, handler, finally; slot gets the exception (-1: none)
  TypeAssert, // kids[0], type_arg
  Lambda,     // type_arg: the closure's type; kids: the captured values or cells, in field order
  NewCell,    // a fresh Box for a variable captured by a closure
  CellGet,    // kids[0] the cell
  CellSet,    // kids[0] the cell, kids[1] value
  SParam,     // slot: index of a `where` variable of the method, used as a value (T in the body)
  Unset,      // slot                         the local's scope starts (again): it has no value yet
  // Kernel IR (@kernel bodies only): what a GPU backend maps to its own registers and memory.
  WorkItem,   // item, dim                    where this work item is (@index, @groupsize): Int64
  Barrier,    //                              @synchronize: the work items of a group meet here (loc names it)
  LocalMem,   // kids[0] element type, kids[1] the shape (a Tuple of Int64 literals); slot: site
              //                              @localmem T (dims...): the work-group's tensor
};

// What an Op::WorkItem reads. Indices are 1-based, as @index gives them.
enum class WorkItem : uint8_t {
  GlobalLinear,     // @index(Global): the linear index over the ndrange (row-major)
  GlobalCartesian,  // @index(Global, NTuple)[dim]; a BoundsError when the launch has fewer dimensions
  Local,            // @index(Local): the index within the work-group
  Group,            // @index(Group): the work-group's number
  GroupSize,        // @groupsize(): work items per group
  NDims,            // how many dimensions the launch has (1 to 3): what @index(Global, NTuple) tests
};
const char* work_item_name(WorkItem w);

// The CPU backend gives a kernel body its work item's position as these trailing Int64
// arguments, after the user's (lowering declares them; only Op::WorkItem reads them).
constexpr const char* kKernelIndexArgs[] = {"#lin", "#g1", "#g2", "#g3", "#wg", "#rank"};
constexpr size_t kKernelIndexArgCount = 6;

const char* op_name(Op op);

// How inference bound a call.
enum class Bind : uint8_t {
  Unresolved,  // not inferred yet
  Intrinsic,   // an operation codegen emits inline (arithmetic on numbers)
  Static,      // a known method: a direct call to its specialization or C++ body
  Dynamic,     // dispatch at run time on the argument values
  Construct,   // calling a type: the default constructor
  TensorGet,   // t[i, j] on a tensor of known element type and rank: an inline load
  TensorSet,   // t[i, j] = v likewise: an inline store
  TensorAtomicAdd,  // atomic_add!(t, i, j, v) likewise: an atomic read-modify-write
  TensorSize,  // size(t, d) on a tensor of known rank: a load of its shape
  TensorLength,  // length(t) likewise: the product of its shape
  VectorGet,   // v[i] on a Vector of numbers or Bool: an inline load of the element's payload
  VectorSet,   // v[i] = x likewise: an inline store of the element
  VectorLength,  // length(v) on any Vector: its element count
  TupleGet,    // t[k] on a tuple of known type with a literal k in range: a load of element k
  Folded,      // a pure built-in computed at compile time (eltype(t), zero(Float32)): `literal`
};

struct Node {
  Op op;
  SrcLoc loc;
  std::vector<Node*> kids;
  Value literal;
  int slot = -1;
  std::string name;
  const Type* type_arg = nullptr;
  std::vector<std::string> kwnames;
  bool late = false;  // Global: assigned by the same top-level code, so looked up when it runs
  bool inbounds = false;  // Call: written under @inbounds, so indices are not checked
  bool reassoc = false;   // Call: inside an @simd loop, so float + and * may be reassociated
  WorkItem item = WorkItem::GlobalLinear;  // WorkItem: which position
  uint8_t dim = 0;                         // WorkItem GlobalCartesian: the dimension (1-based)

  // Filled in by inference.
  const Type* type = nullptr;
  Bind bind = Bind::Unresolved;
  const Method* method = nullptr;  // Static and Intrinsic
  Spec* spec = nullptr;            // Static call of a Tessera method: its specialization
  int intrinsic = -1;
  // Static call of a method with a Vararg: the arguments from this one on (0-based, after the
  // callee) are packed into the tuple the specialization takes last. -1 otherwise.
  int vararg_at = -1;
};

struct SlotInfo {
  std::string name;
  bool is_arg = false;
  bool is_cell = false;           // captured by a closure and assigned: lives in a Box
  // A hidden slot (a loop's collection) assigned before every read of it and never while a
  // value read from it is in use: codegen passes it in place instead of copying it.
  bool stable = false;
  const Type* declared = nullptr; // x::T on an argument
  const Type* type = nullptr;     // inferred
};

struct Body;

// A method definition as lowered: what every specialization of it starts from.
struct Body {
  std::string name;                 // the function's name ("top-level" for statements)
  SrcLoc loc;
  std::vector<std::unique_ptr<Node>> pool;
  Node* root = nullptr;
  std::vector<SlotInfo> slots;      // arguments first
  size_t nargs = 0;                 // positional arguments
  std::vector<std::string> kwargs;  // keyword argument names: slots nargs .. nargs+kwargs-1
  std::vector<Node*> kwdefaults;    // their default expressions (evaluated in the body)
  std::vector<const Type*> kwtypes; // their declared types (Any when none)
  std::vector<const TypeVar*> sparams;  // the method's `where` variables, for SParam nodes
  const Type* sig = nullptr;            // the method's signature (a Tuple inside its `where`s)
  bool vararg = false;              // the last positional argument collects the rest
  // Bit i: positional argument i is written @nospecialize, so its specializations take it as
  // its declared type (Compiler::specialize). Arguments past the 64th are never marked.
  uint64_t nospecialize = 0;
  bool kwrest = false;              // the last keyword (`kw...`) collects the other keywords given
  // A @kernel whose work items share @localmem or meet at @synchronize: launch runs it one
  // work-group at a time per thread (work items as fibers when there are barriers).
  bool uses_barrier = false;
  bool uses_localmem = false;
  // An adjoint kernel made by autodiff: it keeps pullbacks per work item (closures, stacks),
  // which the CPU runs; verify-kernel does not warn about them there.
  bool adjoint_kernel = false;
  // A closure's body: argument 0 is the closure itself; these slots are loaded from its fields.
  std::vector<int> capture_slots;
  // Method tables this body was made from (a derived pullback: the primal's function, rrule),
  // with their epochs then: the edges pass adds them, so a new method remakes it.
  std::vector<std::pair<const GenericFunction*, uint64_t>> assumed;

  Node* make(Op op, SrcLoc loc);
  // A deep copy (each specialization annotates its own).
  std::unique_ptr<Body> clone() const;
};

// A read-only walk over a tree of nodes. visit(n) is called for each node, parents before
// their kids; the default goes on into n's kids in order. A pass overrides visit, handles the
// ops it cares about, and calls IRVisitor::visit(n) to go on into the kids (or returns, to
// skip them). visit_body walks a whole body: its root and its keyword defaults.
class IRVisitor {
 public:
  virtual ~IRVisitor() = default;
  virtual void visit(const Node* n) {
    for (const Node* k : n->kids) visit(k);
  }
  void visit_body(const Body& b);
};

// A rewrite of a tree in place: mutate(n) returns what takes n's place (n itself when it
// stays). The default mutates n's kids, each replaced by what mutate returns for it. New
// nodes are made with body().make(op, loc), so the body owns them. mutate_body rewrites a
// whole body: its root and its keyword defaults. (Reverse-mode autodiff builds its pullbacks
// as mutators of a copy of the typed body.)
class IRMutator {
 public:
  explicit IRMutator(Body& body) : body_(body) {}
  virtual ~IRMutator() = default;
  virtual Node* mutate(Node* n) {
    for (Node*& k : n->kids) k = mutate(k);
    return n;
  }
  void mutate_body();
  Body& body() { return body_; }

 private:
  Body& body_;
};

// The IR as text, one node per line, indented (tsr --emit=ir).
std::string print_body(const Body& body);

}  // namespace tsr::jit
