// What the core knows of the platform, POSIX here: the type of an open file
// and how mapped files behave. Each port has this header; the core includes
// it by name from the port's folder, which CMake puts on the include path.
#pragma once

namespace smmap::detail {

// An open file: a descriptor.
using NativeFile = int;
inline constexpr NativeFile kNoFile = -1;

// Whether a mapped file cannot be deleted, renamed over or shrunk, so that
// force_map_handle_removal_win() must release files (Windows). Here files
// can, and it does nothing, as in smmap.
inline constexpr bool kMappedFilesAreLocked = false;

}  // namespace smmap::detail
