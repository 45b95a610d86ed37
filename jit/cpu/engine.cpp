#include "jit/cpu/engine.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>
#include <optional>

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "jit/abi.hpp"
#include "jit/compile_cache.hpp"
#include "jit/constants.hpp"
#include "jit/cpu/perf_map.hpp"
#include "jit/host_target.hpp"
#include "jit/kernel_groups.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

namespace {

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

template <class T>
T check(llvm::Expected<T> v, const char* what) {
  if (!v) throw InternalError(std::string(what) + ": " + to_string(v.takeError()));
  return std::move(*v);
}

}  // namespace

namespace {

// Resolves the "tsr.k:..." symbols of generated code to objects of the running process.
class ConstantGenerator : public llvm::orc::DefinitionGenerator {
 public:
  explicit ConstantGenerator(Engine::Resolver r) : resolve_(std::move(r)) {}
  llvm::Error tryToGenerate(llvm::orc::LookupState&, llvm::orc::LookupKind, llvm::orc::JITDylib& jd,
                            llvm::orc::JITDylibLookupFlags, const llvm::orc::SymbolLookupSet& names) override {
    llvm::orc::SymbolMap found;
    for (const auto& [name, flags] : names) {
      llvm::StringRef n = *name;
      if (!n.starts_with(kConstPrefix)) continue;
      void* addr = resolve_(n.str());
      if (!addr) continue;  // left undefined: the lookup then fails with the symbol's name
      found[name] = {llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported};
    }
    if (found.empty()) return llvm::Error::success();
    return jd.define(llvm::orc::absoluteSymbols(std::move(found)));
  }

 private:
  Engine::Resolver resolve_;
};

// Writes each compiled object to the cache file named by its module (see Engine::add).
class FileObjectCache : public llvm::ObjectCache {
 public:
  void notifyObjectCompiled(const llvm::Module* m, llvm::MemoryBufferRef obj) override {
    auto it = paths.find(m->getModuleIdentifier());
    if (it == paths.end()) return;
    write_cache_file(it->second, std::string(obj.getBuffer()));
    paths.erase(it);
  }
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module*) override { return nullptr; }
  std::map<std::string, std::string> paths;  // module identifier -> cache file
};

// Compiles a module to an object file at one of two code generation levels: the host's
// optimizing backend, or for unoptimized modules (top-level statements, which run once)
// the fast one (FastISel and the fast register allocator), whose time grows linearly with
// the function's size where the optimizing register allocator grows quadratically.
class TwoLevelCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  TwoLevelCompiler(std::unique_ptr<llvm::TargetMachine> optimizing, std::unique_ptr<llvm::TargetMachine> fast,
                   llvm::ObjectCache* cache)
      : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(optimizing->Options)),
        optimizing_(std::move(optimizing), cache),
        fast_(std::move(fast), cache) {}
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& m) override {
    return m.getModuleFlag(kFastCodegenFlag) ? fast_(m) : optimizing_(m);
  }
  static constexpr const char* kFastCodegenFlag = "tsr.fast-codegen";

 private:
  llvm::orc::TMOwningSimpleCompiler optimizing_;
  llvm::orc::TMOwningSimpleCompiler fast_;
};

}  // namespace

struct Engine::Impl {
  FileObjectCache cache;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> tm;
  llvm::orc::ThreadSafeContext tsc{std::make_unique<llvm::LLVMContext>()};
  // What the JIT reported while linking (kept for the message of a failed lookup, instead of
  // printed: a cached object that fails to link is not an error, it is compiled again).
  std::string session_errors;
};

const char* llvm_args() {
  static const char* args = std::getenv("TSR_LLVM_ARGS");
  return args;
}

