// run_guarded: stack overflows in compiled code become StackOverflowErrors, on every thread
// and fiber; any other segmentation fault is reported for what it most likely is.
//
// Each thread that runs guarded code gets its own alternate signal stack (the SIGSEGV handler
// cannot run on the stack that just overflowed). Each guarded run pushes a Guard onto a
// thread-local chain: the stack it runs on (the thread's, or a work item's fiber stack) and
// where to jump back to. The handler looks only at this thread's innermost guard.
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

#include "jit/abi.hpp"

namespace tsr::jit {

namespace {

// How near the low end of the stack a fault must be to count as running out of it. Frames of
// compiled code are small, so an overflow faults within a page or two of the end; the margin
// is wider for C++ runtime frames called from it.
constexpr uintptr_t kOverflowWindow = uintptr_t(1) << 20;
constexpr size_t kAltStackBytes = size_t(256) << 10;

struct Guard {
  sigjmp_buf jump;
  uintptr_t stack_low;
  const GuardSite* site;
  Guard* outer;
};

// Plain thread-locals (no constructors): safe to read in the signal handler.
thread_local Guard* t_guard = nullptr;
thread_local uintptr_t t_thread_stack_low = 0;
thread_local bool t_alt_stack = false;

std::atomic<bool> g_unchecked_code{false};

// Async-signal-safe output: the handler may not call printf or allocate.
struct SignalText {
  char buf[1024];
  size_t n = 0;
  void add(const char* s, size_t len) {
    for (size_t i = 0; i < len && n < sizeof buf; ++i) buf[n++] = s[i];
  }
  void add(const char* s) { add(s, std::strlen(s)); }
  void add(int64_t v) {
    char digits[24];
    size_t k = 0;
    uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    do digits[k++] = static_cast<char>('0' + u % 10); while ((u /= 10) && k < sizeof digits);
    if (v < 0) add("-");
    while (k) add(&digits[--k], 1);
  }
  void write() {
    ssize_t ignored = ::write(2, buf, n);
    (void)ignored;
  }
};

void on_segv(int sig, siginfo_t* info, void*) {
  auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  Guard* g = t_guard;
  if (g && g->stack_low && addr + kOverflowWindow >= g->stack_low && addr < g->stack_low + kOverflowWindow)
    siglongjmp(g->jump, 1);
  // Anything else is a crash. Inside compiled code that skips bounds checks (@inbounds) the
  // program is the likely culprit; elsewhere it is a bug in Tessera. Report, then die as the
  // signal would.
  SignalText text;
  if (g && g_unchecked_code.load(std::memory_order_relaxed)) {
    // What the program printed comes first (the process dies next; stdio's lock is
    // recursive, so this thread cannot deadlock on it).
    std::fflush(stdout);
    text.add("tsr: fatal: segmentation fault");
    if (g->site->frame) {
      text.add(" (last Tessera frame: ");
      text.add(g->site->frame->c_str());
      text.add(")");
    } else if (g->site->toplevel_file) {
      text.add(" (last Tessera frame: top-level at ");
      text.add(g->site->toplevel_file->c_str());
      text.add(":");
      text.add(tsr_toplevel_line);
      text.add(")");
    }
    text.add(": the program may have written out of bounds under @inbounds, where indices are not checked\n");
  } else {
    text.add("tsr: internal error: segmentation fault (this is a bug in Tessera; please report it)\n");
  }
  text.write();
  signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handler() {
  static bool installed = [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    // SA_NODEFER: the jump back leaves SIGSEGV unblocked without saving the signal mask in
    // every guard (sigsetjmp(..., 1) costs a system call per work item).
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    return true;
  }();
  (void)installed;
}

// This thread's alternate signal stack, and the low end of its own stack (once per thread).
void prepare_thread() {
  if (t_alt_stack) return;
  t_alt_stack = true;
  stack_t old{};
  if (sigaltstack(nullptr, &old) == 0 && !(old.ss_flags & SS_DISABLE) && old.ss_size >= kAltStackBytes / 4) {
    // One is in place already (a sanitizer's, say): keep it.
  } else {
    void* mem = mmap(nullptr, kAltStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem != MAP_FAILED) {
      stack_t ss{};
      ss.ss_sp = mem;
      ss.ss_size = kAltStackBytes;
      sigaltstack(&ss, nullptr);  // kept for the life of the thread (pool threads live on)
    }
  }
  pthread_attr_t attr;
  void* low = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
  }
  t_thread_stack_low = reinterpret_cast<uintptr_t>(low);
}

}  // namespace

void* swap_guard_chain(void* chain) { return std::exchange(t_guard, static_cast<Guard*>(chain)); }

void note_unchecked_code() { g_unchecked_code.store(true, std::memory_order_relaxed); }

bool run_guarded(void (*fn)(void*), void* ctx, const GuardSite& site) {
  install_handler();
  prepare_thread();
  Guard g;
  g.stack_low = site.stack_low ? reinterpret_cast<uintptr_t>(site.stack_low) : t_thread_stack_low;
  g.site = &site;
  g.outer = t_guard;
  // volatile: read after the jump back.
  Guard* volatile self = &g;
  if (sigsetjmp(g.jump, 0)) {
    t_guard = self->outer;
    Value e = exception_value(abi_globals(), "StackOverflowError", "stack overflow (infinite recursion?)");
    if (self->site->frame) raise_with_frame(std::move(e), *self->site->frame);
    else jit::raise(std::move(e));
    return false;
  }
  t_guard = &g;
  fn(ctx);
  t_guard = g.outer;
  return tsr_pending == 0;
}

}  // namespace tsr::jit
