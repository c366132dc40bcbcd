// smmap._smmap's managers and their statistics.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "objects.hpp"

namespace smmap::python {
namespace {

struct ManagerArgs {
  std::int64_t window_size;
  std::uint64_t max_memory_size;
  std::uint64_t max_open_handles;
};

ManagerArgs manager_args(py::handle window_size, py::handle max_memory_size,
                         py::handle max_open_handles) {
  ManagerArgs args{};
  const py::int_ window = py::reinterpret_steal<py::int_>(PyNumber_Index(window_size.ptr()));
  if (!window) throw py::error_already_set();
  const std::optional<std::uint64_t> positive = to_u64(window);
  if (positive) {
    args.window_size = static_cast<std::int64_t>(std::min<std::uint64_t>(*positive, INT64_MAX));
  } else {
    args.window_size =
        PyObject_RichCompareBool(window.ptr(), py::int_(0).ptr(), Py_LT) == 1 ? -1 : INT64_MAX;
  }
  args.max_memory_size = to_size(max_memory_size, "max_memory_size");
  args.max_open_handles = to_size(max_open_handles, "max_open_handles");
  if (args.max_open_handles >= kPySizeMax) args.max_open_handles = kUnlimitedHandles;
  return args;
}

template <class Manager>
Manager make_manager(py::handle window_size, py::handle max_memory_size,
                     py::handle max_open_handles) {
  const ManagerArgs args = manager_args(window_size, max_memory_size, max_open_handles);
  return Manager(args.window_size, args.max_memory_size, args.max_open_handles);
}

std::string stats_repr(const ManagerStats& s) {
  std::string text = "ManagerStats(";
  for (const ManagerStatsField& field : kManagerStatsFields) {
    if (field.member != kManagerStatsFields[0].member) text += ", ";
    text += std::string(field.name) + "=" + std::to_string(s.*field.member);
  }
  return text + ")";
}

}  // namespace

Cursor make_cursor(StaticWindowMapManager& manager, py::handle source) {
  PathOrFd where = to_path_or_fd(source);
  return Cursor{naming_file(source, [&] { return manager.make_cursor(where); }),
                py::reinterpret_borrow<py::object>(source), py::object()};
}

void bind_stats(py::module_& m) {
  py::class_<ManagerStats> stats(m, "ManagerStats",
                                 "Counters a manager keeps about its work (a snapshot).");
  for (const ManagerStatsField& field : kManagerStatsFields) {
    stats.def_readonly(field.name, field.member);
  }
  stats.def("__repr__", &stats_repr);
}

void bind_managers(py::module_& m) {
  py::class_<StaticWindowMapManager>(m, "StaticWindowMapManager",
                                     "A manager whose regions map whole files. Thread-safe.")
      .def(py::init(&make_manager<StaticWindowMapManager>), py::arg("window_size") = 0,
           py::arg("max_memory_size") = 0, py::arg("max_open_handles") = max_size())
      .def(
          "make_cursor",
          [](StaticWindowMapManager& manager, py::handle source) {
            PyObject* cursor = new_cursor(make_cursor(manager, source));
            if (cursor == nullptr) throw py::error_already_set();
            return py::reinterpret_steal<py::object>(cursor);
          },
          py::arg("path_or_fd"))
      .def("num_file_handles", &StaticWindowMapManager::num_file_handles)
      .def("num_open_files", &StaticWindowMapManager::num_open_files)
      .def("window_size", &StaticWindowMapManager::window_size)
      .def("mapped_memory_size", &StaticWindowMapManager::mapped_memory_size)
      .def("max_file_handles",
           [](const StaticWindowMapManager& manager) -> py::object {
             const std::uint64_t limit = manager.max_file_handles();
             return limit == kUnlimitedHandles ? max_size() : to_int(limit);
           })
      .def("max_mapped_memory_size", &StaticWindowMapManager::max_mapped_memory_size)
      .def("collect", &StaticWindowMapManager::collect)
      .def(
          "_collect_lru_region",
          [](StaticWindowMapManager& manager, py::handle size) {
            return manager.collect_lru_region(to_size(size, "size"));
          },
          py::arg("size"))
      .def(
          "force_map_handle_removal_win",
          [](StaticWindowMapManager& manager, py::handle base_path) {
            const PathOrFd where = to_path_or_fd(base_path);
            const auto* path = std::get_if<std::filesystem::path>(&where);
            return path == nullptr ? 0 : manager.force_map_handle_removal_win(*path);
          },
          py::arg("base_path"))
      .def("stats", &StaticWindowMapManager::stats)
      .def("adaptive", &StaticWindowMapManager::adaptive)
      .def("set_adaptive", &StaticWindowMapManager::set_adaptive, py::arg("adaptive"))
      .def("max_copy_memory", &StaticWindowMapManager::max_copy_memory)
      .def(
          "set_max_copy_memory",
          [](StaticWindowMapManager& manager, py::handle bytes) {
            manager.set_max_copy_memory(to_size(bytes, "bytes"));
          },
          py::arg("bytes"))
      .def("max_open_descriptors", &StaticWindowMapManager::max_open_descriptors)
      .def(
          "set_max_open_descriptors",
          [](StaticWindowMapManager& manager, py::handle count) {
            const std::uint64_t wanted = to_size(count, "count");
            manager.set_max_open_descriptors(
                static_cast<std::size_t>(std::min<std::uint64_t>(wanted, SIZE_MAX)));
          },
          py::arg("count"))
      .def("num_open_descriptors", &StaticWindowMapManager::num_open_descriptors);

  py::class_<SlidingWindowMapManager, StaticWindowMapManager>(
      m, "SlidingWindowMapManager",
      "A manager that maps windows of at most window_size bytes. Thread-safe.")
      .def(py::init(&make_manager<SlidingWindowMapManager>), py::arg("window_size") = -1,
           py::arg("max_memory_size") = 0, py::arg("max_open_handles") = max_size());
}

}  // namespace smmap::python
