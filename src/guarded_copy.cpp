#include "guarded_copy.hpp"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include "system_calls.hpp"

namespace smmap::detail {
namespace {

// The copy this thread is doing, read by the signal handler on this thread.
// Constant-initialized, so the handler never runs a thread_local constructor.
struct CopyInProgress {
  sigjmp_buf jump;
  std::uintptr_t page_begin;  // the pages holding the bytes being copied
  std::uintptr_t page_end;
  std::uintptr_t fault;
  volatile bool active;
};
thread_local CopyInProgress this_thread_copy{};

// The handler ours replaced; written once, before ours is installed.
struct sigaction previous_action {};

// Passes a SIGBUS that is not ours on as if we were not there.
void chain(int signal, siginfo_t* info, void* context) {
  if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != nullptr) {
    previous_action.sa_sigaction(signal, info, context);
    return;
  }
  if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
    previous_action.sa_handler(signal);
    return;
  }
  // The default action (ignoring a fault would only repeat it forever): put
  // it back and raise again; SA_NODEFER leaves SIGBUS unblocked, so the
  // process ends here with the usual status and core dump.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(SIGBUS, &fallback, nullptr);
  raise(SIGBUS);
}

void on_sigbus(int signal, siginfo_t* info, void* context) {
  CopyInProgress& copy = this_thread_copy;
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  // Pages, not bytes: a vector load may start before the source or end after
  // it, within the same page.
  if (copy.active && address >= copy.page_begin && address < copy.page_end) {
    copy.active = false;
    copy.fault = address;
    siglongjmp(copy.jump, 1);
  }
  chain(signal, info, context);
}

}  // namespace

void install_sigbus_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    // SA_NODEFER: leaving the handler by siglongjmp must not leave SIGBUS
    // blocked, and sigsetjmp(…, 0) then needs no system call per copy.
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous_action) != 0) {
      throw std::system_error(errno, std::generic_category(), "sigaction(SIGBUS)");
    }
  });
}

const std::byte* copy_or_fault(std::byte* to, const std::byte* from, std::size_t size) noexcept {
  if (size == 0) return nullptr;
  CopyInProgress& copy = this_thread_copy;
  const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(from);
  const std::uintptr_t page = static_cast<std::uintptr_t>(ALLOCATIONGRANULARITY);
  copy.page_begin = begin / page * page;
  copy.page_end = (begin + size + page - 1) / page * page;
  if (sigsetjmp(copy.jump, 0) != 0) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    // SA_NODEFER should have left SIGBUS unblocked, but a runtime that wraps
    // handlers (ThreadSanitizer) may not pass it on; a SIGBUS blocked at the
    // next fault would kill the process. Only faults pay for this call.
    sigset_t bus;
    sigemptyset(&bus);
    sigaddset(&bus, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &bus, nullptr);
    const std::uintptr_t lost = copy.fault > begin ? copy.fault - begin : 0;
    return from + std::min<std::uintptr_t>(lost, size - 1);
  }
  copy.active = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(to, from, size);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  copy.active = false;
  return nullptr;
}

void guarded_copy(std::byte* to, const std::byte* from, std::size_t size, const PathOrFd* source,
                  std::uint64_t file_offset) {
  install_sigbus_handler();
  const std::byte* fault = copy_or_fault(to, from, size);
  if (fault == nullptr) [[likely]] {
    return;
  }
  const std::uint64_t lost = file_offset + static_cast<std::uint64_t>(fault - from);
  throw_system_error(
      EIO, "copy from mapping (file truncated under it; byte " + std::to_string(lost) + " is gone)",
      source != nullptr ? describe(*source) : std::string("mapped file"), file_offset, size);
}

}  // namespace smmap::detail
