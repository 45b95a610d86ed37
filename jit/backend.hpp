// A code generator for one target, behind the pipeline's last three passes (codegen,
// optimize, link: jit/pipeline.hpp). The CPU's is the first (jit/cpu/cpu_backend.cpp, LLVM for
// the host and ORC's LLJIT); a GPU backend (LLVM NVPTX, or CUDA C++ for NVRTC) is a second
// implementation of this interface, in files of its own, that fills a per-target struct of
// its own in Spec (as CpuCode is the CPU's).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tsr {
struct Type;
}

namespace tsr::jit {

class Compiler;
struct Spec;

// What codegen made and link consumes: one unit of code (an LLVM module for the CPU).
class CodeUnit {
 public:
  virtual ~CodeUnit() = default;
  // False when the code refers to a runtime object by its address (it has no name: see
  // jit/constants.hpp), so it is valid in this process only and must not be cached.
  bool cacheable = true;
};

// An output of a broadcast loop: f's result, or one field of the inline struct f returns
// (__broadcast_fields), stored as elements of type elem.
struct BroadcastOut {
  const Type* elem = nullptr;
  int field = -1;  // -1: the whole result
};

// A fused broadcast loop: outs = f(leaves...) over the flat indices of the result.
struct BroadcastLoop {
  Spec* f = nullptr;
  std::vector<BroadcastOut> outs;  // the output tensors: the loop's first values
  std::vector<bool> is_tensor;     // each leaf: a tensor, or a scalar
  std::string name;                // the loop's symbol
  std::string key;                 // what makes it: f's symbol, the outputs, which leaves are tensors
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Its name in messages and in the compile cache's key ("llvm-cpu").
  virtual std::string name() const = 0;
  // What the code it makes depends on besides the IR: target, CPU, features, code generator.
  virtual std::string target_identity() const = 0;

  // codegen: these specializations' code (and their entry points), in one unit.
  virtual std::unique_ptr<CodeUnit> generate(Compiler& c, const std::vector<Spec*>& specs, const std::string& unit_name) = 0;
  virtual std::unique_ptr<CodeUnit> generate_broadcast(Compiler& c, const BroadcastLoop& loop) = 0;
  // optimize: the target's optimization pipeline (`full`: the optimizing one; else the unit
  // runs once, and is made for compile speed).
  // `light` (with full): a unit with no loop (glue between kernels: pullbacks, constructors,
  // walkers) gets a shorter pipeline and quick instruction selection; it is mostly calls, and
  // compiling it fully was most of the time to a model's first batch.
  virtual void optimize(CodeUnit& unit, bool full, bool light = false) = 0;
  // The unit as text (--emit=codegen / optimize): only the functions named in `only`, if given.
  virtual std::string show(const CodeUnit& unit, const std::set<std::string>* only) const = 0;
  // link: the unit's code becomes callable; when cache_path is not empty its object code is
  // written there too.
  virtual void link(std::unique_ptr<CodeUnit> unit, const std::string& cache_path) = 0;
  // Object code read back from the compile cache, which must define `symbols`: false, with
  // nothing of it kept, when it does not load (the caller then compiles afresh).
  virtual bool link_cached(const std::string& bytes, const std::string& name, const std::vector<std::string>& symbols) = 0;
  // The symbols a unit of these specializations defines (what a cached object must provide).
  virtual std::vector<std::string> symbols(const std::vector<Spec*>& specs) const = 0;
  // After link: fills in the specialization's code for this target (its entry points).
  virtual void bind(Spec& s) = 0;
  // A linked symbol's address (a broadcast loop's, say).
  virtual void* lookup(const std::string& symbol) = 0;
};

}  // namespace tsr::jit
