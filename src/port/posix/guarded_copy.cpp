#include "port/guarded_copy.hpp"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <variant>

#include "system_calls.hpp"
#include "util/errors.hpp"

// The copy routine the SIGBUS handler recognises by its instruction address
// (as the kernel's exception tables do): x86-64 Linux. Elsewhere each copy
// saves a sigsetjmp buffer for the handler to jump back to.
#if defined(__x86_64__) && defined(__linux__)
#define SMMAP_GUARDED_COPY_FIXUP 1
#else
#define SMMAP_GUARDED_COPY_FIXUP 0
#endif

#if SMMAP_GUARDED_COPY_FIXUP
#if defined(__CET__)
#define SMMAP_ENDBR "endbr64\n"
#else
#define SMMAP_ENDBR ""
#endif

// const std::byte* smmap_guarded_memcpy(std::byte* to, const std::byte* from,
//                                       std::size_t size, volatile int* copying);
// memcpy (System V ABI: rdi, rsi, rdx) that sets *copying (rcx) to 1 while
// it runs and returns nullptr; no stack frame, and every load between
// smmap_guarded_memcpy and smmap_guarded_memcpy_end. When a load faults,
// the handler clears *copying, sets rax to the fault address and resumes at
// smmap_guarded_memcpy_fixup, which returns it. Blocks go front to back.
asm(R"(
  .pushsection .text.smmap_guarded_memcpy,"ax",@progbits
  .p2align 5
  .globl smmap_guarded_memcpy
  .hidden smmap_guarded_memcpy
  .type smmap_guarded_memcpy, @function
smmap_guarded_memcpy:
  )" SMMAP_ENDBR R"(
  movl $1, (%rcx)
  xorl %eax, %eax
  cmpq $16, %rdx
  jb .Lsmmap_below_16
  cmpq $32, %rdx
  ja .Lsmmap_above_32
  movdqu (%rsi), %xmm0
  movdqu -16(%rsi,%rdx), %xmm1
  movdqu %xmm0, (%rdi)
  movdqu %xmm1, -16(%rdi,%rdx)
  movl $0, (%rcx)
  ret
.Lsmmap_above_32:
  cmpq $64, %rdx
  ja .Lsmmap_above_64
  movdqu (%rsi), %xmm0
  movdqu 16(%rsi), %xmm1
  movdqu -32(%rsi,%rdx), %xmm2
  movdqu -16(%rsi,%rdx), %xmm3
  movdqu %xmm0, (%rdi)
  movdqu %xmm1, 16(%rdi)
  movdqu %xmm2, -32(%rdi,%rdx)
  movdqu %xmm3, -16(%rdi,%rdx)
  movl $0, (%rcx)
  ret
.Lsmmap_above_64:
  cmpq $2048, %rdx
  jae .Lsmmap_rep_movsb
  leaq -64(%rsi,%rdx), %r8
  leaq -64(%rdi,%rdx), %r9
.Lsmmap_loop_64:
  movdqu (%rsi), %xmm0
  movdqu 16(%rsi), %xmm1
  movdqu 32(%rsi), %xmm2
  movdqu 48(%rsi), %xmm3
  movdqu %xmm0, (%rdi)
  movdqu %xmm1, 16(%rdi)
  movdqu %xmm2, 32(%rdi)
  movdqu %xmm3, 48(%rdi)
  addq $64, %rsi
  addq $64, %rdi
  cmpq %r8, %rsi
  jb .Lsmmap_loop_64
  movdqu (%r8), %xmm0
  movdqu 16(%r8), %xmm1
  movdqu 32(%r8), %xmm2
  movdqu 48(%r8), %xmm3
  movdqu %xmm0, (%r9)
  movdqu %xmm1, 16(%r9)
  movdqu %xmm2, 32(%r9)
  movdqu %xmm3, 48(%r9)
  movl $0, (%rcx)
  ret
.Lsmmap_rep_movsb:
  movq %rcx, %r10
  movq %rdx, %rcx
  rep movsb
  movl $0, (%r10)
  ret
.Lsmmap_below_16:
  cmpq $8, %rdx
  jb .Lsmmap_below_8
  movq (%rsi), %r8
  movq -8(%rsi,%rdx), %r9
  movq %r8, (%rdi)
  movq %r9, -8(%rdi,%rdx)
  movl $0, (%rcx)
  ret
.Lsmmap_below_8:
  cmpq $4, %rdx
  jb .Lsmmap_below_4
  movl (%rsi), %r8d
  movl -4(%rsi,%rdx), %r9d
  movl %r8d, (%rdi)
  movl %r9d, -4(%rdi,%rdx)
  movl $0, (%rcx)
  ret
.Lsmmap_below_4:
  testq %rdx, %rdx
  je .Lsmmap_done
  movzbl (%rsi), %r8d
  movb %r8b, (%rdi)
  cmpq $2, %rdx
  jb .Lsmmap_done
  movzwl -2(%rsi,%rdx), %r8d
  movw %r8w, -2(%rdi,%rdx)
.Lsmmap_done:
  movl $0, (%rcx)
  ret
  .globl smmap_guarded_memcpy_end
  .hidden smmap_guarded_memcpy_end
smmap_guarded_memcpy_end:
  .globl smmap_guarded_memcpy_fixup
  .hidden smmap_guarded_memcpy_fixup
smmap_guarded_memcpy_fixup:
  ret
  .size smmap_guarded_memcpy, . - smmap_guarded_memcpy
  .popsection
)");

