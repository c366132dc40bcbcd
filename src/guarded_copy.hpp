// Copies out of mapped memory that survive a file truncated under the map.
#pragma once

#include <cstddef>
#include <string_view>

namespace smmap::detail {

// Copies |size| bytes from mapped memory at |from| to |to|. If the pages are
// gone (the file was truncated by someone else: SIGBUS), throws
// std::system_error(EIO) naming |what| instead of letting the process die.
void guarded_copy(std::byte* to, const std::byte* from, std::size_t size);

}  // namespace smmap::detail
