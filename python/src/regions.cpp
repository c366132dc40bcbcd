// smmap._smmap's MapRegion and MapRegionList (pybind11 classes), and what
// the WindowCursor type asks of them and of the managers.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "map_view.hpp"
#include "objects.hpp"

namespace smmap::python {
namespace {

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

// The cast pybind11 would do, with a TypeError instead of its RuntimeError.
template <class T>
T& checked_cast(py::handle object, const char* expected) {
  if (!py::isinstance<T>(object)) {
    throw py::type_error(std::string("expected ") + expected + ", not " +
                         py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>());
  }
  return object.cast<T&>();
}

Region make_standalone_region(py::handle source, py::handle ofs, py::handle size, int /*flags*/) {
  PathOrFd where = to_path_or_fd(source);
  const std::uint64_t begin = to_offset(ofs, "ofs");
  const std::uint64_t length = to_size(size, "size");
  Region region;
  region.standalone =
      naming_file(source, [&] { return std::make_shared<MapRegion>(where, begin, length); });
  region.ofs = region.standalone->ofs_begin();
  region.size = region.standalone->size();
  return region;
}

int client_count(const Region& r) {
  if (r.list == nullptr) return r.standalone ? r.standalone_clients : 0;
  return r.list->client_count_of(r.ofs, r.size);
}

// The region's bytes, pinned for as long as the returned MappedBytes lives.
// A managed region that was unmapped meanwhile is mapped again.
py::object region_bytes(const Region& r) {
  PyObject* view = nullptr;
  if (r.list == nullptr) {
    if (!r.standalone) throw py::value_error("the region was released");
    view = new_mapped_bytes(r.standalone, r.standalone->data(), r.standalone->size());
  } else {
    // The whole region, not the window use_region() clamps to window_size.
    WindowCursor pin = r.entry;
    pin.use_region(r.ofs, r.size);
    const MapRegion* mapped = pin.region();
    if (mapped == nullptr) throw py::value_error("the region's file shrank");
    const std::uint64_t skip = r.ofs - mapped->ofs_begin();
    const std::byte* data = mapped->data() + skip;
    const std::size_t size =
        static_cast<std::size_t>(std::min<std::uint64_t>(r.size, mapped->size() - skip));
    view = new_mapped_bytes(std::move(pin), data, size);
  }
  if (view == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(view);
}

bool increment_client_count(Region& r, int by) {
  if (r.list != nullptr) {
    throw py::value_error("a manager's region is counted by its cursors, not by hand");
  }
  if (!r.standalone) throw py::value_error("the region was released");
  if (r.standalone_clients + by < 0) throw py::value_error("client count would become negative");
  r.standalone_clients += by;
  if (r.standalone_clients > 0) return false;
  r.standalone.reset();
  return true;
}

}  // namespace

py::object region_of(const Cursor& c) {
  const MapRegion* region = c.cursor.region();
  if (region == nullptr) return py::none();
  Region described;
  described.entry = c.cursor;
  described.entry.unuse_region();
  described.list = c.cursor.region_list();
  described.ofs = region->ofs_begin();
  described.size = region->size();
  return py::cast(std::move(described));
}

Cursor cursor_of_manager(py::handle manager, py::handle regions) {
  return make_cursor(checked_cast<StaticWindowMapManager>(manager, "a manager"),
                     checked_cast<RegionList>(regions, "a MapRegionList").source);
}

void bind_regions(py::module_& m) {
  py::class_<Region>(m, "MapRegion",
                     "A mapped region of a file. From cursor.region() it describes a region of "
                     "a manager without pinning it; MapRegion(path_or_fd, ofs, size) maps one "
                     "of its own.")
      .def(py::init(&make_standalone_region), py::arg("path_or_fd"), py::arg("ofs"),
           py::arg("size"), py::arg("flags") = 0)
      .def("buffer", &region_bytes)
      .def("map", &region_bytes)
      .def("ofs_begin", [](const Region& r) { return r.ofs; })
      .def("ofs_end", [](const Region& r) { return r.ofs + r.size; })
      .def("size", [](const Region& r) { return r.size; })
      .def(
          "includes_ofs",
          [](const Region& r, py::handle ofs) {
            // A described region holds no MapRegion of its own: the same
            // rule as MapRegion::includes_ofs(), on the offsets it recorded.
            return includes(ofs, [&r](std::uint64_t at) {
              return r.standalone ? r.standalone->includes_ofs(at) : at - r.ofs < r.size;
            });
          },
          py::arg("ofs"))
      .def("client_count", &client_count)
      .def("increment_client_count", &increment_client_count, py::arg("ofs") = 1)
      .def("release",
           [](Region& r) {
             if (r.list != nullptr) {
               throw py::value_error("a manager's region is released by its manager");
             }
             r.standalone.reset();
           })
      .def("__eq__",
           [](const Region& r, py::handle other) {
             if (!py::isinstance<Region>(other)) return false;
             const Region& o = other.cast<const Region&>();
             if (r.list == nullptr) return &r == &o;
             return r.list == o.list && r.ofs == o.ofs && r.size == o.size;
           })
      .def("__hash__",
           [](const Region& r) {
             const void* identity = r.list != nullptr ? static_cast<const void*>(r.list)
                                                      : static_cast<const void*>(&r);
             return py::hash(
                 py::make_tuple(reinterpret_cast<std::uintptr_t>(identity), r.ofs, r.size));
           })
      .def("__repr__", [](const Region& r) {
        return "MapRegion<" + std::to_string(r.ofs) + ", " + std::to_string(r.size) + ">";
      });

  py::class_<RegionList>(m, "MapRegionList",
                         "A file and its size. Made directly it holds no regions.")
      .def(py::init([](py::handle source) {
             PathOrFd where = to_path_or_fd(source);
             return RegionList{
                 naming_file(source, [&] { return std::make_unique<MapRegionList>(where); }),
                 py::reinterpret_borrow<py::object>(source)};
           }),
           py::arg("path_or_fd"))
      .def("__len__", [](const RegionList& l) { return l.list->size(); })
      .def("path_or_fd", [](const RegionList& l) { return l.source; })
      .def("file_size", [](const RegionList& l) { return l.list->file_size(); });
}

}  // namespace smmap::python
