// PTX through LLVM's NVPTX target (nvptx.hpp). What TOOLCHAIN.md found: NVPTX cannot lower
// llvm.exp and friends, so they become libdevice's __nv_* functions; libdevice is loaded
// lazily and linked with LinkOnlyNeeded; NVVMReflect runs through the target's pass builder
// callbacks; LLVM's default diagnostic handler would exit(1) on a codegen error, so ours keeps
// the message and the JIT reports it.
#include "jit/gpu/nvptx.hpp"

#include <cstdlib>
#include <functional>
#include <filesystem>
#include <mutex>

#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/Linker/Linker.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Scalar/InferAddressSpaces.h>
#include <llvm/Transforms/Scalar/InferAlignment.h>
#include <llvm/Transforms/Vectorize/LoadStoreVectorizer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include "runtime/errors.hpp"

#ifndef TSR_CUDA_DEFAULT_ROOT
#define TSR_CUDA_DEFAULT_ROOT "/usr/local/cuda"
#endif

namespace tsr::jit::gpu {

std::string cuda_toolkit_root() {
  for (const char* var : {"TSR_CUDA_HOME", "CUDA_HOME"})
    if (const char* v = std::getenv(var); v && *v && std::filesystem::exists(std::string(v) + "/nvvm/libdevice/libdevice.10.bc"))
      return v;
  std::string d = TSR_CUDA_DEFAULT_ROOT;
  if (std::filesystem::exists(d + "/nvvm/libdevice/libdevice.10.bc")) return d;
  return "";
}

namespace {

void init_nvptx() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

// llvm.exp.f32 -> __nv_expf, and so on: the math NVPTX has no instruction for.
void math_to_libdevice(llvm::Module& m) {
  struct Map {
    llvm::Intrinsic::ID id;
    const char* f64;
    const char* f32;
  };
  static const Map maps[] = {
      {llvm::Intrinsic::exp, "__nv_exp", "__nv_expf"},       {llvm::Intrinsic::exp2, "__nv_exp2", "__nv_exp2f"},
      {llvm::Intrinsic::log, "__nv_log", "__nv_logf"},       {llvm::Intrinsic::log2, "__nv_log2", "__nv_log2f"},
      {llvm::Intrinsic::log10, "__nv_log10", "__nv_log10f"}, {llvm::Intrinsic::sin, "__nv_sin", "__nv_sinf"},
      {llvm::Intrinsic::cos, "__nv_cos", "__nv_cosf"},       {llvm::Intrinsic::pow, "__nv_pow", "__nv_powf"},
      {llvm::Intrinsic::powi, "__nv_powi", "__nv_powif"},
  };
  std::vector<llvm::CallInst*> calls;
  for (llvm::Function& f : m)
    for (llvm::BasicBlock& bb : f)
      for (llvm::Instruction& i : bb)
        if (auto* c = llvm::dyn_cast<llvm::IntrinsicInst>(&i))
          for (const Map& mp : maps)
            if (c->getIntrinsicID() == mp.id) calls.push_back(c);
  for (llvm::CallInst* c : calls) {
    auto id = llvm::cast<llvm::IntrinsicInst>(c)->getIntrinsicID();
    const Map* mp = nullptr;
    for (const Map& x : maps)
      if (x.id == id) mp = &x;
    bool f32 = c->getType()->isFloatTy();
    if (!f32 && !c->getType()->isDoubleTy()) continue;  // vectors do not occur before optimization
    std::vector<llvm::Type*> ptys;
    std::vector<llvm::Value*> args;
    for (llvm::Value* a : c->args()) {
      ptys.push_back(a->getType());
      args.push_back(a);
    }
    auto callee = m.getOrInsertFunction(f32 ? mp->f32 : mp->f64, llvm::FunctionType::get(c->getType(), ptys, false));
    llvm::IRBuilder<> b(c);
    llvm::Value* r = b.CreateCall(callee, args);
    c->replaceAllUsesWith(r);
    c->eraseFromParent();
  }
}

struct Diagnostics {
  std::string text;
};

void on_diagnostic(const llvm::DiagnosticInfo* di, void* ctx) {
  if (di->getSeverity() != llvm::DS_Error) return;
  auto* d = static_cast<Diagnostics*>(ctx);
  llvm::raw_string_ostream os(d->text);
  llvm::DiagnosticPrinterRawOStream printer(os);
  di->print(printer);
  os << "\n";
}

std::unique_ptr<llvm::TargetMachine> target_machine(int sm) {
  init_nvptx();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget("nvptx64-nvidia-cuda", error);
  if (!target) throw InternalError("the NVPTX target is missing from this LLVM: " + error);
  llvm::TargetOptions opts;
  opts.AllowFPOpFusion = llvm::FPOpFusion::Fast;  // muladd becomes fma, as nvcc does
  // PTX ISA 7.0 for sm_80 and 7.8 for sm_90 (what LLVM 19 knows; CUDA 13's ptxas takes both).
  std::string features = sm >= 90 ? "+ptx78" : "+ptx70";
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      "nvptx64-nvidia-cuda", "sm_" + std::to_string(sm), features, opts, std::nullopt, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

}  // namespace

namespace {

// PTX of the device module `generate` fills (a kernel's, or a broadcast loop's).
DeviceCode device_ptx(Compiler& c, Spec& anchor, const std::function<void(DeviceModule&)>& generate, int sm) {
  std::string root = cuda_toolkit_root();
  if (root.empty())
    throw ErrorException("PTX needs the CUDA toolkit's libdevice (nvvm/libdevice/libdevice.10.bc), which was not found: "
                         "set TSR_CUDA_HOME to the toolkit's folder (usually /usr/local/cuda)");
  llvm::LLVMContext ctx;
  Diagnostics diags;
  ctx.setDiagnosticHandlerCallBack(on_diagnostic, &diags);
  DeviceModule dm(c, ctx, anchor);
  generate(dm);
  DeviceCode code;
  code.entry = dm.entry_name();
  code.sites = dm.error_sites();
  code.sm = sm;
  std::unique_ptr<llvm::Module> m = dm.take_module();
  auto tm = target_machine(sm);
  m->setDataLayout(tm->createDataLayout());
  math_to_libdevice(*m);
  // libdevice: only what the kernel calls, then everything but the entry and the error flag
  // made internal, so the optimizer may drop the rest.
  llvm::SMDiagnostic err;
  std::unique_ptr<llvm::Module> libdevice = llvm::getLazyIRFileModule(root + "/nvvm/libdevice/libdevice.10.bc", err, ctx);
  if (!libdevice) throw ErrorException("could not read libdevice from " + root + ": " + err.getMessage().str());
  libdevice->setTargetTriple(m->getTargetTriple());
  libdevice->setDataLayout(m->getDataLayout());
  if (llvm::Linker::linkModules(*m, std::move(libdevice), llvm::Linker::LinkOnlyNeeded))
    throw InternalError("linking libdevice into " + code.entry + " failed: " + diags.text);
  m->addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", static_cast<uint32_t>(0));
  std::string keep_entry = code.entry;
  llvm::internalizeModule(*m, [&](const llvm::GlobalValue& g) { return g.getName() == keep_entry || g.getName() == "tsr_error" || g.getName() == "tsr_error_at"; });
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    tm->registerPassBuilderCallbacks(pb);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    mpm.run(*m, mam);
    // Shared memory is reached through generic pointers (a @localmem array is a tensor); once
    // they are known to point into it (address space 3), the alignment of its arrays (16) and of
    // the indices gives neighbouring loads the alignment a 16-byte vector load needs, which the
    // codegen's load-store vectorizer only merges with (it does not infer it itself).
    llvm::FunctionPassManager fpm;
    fpm.addPass(llvm::InferAddressSpacesPass());
    fpm.addPass(llvm::InferAlignmentPass());
    fpm.addPass(llvm::LoadStoreVectorizerPass());
    llvm::ModulePassManager vectorize;
    vectorize.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
    vectorize.run(*m, mam);
  }
  llvm::SmallString<0> ptx;
  {
    llvm::raw_svector_ostream os(ptx);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
      throw InternalError("the NVPTX target cannot emit PTX");
    pm.run(*m);
  }
  if (!diags.text.empty()) throw ErrorException("LLVM could not compile " + code.entry + " for sm_" + std::to_string(sm) + ": " + diags.text);
  code.text = std::string(ptx.str());
  return code;
}

}  // namespace

DeviceCode kernel_ptx(Compiler& c, Spec& kernel, int sm) {
  return device_ptx(c, kernel, [](DeviceModule& dm) { dm.generate(); }, sm);
}

DeviceCode broadcast_ptx(Compiler& c, const BroadcastLoop& loop, int sm) {
  return device_ptx(c, *loop.f, [&](DeviceModule& dm) { dm.generate_broadcast(loop); }, sm);
}

}  // namespace tsr::jit::gpu
