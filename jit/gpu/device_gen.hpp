// The GPU's code generator over the typed IR: a kernel specialization (and the functions it
// calls statically) as an LLVM module for nvptx64-nvidia-cuda, which jit/gpu/nvptx.cpp turns
// into PTX. It takes exactly what verify-kernel admits (jit/verify_device_kernel.hpp): numbers,
// Bool, immutable structs and tuples of those (LLVM structs in registers), tensors (a struct of
// a data pointer, the shape and the strides, passed by value), constants (types, functions:
// empty structs). Number semantics come from jit/llvm_numbers.hpp, as on the CPU.
//
// Errors: a GPU cannot unwind. Each place that can raise (a bounds check, DivideError, ...) is
// a numbered site; raising stores the site's number in the module's global `tsr_error` (the
// first error wins, by compare-and-swap) and ends the work item (`exit`). The host reads the
// global after the launch and raises the site's error with the kernel's file and line.
//
// The kernel entry: `void NAME(params...)` with CallingConv::PTX_Kernel, one parameter per
// number (structs and tuples flattened), three per tensor group (the data pointer, then its
// shape and strides as Int64s), none for constants; then the launch's Int64s: the number of
// work items, the ndrange's three dimensions and its rank. Work item `lin` (1-based) is
// blockIdx.x * blockDim.x + threadIdx.x + 1 over a one-dimensional grid of work-groups; its
// Cartesian index is row-major, as on the CPU, and @index(Local) / @index(Group) follow from
// the block as the CPU's (lin-1) % wg + 1 and (lin-1) ÷ wg + 1 do.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/compiler.hpp"

#include <llvm/IR/Module.h>

namespace tsr::jit::gpu {

// A place in device code that can raise, and what it raises.
struct DeviceErrorSite {
  std::string kind;     // "BoundsError"
  std::string message;  // what the CPU would say, less what only the CPU knows (the index)
  SrcLoc loc;
  std::string function;  // the function it is in
};

// The device code of one kernel specialization.
class DeviceModule {
 public:
  DeviceModule(Compiler& c, llvm::LLVMContext& ctx, Spec& kernel);
  ~DeviceModule();

  // Generates the kernel's entry and everything it calls. Throws an ErrorException naming the
  // kernel's problems when verify-kernel finds it cannot run on a GPU.
  void generate();

  // A fused broadcast loop (jit/backend.hpp) as a kernel: `void tsr_bcast_NAME(outs...,
  // leaves..., total, meta)` with one pointer per output, a pointer per tensor leaf and the
  // flattened number per scalar leaf, then the element count and a device pointer to the
  // CPU's meta array (rank, shape, then each value's strides, 0 where stretched). Work item
  // i (0-based) computes element i of the result, as the CPU's loop does. A null meta pointer
  // says that every tensor is laid out as the result is: then the launch has
  // ceil(total / kLinearPerItem) work items, and each computes kLinearPerItem elements a
  // block apart (in block g: g * block * kLinearPerItem + local + k * block).
  void generate_broadcast(const BroadcastLoop& loop);

  const std::string& entry_name() const { return entry_name_; }
  std::unique_ptr<llvm::Module> take_module() { return std::move(module_); }
  llvm::Module& module() { return *module_; }
  const std::vector<DeviceErrorSite>& error_sites() const { return sites_; }

  // ---- for the function generator (device_fn.cpp) ----
  Compiler& compiler() { return c_; }
  // The LLVM type that holds a value of device type t.
  llvm::Type* value_type(const Type* t);
  // Whether a value of type t has a device representation (bits, a tensor, a tuple of those, a
  // constant); a Union, say, has none.
  bool representable(const Type* t);
  // The device function of specialization s (made on first use).
  llvm::Function* function(Spec& s);
  // A new error site; its number is what `tsr_error` holds minus one.
  int add_site(DeviceErrorSite site);
  // The address-space-1 global `tsr_error_at` that holds where the first error's site number
  // (plus one) goes: `tsr_error` unless the host points it elsewhere.
  llvm::Value* error_flag();
  // @localmem for a site: a shared (address space 3) array, one per site and kernel.
  llvm::Value* shared_array(int site, llvm::Type* elem, int64_t count);

 private:
  void emit_entry(llvm::Function* body);

  Compiler& c_;
  llvm::LLVMContext& ctx_;
  Spec& kernel_;
  std::unique_ptr<llvm::Module> module_;
  std::string entry_name_;
  std::vector<DeviceErrorSite> sites_;
  std::map<const Spec*, llvm::Function*> functions_;
  std::map<int, llvm::Value*> shared_;
  llvm::Value* error_flag_ = nullptr;
};

// A struct, tuple or closure held field by field on the GPU (an LLVM struct, a C++ struct):
// an immutable struct of bits, a tuple, or a closure whose captures are such values.
bool is_device_aggregate(const Type* t);
// Its fields' types in order (a tuple's parameters, a struct's or closure's field types).
const std::vector<const Type*>& aggregate_fields(const Type* t);

// Whether a tensor type (Tensor{T, N} or a semantic one) and its rank.
bool is_device_tensor(const Type* t, int* rank = nullptr);

// The shape of a @localmem node (lowering fixed it: a tuple of Int64 literals); false when it
// is not constant.
bool localmem_shape(const Node* n, std::vector<int64_t>& dims);

// The entry's name of a broadcast loop ("tsr_bcast_broadcast_12").
std::string broadcast_entry_name(const BroadcastLoop& loop);
// Elements per work item of a broadcast launched without a meta array (generate_broadcast).
constexpr int64_t kLinearPerItem = 4;
// Why the broadcast's fused function cannot run on a GPU ("" when it can).
std::string broadcast_device_problems(const BroadcastLoop& loop);

// A symbol-safe name for the kernel's entry ("tsr_kernel_<fn>_<id>").
std::string device_entry_name(const Spec& kernel);

}  // namespace tsr::jit::gpu
