// The library's one form of error: a std::system_error in the generic
// category carrying an errno value, whose message names the operation, the
// file and, for a window, its offset and size. Every layer throws through
// here, so callers can test error.code() against std::errc on every
// platform.
//
// Thread safety: thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace smmap::detail {

// Throws std::system_error(err) whose message names the operation, the file,
// and — when |size| is not zero — the offset and size:
//   "mmap 'pack.idx' at offset 4096 size 1048576: Cannot allocate memory".
[[noreturn]] void throw_system_error(int err, std::string_view operation, std::string_view file,
                                     std::uint64_t offset = 0, std::uint64_t size = 0);

}  // namespace smmap::detail
