// The truncation guard on Windows (guarded_copy.hpp): a page of a view whose
// file shrank, or whose network or removable medium went away, raises
// EXCEPTION_IN_PAGE_ERROR; Wine, which turns the SIGBUS of a file truncated
// under a view into EXCEPTION_ACCESS_VIOLATION, raises that instead, so a
// read access violation inside the pages being copied (which are mapped, so
// cannot otherwise fault) counts the same. MinGW has no __try, so a vectored exception
// handler, installed on the first guarded copy, catches the ones inside the
// pages a copy on the same thread is reading (a per-thread record, as on
// POSIX) and resumes that thread in land_after_fault(), which jumps back into
// the copy; the copy then reports the fault. Any other exception goes on to
// the next handler untouched.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <variant>

#include "port/guarded_copy.hpp"
#include "system_calls.hpp"
#include "util/errors.hpp"

namespace smmap::detail {
namespace {

// The copy this thread is doing, read by the handler on this thread.
struct CopyInProgress {
  void* jump[5];              // __builtin_setjmp's buffer
  std::uintptr_t page_begin;  // the pages holding the bytes being copied
  std::uintptr_t page_end;
  std::uintptr_t fault;
  volatile bool active;
};
thread_local CopyInProgress this_thread_copy{};

// Where a faulting copy resumes: back into copy_or_fault(), past its
// __builtin_setjmp. Runs on the faulting thread's stack, below the copy.
[[noreturn]] __attribute__((noinline)) void land_after_fault() {
  __builtin_longjmp(this_thread_copy.jump, 1);
}

LONG CALLBACK on_exception(EXCEPTION_POINTERS* pointers) {
  const EXCEPTION_RECORD* record = pointers->ExceptionRecord;
  const bool page_lost = record->ExceptionCode == EXCEPTION_IN_PAGE_ERROR ||
                         (record->ExceptionCode == EXCEPTION_ACCESS_VIOLATION &&
                          record->NumberParameters >= 2 && record->ExceptionInformation[0] == 0);
  if (!page_lost || record->NumberParameters < 2) return EXCEPTION_CONTINUE_SEARCH;
  CopyInProgress& copy = this_thread_copy;
  // Pages, not bytes: a vector load may start before the source or end after
  // it, within the same page.
  const std::uintptr_t address = record->ExceptionInformation[1];
  if (!copy.active || address < copy.page_begin || address >= copy.page_end) {
    return EXCEPTION_CONTINUE_SEARCH;
  }
  copy.active = false;
  copy.fault = address;
  // Resume in land_after_fault() as if it had been called: a fresh, aligned
  // frame below the faulting one (which it then leaves for good).
  CONTEXT* context = pointers->ContextRecord;
#if defined(__x86_64__)
  context->Rsp = ((context->Rsp - 256) & ~DWORD64{15}) - 8;
  context->Rip = reinterpret_cast<DWORD64>(&land_after_fault);
#elif defined(__i386__)
  context->Esp = ((context->Esp - 256) & ~DWORD{15}) - 4;
  context->Eip = reinterpret_cast<DWORD>(&land_after_fault);
#elif defined(__aarch64__)
  context->Sp = (context->Sp - 256) & ~DWORD64{15};
  context->Pc = reinterpret_cast<DWORD64>(&land_after_fault);
#else
#error "the truncation guard does not know this processor's registers"
#endif
  return EXCEPTION_CONTINUE_EXECUTION;
}

}  // namespace

void install_sigbus_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    // First in the chain, so a debugger or runtime handler sees only the
    // faults that are not ours.
    if (::AddVectoredExceptionHandler(1, on_exception) == nullptr) {
      throw std::system_error(ENOMEM, std::generic_category(), "AddVectoredExceptionHandler");
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
  if (__builtin_setjmp(copy.jump) != 0) {
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

const std::byte* guarded_memcpy(std::byte* to, const std::byte* from, std::size_t size) noexcept {
  try {
    install_sigbus_handler();
  } catch (...) {
    // No handler: copy unguarded, as a fault would end the process anyway.
  }
  return copy_or_fault(to, from, size);
}

std::int64_t current_file_size(const PathOrFd* source, int /*fd*/) noexcept {
  // The path tells; the C runtime's descriptor of a mapping is not kept.
  const auto* path = source != nullptr ? std::get_if<std::filesystem::path>(source) : nullptr;
  if (path == nullptr) return -1;
  std::error_code error;
  const std::uintmax_t now = std::filesystem::file_size(*path, error);
  return error ? -1 : static_cast<std::int64_t>(now);
}

}  // namespace smmap::detail
