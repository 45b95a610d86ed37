#include "jit/ir.hpp"

#include <unordered_map>

#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

const char* op_name(Op op) {
  switch (op) {
    case Op::Literal: return "literal";
    case Op::Slot: return "slot";
    case Op::SetSlot: return "setslot";
    case Op::Global: return "global";
    case Op::SetGlobal: return "setglobal";
    case Op::Call: return "call";
    case Op::Block: return "block";
    case Op::If: return "if";
    case Op::While: return "while";
    case Op::Break: return "break";
    case Op::Continue: return "continue";
    case Op::Return: return "return";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Tuple: return "tuple";
    case Op::Vect: return "vect";
    case Op::GetField: return "getfield";
    case Op::SetField: return "setfield";
    case Op::Try: return "try";
    case Op::TypeAssert: return "typeassert";
    case Op::Lambda: return "lambda";
    case Op::NewCell: return "newcell";
    case Op::Unset: return "unset";
    case Op::CellGet: return "cellget";
    case Op::CellSet: return "cellset";
    case Op::SParam: return "sparam";
    case Op::WorkItem: return "workitem";
    case Op::Barrier: return "barrier";
    case Op::LocalMem: return "localmem";
  }
  return "?";
}

const char* work_item_name(WorkItem w) {
  switch (w) {
    case WorkItem::GlobalLinear: return "global";
    case WorkItem::GlobalCartesian: return "global.cartesian";
    case WorkItem::Local: return "local";
    case WorkItem::Group: return "group";
    case WorkItem::GroupSize: return "groupsize";
    case WorkItem::NDims: return "ndims";
  }
  return "?";
}

Node* Body::make(Op op, SrcLoc loc) {
  pool.push_back(std::make_unique<Node>());
  Node* n = pool.back().get();
  n->op = op;
  n->loc = loc;
  return n;
}

std::unique_ptr<Body> Body::clone() const {
  auto out = std::make_unique<Body>();
  out->name = name;
  out->loc = loc;
  out->slots = slots;
  out->nargs = nargs;
  out->kwargs = kwargs;
  out->kwtypes = kwtypes;
  out->sparams = sparams;
  out->sig = sig;
  out->vararg = vararg;
  out->kwrest = kwrest;
  out->uses_barrier = uses_barrier;
  out->uses_localmem = uses_localmem;
  out->adjoint_kernel = adjoint_kernel;
  out->capture_slots = capture_slots;
  out->assumed = assumed;
  std::unordered_map<const Node*, Node*> map;
  for (const auto& n : pool) {
    out->pool.push_back(std::make_unique<Node>(*n));
    map[n.get()] = out->pool.back().get();
  }
  for (auto& n : out->pool)
    for (Node*& k : n->kids) k = map.at(k);
  out->root = root ? map.at(root) : nullptr;
  for (Node* d : kwdefaults) out->kwdefaults.push_back(d ? map.at(d) : nullptr);
  return out;
}

void IRVisitor::visit_body(const Body& b) {
  if (b.root) visit(b.root);
  for (const Node* d : b.kwdefaults) visit(d);
}

void IRMutator::mutate_body() {
  if (body_.root) body_.root = mutate(body_.root);
  for (Node*& d : body_.kwdefaults) d = mutate(d);
}

namespace {

// One line per node, kids indented below their parent.
class Printer : public IRVisitor {
 public:
  Printer(const Body& body, std::string& out) : body_(body), out_(out) {}
  void visit(const Node* n) override {
    print_line(body_, n, depth_, out_);
    ++depth_;
    IRVisitor::visit(n);
    --depth_;
  }

