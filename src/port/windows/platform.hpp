// What the core knows of the platform, Windows here: the type of an open file
// and how mapped files behave (src/port/posix/platform.hpp has the same
// names). <windows.h> stays out: only the port's own files include it.
#pragma once

#include <cerrno>
#include <cstdint>

// MinGW-w64's <errno.h> has no ESTALE (winsock's is behind #if 0); Linux's
// value, for the error of a file replaced under a closed descriptor.
#ifndef ESTALE
#define ESTALE 116
#endif

namespace smmap::detail {

using NativeFile = void*;  // HANDLE
// INVALID_HANDLE_VALUE.
inline const NativeFile kNoFile = reinterpret_cast<NativeFile>(static_cast<std::intptr_t>(-1));

// A mapped file cannot be deleted, renamed over or shrunk:
// force_map_handle_removal_win() releases files.
inline constexpr bool kMappedFilesAreLocked = true;

}  // namespace smmap::detail
