// Copies out of mapped memory that survive a file truncated under the map.
//
// When another process truncates a file, touching a mapped page past the new
// end raises SIGBUS, which kills the process. Every copy the library makes out
// of a region goes through guarded_memcpy(), which returns the address that
// faulted instead: SlidingWindowMapBuffer::read() and operator[] (and with
// them the Python buffer's indexing and slicing) and the other slices of a
// Python MappedBytes through guarded_copy(), which turns the fault into a
// std::system_error(EIO); MappedBytes' indexing and its slices of step 1 under
// 1 MiB through copy_or_fault(), copying again through guarded_copy() for the
// error when one faults; the window-cost measurement (window_costs.cpp) and,
// on Windows, detach_from_file() through guarded_memcpy() and copy_or_fault()
// themselves. Raw spans (WindowCursor::buffer(), map(), MapRegion::buffer())
// are read by the caller directly and cannot be guarded.
//
// How: on the first guarded copy a SIGBUS handler is installed for the process
// (SA_SIGINFO | SA_ONSTACK | SA_NODEFER). On x86-64 Linux the bytes are copied
// by one small assembly routine (src/port/posix/guarded_copy.cpp); when one of its loads
// faults, the handler recognises the routine by the faulting instruction's
// address and resumes it at a fixup that returns the fault address, as the
// kernel's exception tables do: a copy costs about what a memcpy costs
// (docs/benchmarks.md, "Guarded copies"). Elsewhere (32-bit x86, other CPUs,
// other POSIX systems) each copy records a sigsetjmp buffer in a thread_local
// and the handler jumps back to it.
//
// Chaining: any other SIGBUS goes to the handler ours was installed over
// (or, if there was none, ends the process as it would have without us).
// A handler installed later by someone else runs first:
//  - if it hands the signal back as Python's faulthandler does (restores the
//    handler it replaced, ours, and raises again), a guarded copy still
//    throws EIO: ours lets the raised signal return, and the load faults
//    again into ours. faulthandler has printed its report by then.
//  - if it does not, guarded copies are unprotected until
//    install_sigbus_handler() is called again, which puts ours back on top,
//    chaining to it. Checking on every copy would cost a sigaction() system
//    call, which is dearer than the copies it guards.
//
// Thread safety: thread-safe; the record of a copy in progress is per thread.
//
//   std::byte out[64];
//   detail::guarded_copy(out, cursor.buffer().data(), sizeof out, &cursor.path_or_fd(),
//                        cursor.ofs_begin());
//   // throws std::system_error(EIO) if truncated
#pragma once

#include <cstddef>
#include <cstdint>

#include "smmap/util.hpp"

namespace smmap::detail {

// Copies |size| bytes from |from| to |to|. Returns nullptr on success, or the
// address of a byte in [from, from + size) whose page is gone (SIGBUS): the
// first such byte where the copy runs forward (the x86-64 Linux routine),
// any of them where memcpy may copy from the end; the bytes before the first
// lost one may or may not have been copied.
const std::byte* copy_or_fault(std::byte* to, const std::byte* from, std::size_t size) noexcept;

// Copies |size| bytes from |from| to |to|, installing the SIGBUS handler
// first if need be. Returns nullptr on success, or the address of a byte in
// or near [from, from + size) whose page is gone (not necessarily the first).
const std::byte* guarded_memcpy(std::byte* to, const std::byte* from, std::size_t size) noexcept;

// The file's size now, for the message of a truncation: fstat of |fd| or of
// |source|'s descriptor, else the size of |source|'s path; -1 when none is
// known. Each port has its own.
std::int64_t current_file_size(const PathOrFd* source, int fd) noexcept;

// Throws the std::system_error(EIO) of guarded_copy() for a copy that
// faulted at |fault| (src/port/guarded_copy.cpp, for every port).
[[noreturn, gnu::cold]] void throw_truncated(const std::byte* from, std::size_t size,
                                             const std::byte* fault, const PathOrFd* source,
                                             std::uint64_t file_offset, int fd);

// Copies |size| bytes from mapped memory at |from| to |to|. |source| (may be
// null) names the file and |file_offset| is the file offset of |from|, for
// the message; |fd| (-1: unknown) is the descriptor the mapping was made
// from.
// Throws std::system_error(EIO) naming the file, offset and size when the
// pages are gone (the file was truncated under the mapping). The message
// names the first lost byte, from the file's current size: fstat of |fd|, or
// of |source|'s descriptor, else stat of |source|'s path, else the fault
// address; clamped into the bytes copied.
inline void guarded_copy(std::byte* to, const std::byte* from, std::size_t size,
                         const PathOrFd* source = nullptr, std::uint64_t file_offset = 0,
                         int fd = -1) {
  const std::byte* fault = guarded_memcpy(to, from, size);
  if (fault != nullptr) [[unlikely]] {
    throw_truncated(from, size, fault, source, file_offset, fd);
  }
}

// Installs the SIGBUS handler now rather than on the first copy. When
// another handler has been installed over ours since, puts ours back on top,
// chaining to it; otherwise does nothing.
// Throws std::system_error when sigaction() fails.
void install_sigbus_handler();

}  // namespace smmap::detail
