// smmap._smmap — the C++ core as Python classes with smmap's names: the
// module's init (objects.hpp says which file binds what).
#include <pybind11/pybind11.h>

#include "map_view.hpp"
#include "objects.hpp"
#include "smmap/smmap.hpp"
#include "smmap/version.hpp"

PYBIND11_MODULE(_smmap, m) {
  using namespace smmap::python;
  m.doc() = "The C++ core of smmap: managers, cursors, regions and buffers.";
  register_exception_translators();
  if (!add_mapped_bytes_type(m.ptr()) || !add_cursor_type(m.ptr()) || !add_buffer_type(m.ptr())) {
    throw py::error_already_set();
  }
  bind_stats(m);
  bind_managers(m);
  bind_regions(m);
  m.attr("ALLOCATIONGRANULARITY") = smmap::ALLOCATIONGRANULARITY;
  m.attr("__version__") = SMMAP_VERSION_STRING;
  m.def("is_64_bit", &smmap::is_64_bit);
}
