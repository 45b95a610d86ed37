// The one-body gradient of a function called inside an adjoint kernel (reverse.hpp,
// derive_local_gradient_body): the forward sweep keeping into locals, then the reverse sweep
// from dy in the same body, as an adjoint kernel's own code is differentiated.
#include "jit/autodiff/reverse.hpp"

#include "jit/autodiff/reverser.hpp"
#include "jit/compiler.hpp"

namespace tsr::jit {

std::unique_ptr<Body> Reverser::run_local(std::string& why) {
  local_ = true;
  return run(why);
}

void Reverser::make_local_reverse() {
  Body& d = *d_;
  IRBuild ir{d, g_, p_->loc};
  std::vector<Node*> out;
  find_shared_adjoints(p_->root, 0);
  rev(p_->root, dy_, out);
  std::vector<Node*> grads;
  if (shift_) grads.push_back(ir.nothing());  // the function's own
  for (size_t i = 0; i < p_->nargs; ++i) grads.push_back(adj_get(static_cast<int>(i), ir));
  std::vector<Node*> root = stack_inits_;
  root.push_back(body_);  // the forward sweep; its value, f's result, is not needed again
  for (auto& [s, a] : adj_) root.push_back(ir.set(a, no_adjoint(s, ir)));  // every shared adjoint made above
  root.insert(root.end(), out.begin(), out.end());
  root.push_back(ir.tuple(grads));
  d.root = ir.block(root);
}

std::unique_ptr<Body> derive_local_gradient_body(Compiler& c, const DeriveRequest& r, std::string& why) {
  return Reverser(c, r).run_local(why);
}

}  // namespace tsr::jit
