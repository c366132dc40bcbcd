// The Python objects of smmap._smmap, shared by the files that bind them:
// module.cpp (cursors, regions, region lists, buffers) and managers.cpp
// (managers and their statistics).
//
// The Python objects own C++ objects: a WindowCursor per Python cursor, a
// manager per Python manager. What smmap's API shares by reference (the
// object a cursor was made from, the cursor a buffer uses) is kept as a
// Python reference beside the C++ object, so lifetimes are Python's.
//
// Thread safety: every call runs with the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>

#include "glue.hpp"
#include "smmap/smmap.hpp"

namespace smmap::python {

constexpr std::uint64_t kPySizeMax = static_cast<std::uint64_t>(PY_SSIZE_T_MAX);

// A Python WindowCursor: the C++ cursor and the object it was made from
// (returned as is by path_or_fd(), as smmap does).
//
// map() keeps the MappedBytes it returned in |mapped| and returns it again
// while the cursor shows the same region (gitdb calls map() at every step of
// its binary search): the MappedBytes pins its region, so the same address
// and size mean the same mapping. use_region() and unuse_region() drop it
// when the region changes; a buffer that moves the cursor leaves it until then.
struct Cursor {
  WindowCursor cursor;
  py::object source;  // None when unassociated
  py::object mapped;  // the MappedBytes last returned by map(), or null
};

// A Python MapRegion. A standalone region (smmap's MapRegion(path_or_fd, ofs,
// size)) owns its mapping. A region from cursor.region() only describes a
// region of a manager: it does not pin it (it is no client), and it keeps the
// file entry alive through an associated cursor without a region, so asking
// it questions after the region was unmapped is safe.
struct Region {
  std::shared_ptr<MapRegion> standalone;
  int standalone_clients = 1;  // smmap's usage count of a standalone region
  WindowCursor entry;          // associated, never valid; managed regions only
  const MapRegionList* list = nullptr;
  std::uint64_t ofs = 0;
  std::size_t size = 0;
};

// A Python MapRegionList: a file's size, read once.
struct RegionList {
  std::unique_ptr<MapRegionList> list;
  py::object source;
};

// A Python SlidingWindowMapBuffer. |cursor_object| keeps the Python cursor
// whose C++ cursor |buffer| uses alive; it is declared first so that |buffer|
// (which releases the cursor's region) goes first.
struct Buffer {
  py::object cursor_object;  // None until a cursor is given
  Cursor* cursor = nullptr;  // the C++ side of cursor_object
  SlidingWindowMapBuffer buffer;
};

// A new Python cursor of |manager| onto |source| (a path or a descriptor).
Cursor make_cursor(StaticWindowMapManager& manager, py::handle source);

// sys.maxsize, smmap's default for sizes and handle limits.
inline py::object max_size() {
  return py::module_::import("sys").attr("maxsize");
}

// Bind the classes ManagerStats, StaticWindowMapManager and
// SlidingWindowMapManager (managers.cpp).
void bind_stats(py::module_& m);
void bind_managers(py::module_& m);

}  // namespace smmap::python
