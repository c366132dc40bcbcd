// The message of a buffer that cannot begin access, shared by the C++
// SlidingWindowMapBuffer and the Python one (python/src/buffer.cpp), so that
// both name the same cause, offset, size and file.
//
// Thread safety: reads |cursor|, which one thread uses at a time.
#pragma once

#include <string>
#include <string_view>

#include "smmap/cursor.hpp"

namespace smmap::detail {

// Why a buffer on |cursor| cannot begin at |offset| (as the caller spelled
// it): the cursor has no file, or the offset is not below the file's size.
std::string buffer_begin_error(const WindowCursor& cursor, std::string_view offset);

}  // namespace smmap::detail
