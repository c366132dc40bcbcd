// Copies out of mapped memory that survive a file truncated under the map.
//
// When another process truncates a file, touching a mapped page past the new
// end raises SIGBUS, which kills the process. Every copy out of a region —
// SlidingWindowMapBuffer::read() and operator[], and the Python binding's
// indexing and slicing — goes through guarded_copy(), which turns that fault
// into a std::system_error(EIO). Raw spans (WindowCursor::buffer(), map(),
// MapRegion::buffer()) are read by the caller directly and cannot be guarded.
//
// How: on the first guarded copy a SIGBUS handler is installed for the
// process (SA_SIGINFO | SA_ONSTACK | SA_NODEFER). Each copy records, in a
// thread_local, the bytes it reads and a jump buffer; a fault inside those
// bytes jumps back out of the copy, which then throws. Any other SIGBUS goes
// to the handler that was installed before (or, if there was none, ends the
// process as it would have without us). A handler installed later by someone
// else that does not chain to ours turns the protection off.
//
// Thread safety: thread-safe; the record of a copy in progress is per thread.
//
//   std::byte out[64];
//   detail::guarded_copy(out, cursor.buffer().data(), sizeof out, &cursor.path_or_fd(),
//                        cursor.ofs_begin());  // throws std::system_error(EIO) if truncated
#pragma once

#include <cstddef>
#include <cstdint>

#include "smmap/util.hpp"

namespace smmap::detail {

// Copies |size| bytes from |from| to |to|. Returns nullptr on success, or the
// address of the byte in [from, from + size) whose page is gone (SIGBUS); the
// bytes before it may or may not have been copied.
const std::byte* copy_or_fault(std::byte* to, const std::byte* from, std::size_t size) noexcept;

// Copies |size| bytes from mapped memory at |from| to |to|. |source| (may be
// null) names the file and |file_offset| is the file offset of |from|, for
// the message.
// Throws std::system_error(EIO) naming the file, offset and size when the
// pages are gone (the file was truncated under the mapping).
void guarded_copy(std::byte* to, const std::byte* from, std::size_t size,
                  const PathOrFd* source = nullptr, std::uint64_t file_offset = 0);

// Installs the SIGBUS handler now rather than on the first copy; idempotent.
void install_sigbus_handler();

}  // namespace smmap::detail
