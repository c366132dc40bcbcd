// The Python objects of smmap._smmap and the seams between the files that
// bind them:
//
//   cursor.cpp    WindowCursor, a CPython heap type (PyType_FromSpec)
//   buffer.cpp    SlidingWindowMapBuffer, a CPython heap type
//   map_view.cpp  MappedBytes, a CPython heap type
//   cpython.cpp   what those three share (cpython.hpp)
//   regions.cpp   MapRegion and MapRegionList (pybind11)
//   managers.cpp  the managers and their statistics (pybind11)
//   errors.cpp    the one mapping of C++ exceptions to Python ones
//   module.cpp    the module's init
//
// The hot types (cursor, buffer, mapped bytes) are plain CPython types whose
// methods are each written once; the cold ones are pybind11 classes. The
// cursor type reaches them only through the functions declared here.
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
#include <optional>

#include "glue.hpp"
#include "smmap/smmap.hpp"

namespace smmap::python {

constexpr std::uint64_t kPySizeMax = static_cast<std::uint64_t>(PY_SSIZE_T_MAX);

// What a Python WindowCursor holds: the C++ cursor and the object it was
// made from (returned as is by path_or_fd(), as smmap does).
//
// map() keeps the MappedBytes it returned in |mapped| and returns it again
// while the cursor shows the same region (gitdb calls map() at every step of
// its binary search): the MappedBytes pins its region, so the same address
// and size mean the same mapping. use_region() and unuse_region() drop it
// when the region changes; a buffer that moves the cursor leaves it until then.
struct Cursor {
  WindowCursor cursor;
  py::object source;  // None (or null) when unassociated
  py::object mapped;  // the MappedBytes last returned by map(), or null
};

// --- cursor.cpp ------------------------------------------------------------

// Creates the WindowCursor type and adds it to |module|. Returns false with a
// Python error set on failure.
bool add_cursor_type(PyObject* module);

// A new WindowCursor holding |value|: a new reference, or nullptr with a
// Python error set.
PyObject* new_cursor(Cursor value);

// The Cursor inside |object|, a WindowCursor (or an instance of a subclass)
// whose __init__ ran; nullptr with TypeError set otherwise.
Cursor* cursor_of(PyObject* object);

// --- buffer.cpp ------------------------------------------------------------

// Creates the SlidingWindowMapBuffer type and adds it to |module|. Returns
// false with a Python error set on failure.
bool add_buffer_type(PyObject* module);

// --- regions.cpp -----------------------------------------------------------

// WindowCursor(manager, regions): a cursor of |manager| (a pybind11
// manager) onto the file of |regions| (a MapRegionList). Throws.
Cursor cursor_of_manager(py::handle manager, py::handle regions);

// cursor.region(): a MapRegion that describes |c|'s region, or None. Throws.
py::object region_of(const Cursor& c);

// |holds|(ofs) for |ofs| (a Python integer), the C++ rule (includes_ofs() of
// a cursor or region); false when |ofs| is outside the range of uint64, as
// smmap answers for offsets no file has. Throws TypeError when it is no
// integer.
template <typename Holds>
bool includes(py::handle ofs, Holds holds) {
  const std::optional<std::uint64_t> at = to_u64(ofs);
  return at && holds(*at);
}

// Binds the classes MapRegion and MapRegionList.
void bind_regions(py::module_& m);

// --- managers.cpp ----------------------------------------------------------

// A new cursor of |manager| onto |source| (a path or a descriptor). Throws.
Cursor make_cursor(StaticWindowMapManager& manager, py::handle source);

// Binds the classes ManagerStats, StaticWindowMapManager and
// SlidingWindowMapManager.
void bind_stats(py::module_& m);
void bind_managers(py::module_& m);

// sys.maxsize, smmap's default for sizes and handle limits.
inline py::object max_size() {
  return py::module_::import("sys").attr("maxsize");
}

}  // namespace smmap::python
