// smmap/export.hpp — SMMAP_API, the mark of what the shared library exports.
//
// The library is compiled with hidden symbols (-fvisibility=hidden); only the
// public classes and functions marked SMMAP_API are exported from
// libsmmap.so, so programs cannot come to depend on the internals
// (smmap::detail) and the ABI is what the public headers declare
// (docs/design.md, "Versions and the ABI"). With the static library the mark
// changes nothing.
//
// On Windows a DLL needs dllexport when it is built and dllimport when it is
// used: CMake defines SMMAP_SHARED_LIBRARY for the library and its users when
// it builds a shared library, and SMMAP_BUILDING_LIBRARY while compiling it.
//
//   #include <smmap/export.hpp>
//   #include <smmap/util.hpp>
//   // Declared SMMAP_API, so libsmmap.so exports it:
//   std::uint64_t page = smmap::allocation_granularity();
#pragma once

#if defined(_WIN32)
#if defined(SMMAP_SHARED_LIBRARY) && defined(SMMAP_BUILDING_LIBRARY)
#define SMMAP_API __declspec(dllexport)
#elif defined(SMMAP_SHARED_LIBRARY)
#define SMMAP_API __declspec(dllimport)
#else
#define SMMAP_API
#endif
#else
#define SMMAP_API __attribute__((visibility("default")))
#endif
