#include "jit/engine.hpp"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "jit/abi.hpp"
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

struct Engine::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> tm;
  llvm::orc::ThreadSafeContext tsc{std::make_unique<llvm::LLVMContext>()};
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  auto jtmb = check(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host");
  jtmb.getOptions().AllowFPOpFusion = llvm::FPOpFusion::Standard;
  impl_->tm = check(jtmb.createTargetMachine(), "creating the target machine");
  impl_->jit = check(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create(), "creating the JIT");
  auto& es = impl_->jit->getExecutionSession();
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, auto* fn) {
    symbols[es.intern(name)] = {llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void*>(fn)),
                                llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
  add("tsr_assign", &tsr_assign);
  add("tsr_frame_release", &tsr_frame_release);
  add("tsr_box_int", &tsr_box_int);
  add("tsr_box_f64", &tsr_box_f64);
  add("tsr_box_f32", &tsr_box_f32);
  add("tsr_box_bool", &tsr_box_bool);
  add("tsr_box_nothing", &tsr_box_nothing);
  add("tsr_call_dynamic", &tsr_call_dynamic);
  add("tsr_call_method", &tsr_call_method);
  add("tsr_call_value", &tsr_call_value);
  add("tsr_get_global", &tsr_get_global);
  add("tsr_set_global", &tsr_set_global);
  add("tsr_getfield", &tsr_getfield);
  add("tsr_setfield", &tsr_setfield);
  add("tsr_construct", &tsr_construct);
  add("tsr_make_tuple", &tsr_make_tuple);
  add("tsr_make_vect", &tsr_make_vect);
  add("tsr_make_closure", &tsr_make_closure);
  add("tsr_new_cell", &tsr_new_cell);
  add("tsr_cell_get", &tsr_cell_get);
  add("tsr_cell_set", &tsr_cell_set);
  add("tsr_typeassert", &tsr_typeassert);
  add("tsr_truthy", &tsr_truthy);
  add("tsr_raise_error", &tsr_raise_error);
  add("tsr_raise_undef", &tsr_raise_undef);
  add("tsr_add_frame", &tsr_add_frame);
  add("tsr_take_error", &tsr_take_error);
  add("tsr_rethrow", &tsr_rethrow);
  symbols[es.intern("tsr_pending")] = {llvm::orc::ExecutorAddr::fromPtr(&tsr_pending), llvm::JITSymbolFlags::Exported};
  if (auto err = impl_->jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols))))
    throw InternalError("defining the runtime symbols: " + to_string(std::move(err)));
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

void Engine::add(std::unique_ptr<llvm::Module> m, bool optimize, bool dump) {
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*m, &os)) throw InternalError("generated LLVM IR does not verify:\n" + problems);
  if (optimize) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(impl_->tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    mpm.run(*m, mam);
  }
  if (dump) m->print(llvm::errs(), nullptr);
  if (auto err = impl_->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), impl_->tsc)))
    throw InternalError("adding a module to the JIT: " + to_string(std::move(err)));
}

void* Engine::lookup(const std::string& symbol) {
  auto addr = check(impl_->jit->lookup(symbol), "looking up a compiled function");
  return addr.toPtr<void*>();
}

}  // namespace tsr::jit