Engine::Engine(Resolver resolver) : impl_(std::make_unique<Impl>()) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // Dead store elimination's walk limit, 90 by default: the register-blocked kernels store
    // 256 accumulators in a row, and walking back from each was a third of matmul's 145 ms of
    // optimization at a first batch. At 30 the stdlib's and the models' optimized code is the
    // same (compared with --emit=optimize) and the first batch 35 ms shorter.
    // And for whoever works on the JIT, LLVM's own options (TSR_LLVM_ARGS="-time-passes"),
    // which may set this one too.
    const char* extra = llvm_args();
    std::vector<const char*> argv = {"tsr"};
    if (!extra || !std::strstr(extra, "dse-memoryssa-walklimit")) argv.push_back("-dse-memoryssa-walklimit=30");
    llvm::cl::ParseCommandLineOptions(static_cast<int>(argv.size()), argv.data(), "", nullptr, "TSR_LLVM_ARGS");
    return true;
  }();
  (void)initialized;
  auto jtmb = check(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host");
  jtmb.getOptions().AllowFPOpFusion = llvm::FPOpFusion::Standard;
  if (!host_target().tuning.empty()) jtmb.addFeatures({host_target().tuning});
  impl_->tm = check(jtmb.createTargetMachine(), "creating the target machine");
  FileObjectCache* cache = &impl_->cache;
  impl_->jit = check(llvm::orc::LLJITBuilder()
                         .setJITTargetMachineBuilder(jtmb)
                         .setCompileFunctionCreator([cache](llvm::orc::JITTargetMachineBuilder b)
                                                        -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                           auto tm = b.createTargetMachine();
                           if (!tm) return tm.takeError();
                           b.setCodeGenOptLevel(llvm::CodeGenOptLevel::None);
                           auto fast = b.createTargetMachine();
                           if (!fast) return fast.takeError();
                           return std::make_unique<TwoLevelCompiler>(std::move(*tm), std::move(*fast), cache);
                         })
                         .create(),
                     "creating the JIT");
  maybe_add_perf_map(impl_->jit->getObjLinkingLayer());
  auto& es = impl_->jit->getExecutionSession();
  es.setErrorReporter([impl = impl_.get()](llvm::Error err) { impl->session_errors += "\n" + to_string(std::move(err)); });
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, auto* fn) {
    symbols[es.intern(name)] = {llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void*>(fn)),
                                llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
#define TSR_ABI(name, ret, params) add(#name, &name);
#include "jit/abi.def"
#undef TSR_ABI
  symbols[es.intern("tsr_pending")] = {llvm::orc::ExecutorAddr::fromPtr(&tsr_pending), llvm::JITSymbolFlags::Exported};
  symbols[es.intern("tsr_toplevel_line")] = {llvm::orc::ExecutorAddr::fromPtr(&tsr_toplevel_line),
                                             llvm::JITSymbolFlags::Exported};
  if (auto err = impl_->jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols))))
    throw InternalError("defining the runtime symbols: " + to_string(std::move(err)));
  impl_->jit->getMainJITDylib().addGenerator(std::make_unique<ConstantGenerator>(std::move(resolver)));
  // libm (sin, tanh, ...) from the process.
  impl_->jit->getMainJITDylib().addGenerator(
      check(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(impl_->jit->getDataLayout().getGlobalPrefix()),
            "opening the process's symbols"));
}

Engine::~Engine() = default;

llvm::LLVMContext& Engine::context() { return *impl_->tsc.getContext(); }

std::unique_ptr<llvm::Module> Engine::new_module(const std::string& name) {
  auto m = std::make_unique<llvm::Module>(name, context());
  m->setDataLayout(impl_->jit->getDataLayout());
  m->setTargetTriple(impl_->jit->getTargetTriple().str());
  return m;
}

void Engine::optimize(llvm::Module& module, bool full, bool light) {
  llvm::Module* m = &module;
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*m, &os)) throw InternalError("generated LLVM IR does not verify:\n" + problems);
  if (full) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    // As clang at -O2: the loop vectorizer and the SLP vectorizer (which packs independent
    // scalar operations on adjacent elements, such as a register-blocked matmul's).
    llvm::PipelineTuningOptions pto;
    pto.LoopVectorization = true;
    pto.SLPVectorization = true;
    // LLVM's instrumentation (-time-passes, -print-after=...) only when TSR_LLVM_ARGS asks.
    llvm::PassInstrumentationCallbacks pic;
    std::optional<llvm::StandardInstrumentations> si;
    if (llvm_args()) {
      si.emplace(m->getContext(), false);
      si->registerCallbacks(pic, &mam);
    }
    llvm::PassBuilder pb(impl_->tm.get(), pto, std::nullopt, si ? &pic : nullptr);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(light ? llvm::OptimizationLevel::O1 : llvm::OptimizationLevel::O2);
    mpm.run(*m, mam);
    if (light) m->addModuleFlag(llvm::Module::Warning, TwoLevelCompiler::kFastCodegenFlag, 1);
  } else {
    m->addModuleFlag(llvm::Module::Warning, TwoLevelCompiler::kFastCodegenFlag, 1);
  }
}

void Engine::add(std::unique_ptr<llvm::Module> m, const std::string& cache_path) {
  if (!cache_path.empty()) impl_->cache.paths[m->getModuleIdentifier()] = cache_path;
  if (auto err = impl_->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), impl_->tsc)))
    throw InternalError("adding a module to the JIT: " + to_string(std::move(err)));
}

bool Engine::try_object(const std::string& bytes, const std::string& name, const std::vector<std::string>& symbols) {
  auto tracker = impl_->jit->getMainJITDylib().createResourceTracker();
  auto drop = [&](llvm::Error err) {
    llvm::consumeError(std::move(err));
    impl_->session_errors.clear();
    llvm::cantFail(tracker->remove());
    return false;
  };
  if (auto err = impl_->jit->addObjectFile(tracker, llvm::MemoryBuffer::getMemBufferCopy(bytes, name)))
    return drop(std::move(err));
  for (const std::string& s : symbols)
    if (auto addr = impl_->jit->lookup(s); !addr) return drop(addr.takeError());
  return true;
}

void* Engine::lookup(const std::string& symbol) {
  auto addr = impl_->jit->lookup(symbol);
  if (!addr) throw InternalError("looking up a compiled function: " + to_string(addr.takeError()) + impl_->session_errors);
  return addr->toPtr<void*>();
}

}  // namespace tsr::jit
