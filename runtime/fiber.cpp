#include "runtime/fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>

// AddressSanitizer (make sanitize) keeps a shadow of every stack frame. Code that left a
// fiber stack by switching away, never returning, leaves its frames' redzones poisoned there;
// a fiber stack that is reused must be unpoisoned before its new frames are laid out.
#if defined(__SANITIZE_ADDRESS__)
#define TSR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSR_ASAN 1
#endif
#endif
#if TSR_ASAN
#include <sanitizer/asan_interface.h>
#endif

#if defined(__x86_64__) && defined(__linux__)
#define TSR_FIBER_ASM 1
#else
#include <ucontext.h>
#endif

namespace tsr {

#if TSR_FIBER_ASM

// tsr_fiber_switch(void** save_sp, void* new_sp): pushes the callee-saved registers and the
// SSE/x87 control words, stores the stack pointer in *save_sp, loads new_sp and pops the same
// from there. A new fiber's stack is laid out so that the pops and the `ret` land in
// tsr_fiber_start with the entry function in r13 and its argument in r12.
extern "C" void tsr_fiber_switch(void** save_sp, void* new_sp);
extern "C" void tsr_fiber_start();
asm(R"(
  .text
  .globl tsr_fiber_switch
  .type tsr_fiber_switch, @function
tsr_fiber_switch:
  .cfi_startproc
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .cfi_endproc
  .size tsr_fiber_switch, .-tsr_fiber_switch

  .globl tsr_fiber_start
  .type tsr_fiber_start, @function
tsr_fiber_start:
  .cfi_startproc
  .cfi_undefined rip
  movq %r12, %rdi
  callq *%r13
  ud2
  .cfi_endproc
  .size tsr_fiber_start, .-tsr_fiber_start
)");

struct FiberContextImpl {
  void* sp = nullptr;
};

void FiberContext::prepare(void* stack_low, size_t stack_size, void (*entry)(void*), void* arg) {
#if TSR_ASAN
  ASAN_UNPOISON_MEMORY_REGION(stack_low, stack_size);
#endif
  auto top = (reinterpret_cast<uintptr_t>(stack_low) + stack_size) & ~uintptr_t(15);
  auto* slot = reinterpret_cast<uint64_t*>(top);
  // From the top down: the return address (tsr_fiber_start), rbp, rbx, r12 (arg), r13 (entry),
  // r14, r15, and the control words. After `ret` the stack pointer is 16-byte aligned, as
  // the call in tsr_fiber_start needs.
  slot[-1] = reinterpret_cast<uint64_t>(&tsr_fiber_start);
  slot[-2] = 0;
  slot[-3] = 0;
  slot[-4] = reinterpret_cast<uint64_t>(arg);
  slot[-5] = reinterpret_cast<uint64_t>(entry);
  slot[-6] = 0;
  slot[-7] = 0;
  uint32_t mxcsr;
  uint16_t fpcw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpcw));
  uint64_t words = mxcsr | (uint64_t(fpcw) << 32);
  slot[-8] = words;
  impl_->sp = &slot[-8];
}

void fiber_switch(FiberContext& from, FiberContext& to) { tsr_fiber_switch(&from.impl_->sp, to.impl_->sp); }

#else

struct FiberContextImpl {
  ucontext_t uc;
};

void FiberContext::prepare(void* stack_low, size_t stack_size, void (*entry)(void*), void* arg) {
#if TSR_ASAN
  ASAN_UNPOISON_MEMORY_REGION(stack_low, stack_size);
#endif
  getcontext(&impl_->uc);
  impl_->uc.uc_stack.ss_sp = stack_low;
  impl_->uc.uc_stack.ss_size = stack_size;
  impl_->uc.uc_link = nullptr;
  // makecontext passes int arguments: each pointer goes in two halves.
  auto a = reinterpret_cast<uintptr_t>(arg);
  auto e = reinterpret_cast<uintptr_t>(entry);
  makecontext(&impl_->uc, reinterpret_cast<void (*)()>(+[](unsigned eh, unsigned el, unsigned ah, unsigned al) {
                auto fn = reinterpret_cast<void (*)(void*)>((uintptr_t(eh) << 32) | el);
                fn(reinterpret_cast<void*>((uintptr_t(ah) << 32) | al));
              }),
              4, unsigned(e >> 32), unsigned(e & 0xffffffffu), unsigned(a >> 32), unsigned(a & 0xffffffffu));
}

void fiber_switch(FiberContext& from, FiberContext& to) { swapcontext(&from.impl_->uc, &to.impl_->uc); }

#endif

FiberContext::FiberContext() : impl_(std::make_unique<FiberContextImpl>()) {}
FiberContext::~FiberContext() = default;
FiberContext::FiberContext(FiberContext&&) noexcept = default;
FiberContext& FiberContext::operator=(FiberContext&&) noexcept = default;

FiberStack::FiberStack(size_t size) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_ = (size + page - 1) / page * page;
  map_size_ = size_ + page;
  map_ = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map_ == MAP_FAILED) throw std::bad_alloc();
  mprotect(map_, page, PROT_NONE);  // the guard page
  low_ = static_cast<char*>(map_) + page;
}

FiberStack::~FiberStack() {
  if (map_) munmap(map_, map_size_);
}

}  // namespace tsr