 private:
  static void print_line(const Body& body, const Node* n, int depth, std::string& out);
  const Body& body_;
  std::string& out_;
  int depth_ = 1;
};

void Printer::print_line(const Body& body, const Node* n, int depth, std::string& out) {
  out += std::string(depth * 2, ' ') + op_name(n->op);
  switch (n->op) {
    case Op::Literal: out += " " + show_value(n->literal); break;
    case Op::Slot:
    case Op::Unset:
    case Op::SetSlot: out += " " + body.slots[n->slot].name + "#" + std::to_string(n->slot); break;
    case Op::Global:
      // A constant's value is folded into the code (a number, a type, a function, a string's
      // symbol), so the compile cache's key must change with it, not only with its name.
      out += " " + n->name;
      if (n->literal.defined() && (n->literal.payload() != Payload::Object || n->literal.type()->name->name == "String" ||
                                   n->literal.type()->name->name == "Symbol")) {
        std::string v = show_value(n->literal);
        if (v != n->name) out += " = " + v;  // not for a function's or type's own name (`global sin`)
      }
      break;
    case Op::SetGlobal:
    case Op::GetField:
    case Op::SetField: out += " " + n->name; break;
    case Op::TypeAssert:
    case Op::Lambda: out += " " + show_type(n->type_arg); break;
    case Op::Try:
      if (n->slot >= 0) out += " " + body.slots[n->slot].name;
      break;
    case Op::SParam: out += " " + body.sparams[n->slot]->name; break;
    // The compile cache's key is this text: it names everything codegen reads from these.
    case Op::WorkItem:
      out += std::string(" ") + work_item_name(n->item);
      if (n->item == WorkItem::GlobalCartesian) out += " " + std::to_string(n->dim);
      break;
    case Op::LocalMem: out += " site " + std::to_string(n->slot); break;
    default: break;
  }
  if (!n->kwnames.empty()) {
    out += " kw(";
    for (size_t i = 0; i < n->kwnames.size(); ++i) out += (i ? "," : "") + n->kwnames[i];
    out += ")";
  }
  if (n->type) out += " :: " + show_type(n->type);
  if (n->bind == Bind::Static) out += n->spec ? (n->vararg_at >= 0 ? " [static, compiled, packs varargs]" : " [static, compiled]") : " [static]";
  else if (n->bind == Bind::Intrinsic) out += " [intrinsic]";
  else if (n->bind == Bind::Dynamic) out += " [dynamic]";
  else if (n->bind == Bind::Construct) out += " [construct]";
  else if (n->bind == Bind::TensorGet) out += " [tensor load]";
  else if (n->bind == Bind::TensorSet) out += " [tensor store]";
  else if (n->bind == Bind::TensorAtomicAdd) out += " [tensor atomic add]";
  else if (n->bind == Bind::TensorSize || n->bind == Bind::TensorLength) out += " [tensor shape]";
  else if (n->bind == Bind::VectorGet) out += " [vector load]";
  else if (n->bind == Bind::VectorSet) out += " [vector store]";
  else if (n->bind == Bind::VectorLength) out += " [vector length]";
  else if (n->bind == Bind::TupleGet) out += " [tuple load]";
  else if (n->bind == Bind::Folded) out += " [constant " + show_value(n->literal) + "]";
  if (n->op == Op::Call && n->reassoc) out += " [simd]";
  if (n->op == Op::Call && n->inbounds) out += " [inbounds]";
  out += "   @" + std::to_string(n->loc.line) + "\n";
}

}  // namespace

std::string print_body(const Body& body) {
  std::string out = body.name + "(";
  for (size_t i = 0; i < body.nargs; ++i) {
    const SlotInfo& s = body.slots[i];
    out += (i ? ", " : "") + s.name;
    if (s.type) out += "::" + show_type(s.type);
  }
  out += ")\n";
  for (size_t i = body.nargs; i < body.slots.size(); ++i) {
    const SlotInfo& s = body.slots[i];
    out += "  local " + s.name + "#" + std::to_string(i);
    if (s.is_cell) out += " (cell)";
    if (s.stable) out += " (stable)";
    if (s.type) out += " :: " + show_type(s.type);
    out += "\n";
  }
  if (body.root) Printer(body, out).visit(body.root);
  return out;
}

}  // namespace tsr::jit