extern "C" {
const std::byte* smmap_guarded_memcpy(std::byte* to, const std::byte* from, std::size_t size,
                                      volatile int* copying) noexcept;
extern const char smmap_guarded_memcpy_end[];
extern const char smmap_guarded_memcpy_fixup[];
}
#endif  // SMMAP_GUARDED_COPY_FIXUP

namespace smmap::detail {
namespace {

// This thread's guarded copy, read by the signal handler on this thread.
// Constant-initialized, so the handler never runs a thread_local constructor.
struct ThreadRecord {
  // 0: no copy; 1: copying; 2: copying, and a SIGBUS handed back by a handler
  // installed over ours was let through once (see on_sigbus()).
  volatile int copying;
  // While ours passes a SIGBUS on: how many handlers down the chain it went.
  volatile sig_atomic_t chain_depth;
#if !SMMAP_GUARDED_COPY_FIXUP
  sigjmp_buf jump;
  std::uintptr_t page_begin;  // the pages holding the bytes being copied
  std::uintptr_t page_end;
  std::uintptr_t fault;  // 0: not known
#endif
};
#if SMMAP_GUARDED_COPY_FIXUP
// Initial-exec: reached at a fixed offset from the thread pointer, with no
// __tls_get_addr call. In a module loaded by dlopen (the Python binding) its
// 8 bytes come from the static TLS glibc keeps spare for that.
[[gnu::tls_model("initial-exec")]] thread_local ThreadRecord this_thread{};
#else
thread_local ThreadRecord this_thread{};
#endif

// The handlers ours was installed over, oldest first: the one before the
// first guarded copy, then one for each install_sigbus_handler() that found
// another on top. Entries are written under |install_mutex| before
// |displaced_count| publishes them, and never change after.
//
// Memory order (the same on ARM64 as on x86-64): the release store of
// |displaced_count| after an entry is written pairs with the handler's
// acquire load, so a handler on any thread sees the entries it counts.
// |installed| is stored with release after sigaction() and loaded with
// acquire before each copy, so a thread that sees it set also sees the
// entries written before. Within one thread, the copy and its handler are
// ordered by signal fences alone: SIGBUS from a load is synchronous and runs
// on the faulting thread, which needs no hardware fence to see its own
// stores to its ThreadRecord.
constexpr int kMaxDisplaced = 16;
struct sigaction displaced[kMaxDisplaced];
std::atomic<int> displaced_count{0};
std::mutex install_mutex;
std::atomic<bool> installed{false};

// Ends the process with SIGBUS's default action, the usual status and core
// dump (ignoring a fault would only repeat it forever). SA_NODEFER leaves
// SIGBUS unblocked, so the raise takes effect at once.
void die_of_sigbus(int signal) {
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

// Passes a SIGBUS that is not ours on to the handlers ours displaced, newest
// first, as if ours were not there. A handler that hands the signal back
// (restores the handler it replaced and raises again, as Python's
// faulthandler does) brings it back here one level further down.
void chain(int signal, siginfo_t* info, void* context) {
  ThreadRecord& self = this_thread;
  const int count = displaced_count.load(std::memory_order_acquire);
  const sig_atomic_t depth = self.chain_depth;
  if (depth >= count) {
    die_of_sigbus(signal);
    return;
  }
  const struct sigaction& next = displaced[count - 1 - depth];
  const bool has_sigaction = (next.sa_flags & SA_SIGINFO) != 0;
  if ((has_sigaction && next.sa_sigaction == nullptr) ||
      (!has_sigaction && (next.sa_handler == SIG_DFL || next.sa_handler == SIG_IGN))) {
    die_of_sigbus(signal);
    return;
  }
  self.chain_depth = depth + 1;
  if (has_sigaction) {
    next.sa_sigaction(signal, info, context);
  } else {
    next.sa_handler(signal);
  }
  self.chain_depth = depth;
}

#if SMMAP_GUARDED_COPY_FIXUP
// Resumes a load that faulted in smmap_guarded_memcpy at its fixup.
bool redirect_to_fixup(const siginfo_t* info, void* context) {
  auto& registers = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  const auto pc = static_cast<std::uintptr_t>(registers[REG_RIP]);
  if (pc < reinterpret_cast<std::uintptr_t>(&smmap_guarded_memcpy) ||
      pc >= reinterpret_cast<std::uintptr_t>(smmap_guarded_memcpy_end)) {
    return false;
  }
  this_thread.copying = 0;
  registers[REG_RAX] = static_cast<greg_t>(reinterpret_cast<std::uintptr_t>(info->si_addr));
  registers[REG_RIP] =
      static_cast<greg_t>(reinterpret_cast<std::uintptr_t>(smmap_guarded_memcpy_fixup));
  return true;
}
#endif

void on_sigbus(int signal, siginfo_t* info, void* context) {
  ThreadRecord& self = this_thread;
  if (info->si_code > 0) {  // a fault, from the kernel
    self.chain_depth = 0;
#if SMMAP_GUARDED_COPY_FIXUP
    if (redirect_to_fixup(info, context)) return;
#else
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    // Pages, not bytes: a vector load may start before the source or end
    // after it, within the same page.
    if (self.copying != 0 && address >= self.page_begin && address < self.page_end) {
      self.copying = 0;
      self.fault = address;
      siglongjmp(self.jump, 1);
    }
#endif
  } else if (info->si_pid == getpid()) {
    // Raised by this process. A handler installed over ours that hands
    // faults back restores ours and raises again; the fault's own context is
    // then lost.
    if (self.copying == 1 && self.chain_depth == 0) {
#if SMMAP_GUARDED_COPY_FIXUP
      // Return: the load runs again and faults into ours, now installed.
      self.copying = 2;
      return;
#else
      self.copying = 0;
      self.fault = 0;
      siglongjmp(self.jump, 1);
#endif
    }
  } else {
    self.chain_depth = 0;  // from another process
  }
  chain(signal, info, context);
}

bool is_ours(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) != 0 && action.sa_sigaction == on_sigbus;
}

// The index in [from, from + size) of |fault|, 0 when it is before |from|.
std::size_t lost_index(const std::byte* from, std::size_t size, const std::byte* fault) {
  const auto begin = reinterpret_cast<std::uintptr_t>(from);
  const auto at = reinterpret_cast<std::uintptr_t>(fault);
  return at > begin ? static_cast<std::size_t>(std::min<std::uintptr_t>(at - begin, size)) : 0;
}

}  // namespace

void install_sigbus_handler() {
  std::lock_guard<std::mutex> lock(install_mutex);
  struct sigaction current {};
  if (sigaction(SIGBUS, nullptr, &current) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigaction(SIGBUS)");
  }
  if (is_ours(current)) {
    installed.store(true, std::memory_order_release);
    return;
  }
  struct sigaction action {};
  action.sa_sigaction = on_sigbus;
  // SA_NODEFER: leaving the handler by siglongjmp must not leave SIGBUS
  // blocked, and sigsetjmp(…, 0) then needs no system call per copy.
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  // Past kMaxDisplaced, the newest displaced handler stands for the others.
  const int count = displaced_count.load(std::memory_order_relaxed);
  const int slot = std::min(count, kMaxDisplaced - 1);
  const struct sigaction kept = displaced[slot];
  displaced[slot] = current;
  if (count < kMaxDisplaced) displaced_count.store(count + 1, std::memory_order_release);
  if (sigaction(SIGBUS, &action, nullptr) != 0) {
    const int error = errno;
    displaced_count.store(count, std::memory_order_release);
    displaced[slot] = kept;
    throw std::system_error(error, std::generic_category(), "sigaction(SIGBUS)");
  }
  installed.store(true, std::memory_order_release);
}

namespace {
// The first copy: installs the handler, then copies. Out of line, so that
// the other copies need no stack frame.
[[gnu::cold, gnu::noinline]] const std::byte* install_and_copy(std::byte* to, const std::byte* from,
                                                               std::size_t size) noexcept {
  try {
    install_sigbus_handler();
  } catch (...) {
    // sigaction() fails only for bad arguments: the copies go unguarded.
    installed.store(true, std::memory_order_release);
  }
  return guarded_memcpy(to, from, size);
}
}  // namespace

const std::byte* guarded_memcpy(std::byte* to, const std::byte* from, std::size_t size) noexcept {
  if (!installed.load(std::memory_order_acquire)) [[unlikely]] {
    return install_and_copy(to, from, size);
  }
  ThreadRecord& self = this_thread;
#if SMMAP_GUARDED_COPY_FIXUP
  return smmap_guarded_memcpy(to, from, size, &self.copying);
#else
  if (size == 0) return nullptr;
  const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(from);
  const std::uintptr_t page = static_cast<std::uintptr_t>(ALLOCATIONGRANULARITY);
  self.page_begin = begin / page * page;
  self.page_end = (begin + size + page - 1) / page * page;
  if (sigsetjmp(self.jump, 0) != 0) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    // SA_NODEFER should have left SIGBUS unblocked, but a runtime that wraps
    // handlers (ThreadSanitizer) may not pass it on; a SIGBUS blocked at the
    // next fault would kill the process. Only faults pay for this call.
    sigset_t bus;
    sigemptyset(&bus);
    sigaddset(&bus, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &bus, nullptr);
    return self.fault != 0 ? reinterpret_cast<const std::byte*>(self.fault) : from;
  }
  self.copying = 1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(to, from, size);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  self.copying = 0;
  return nullptr;
#endif
}

const std::byte* copy_or_fault(std::byte* to, const std::byte* from, std::size_t size) noexcept {
  const std::byte* fault = guarded_memcpy(to, from, size);
  if (fault == nullptr) return nullptr;
  return from + std::min(lost_index(from, size, fault), size - 1);
}

std::int64_t current_file_size(const PathOrFd* source, int fd) noexcept {
  if (fd < 0 && source != nullptr && std::holds_alternative<int>(*source)) {
    fd = std::get<int>(*source);
  }
  struct stat info {};
  if (fd >= 0 && system_calls().fstat(fd, &info) == 0) return info.st_size;
  const auto* path = source != nullptr ? std::get_if<std::filesystem::path>(source) : nullptr;
  if (path != nullptr && system_calls().stat(path->c_str(), &info) == 0) return info.st_size;
  return -1;
}

}  // namespace smmap::detail
