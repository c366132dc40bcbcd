// smmap._smmap — the C++ core as Python classes with smmap's names.
//
// The Python objects own C++ objects: a WindowCursor per Python cursor, a
// manager per Python manager. What smmap's API shares by reference (the
// object a cursor was made from, the cursor a buffer uses) is kept as a
// Python reference beside the C++ object, so lifetimes are Python's.
//
// Thread safety: every call runs with the GIL, so Python threads never use one
// C++ cursor at once. The only work done without the GIL is a large copy, and
// it reads through its own pin (a private cursor copy), never through an
// object another thread can reach.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "glue.hpp"
#include "guarded_copy.hpp"
#include "map_view.hpp"
#include "smmap/smmap.hpp"

namespace smmap::python {
namespace {

constexpr std::uint64_t kPySizeMax = static_cast<std::uint64_t>(PY_SSIZE_T_MAX);

// A Python WindowCursor: the C++ cursor and the object it was made from
// (returned as is by path_or_fd(), as smmap does).
struct Cursor {
  WindowCursor cursor;
  py::object source;  // None when unassociated
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

// The cast pybind11 would do, with a TypeError instead of its RuntimeError.
template <class T>
T& checked_cast(py::handle object, const char* expected) {
  if (!py::isinstance<T>(object)) {
    throw py::type_error(std::string("expected ") + expected + ", not " +
                         py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>());
  }
  return object.cast<T&>();
}

Cursor& cursor_of(py::handle object) {
  return checked_cast<Cursor>(object, "a WindowCursor");
}

// --- cursors ---------------------------------------------------------------

Cursor make_cursor(StaticWindowMapManager& manager, py::handle source) {
  PathOrFd where = to_path_or_fd(source);
  return Cursor{naming_file(source, [&] { return manager.make_cursor(where); }),
                py::reinterpret_borrow<py::object>(source)};
}

py::object cursor_region(const Cursor& c) {
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

bool includes(std::uint64_t begin, std::uint64_t size, py::handle ofs) {
  const std::optional<std::uint64_t> at = to_u64(ofs);
  return at && *at - begin < size;
}

void check_associated(const Cursor& c) {
  if (!c.cursor.is_associated()) throw py::value_error("the cursor is not associated with a file");
}

std::string cursor_repr(const Cursor& c) {
  if (!c.cursor.is_associated()) return "<WindowCursor unassociated>";
  std::string text = "<WindowCursor " + py::repr(c.source).cast<std::string>();
  if (c.cursor.is_valid()) {
    text += " [" + std::to_string(c.cursor.ofs_begin()) + ", " +
            std::to_string(c.cursor.ofs_end()) + ")";
  }
  return text + ">";
}

// --- regions ---------------------------------------------------------------

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
    WindowCursor pin = r.entry;
    pin.use_region(r.ofs, r.size);
    if (!pin.is_valid()) throw py::value_error("the region's file shrank");
    const std::span<const std::byte> bytes = pin.buffer();
    view = new_mapped_bytes(std::move(pin), bytes.data(), bytes.size());
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

// --- buffers ---------------------------------------------------------------

bool begin_access(Buffer& b, py::handle cursor, py::handle offset, py::handle size, int flags) {
  if (!cursor.is_none()) {
    Cursor& c = cursor_of(cursor);
    b.buffer.end_access();
    b.cursor_object = py::reinterpret_borrow<py::object>(cursor);
    b.cursor = &c;
    const std::optional<std::uint64_t> at = to_u64(offset);
    if (!at) return false;
    return naming_file(c.source, [&] {
      return b.buffer.begin_access(c.cursor, *at, to_size(size, "size"), flags);
    });
  }
  const std::optional<std::uint64_t> at = to_u64(offset);
  if (!at || b.cursor_object.is_none()) return false;
  return naming_file(b.cursor->source,
                     [&] { return b.buffer.begin_access(*at, to_size(size, "size"), flags); });
}

Py_ssize_t buffer_length(const Buffer& b) {
  return static_cast<Py_ssize_t>(std::min(b.buffer.size(), kPySizeMax));
}

[[noreturn]] void throw_short_read() {
  throw py::value_error(
      "the buffer's cursor no longer reaches its bytes (released or reassigned); "
      "call begin_access() again");
}

// Copies |count| bytes from relative index |start| into |out|. Large reads run
// with the GIL released through a private copy of the cursor, so other threads
// may use (or drop) the buffer and its cursor meanwhile.
void read_into(Buffer& b, std::uint64_t start, std::byte* out, std::size_t count,
               py::handle source) {
  std::size_t got = 0;
  if (count < static_cast<std::size_t>(kReleaseGilBytes)) {
    got = naming_file(source, [&] { return b.buffer.read(start, {out, count}); });
  } else {
    WindowCursor own = *b.buffer.cursor();
    const std::uint64_t offset = b.buffer.offset();
    const std::uint64_t size = b.buffer.size();
    std::exception_ptr failure;
    {
      py::gil_scoped_release unlocked;
      try {
        SlidingWindowMapBuffer reader;
        if (reader.begin_access(own, offset + start, size - start))
          got = reader.read(0, {out, count});
      } catch (...) {
        failure = std::current_exception();
      }
    }
    if (failure) {
      naming_file(source, [&] { std::rethrow_exception(failure); });
    }
  }
  if (got != count) throw_short_read();
}

py::object buffer_getitem(Buffer& b, py::handle key) {
  const Py_ssize_t length = buffer_length(b);
  py::handle source = b.cursor == nullptr ? py::handle() : b.cursor->source;
  if (PySlice_Check(key.ptr())) {
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(key.ptr(), &start, &stop, &step) < 0) throw py::error_already_set();
    const Py_ssize_t count = PySlice_AdjustIndices(length, &start, &stop, step);
    py::bytes result = py::reinterpret_steal<py::bytes>(PyBytes_FromStringAndSize(nullptr, count));
    if (!result) throw py::error_already_set();
    if (count == 0) return result;
    auto* out = reinterpret_cast<std::byte*>(PyBytes_AS_STRING(result.ptr()));
    if (step == 1) {
      read_into(b, static_cast<std::uint64_t>(start), out, static_cast<std::size_t>(count), source);
      return result;
    }
    // Read the span the slice covers, a piece at a time, and pick its bytes.
    const Py_ssize_t first = step > 0 ? start : start + (count - 1) * step;
    const Py_ssize_t stride = step > 0 ? step : -step;
    constexpr Py_ssize_t kPiece = Py_ssize_t{1} << 16;
    std::vector<std::byte> piece;
    Py_ssize_t picked = 0;  // indices first, first + stride, ... in ascending order
    while (picked < count) {
      const Py_ssize_t from = first + picked * stride;
      const Py_ssize_t in_piece = std::min<Py_ssize_t>(count - picked, kPiece / stride + 1);
      const Py_ssize_t span = (in_piece - 1) * stride + 1;
      piece.resize(static_cast<std::size_t>(span));
      read_into(b, static_cast<std::uint64_t>(from), piece.data(), piece.size(), source);
      for (Py_ssize_t i = 0; i < in_piece; ++i) {
        const Py_ssize_t target = step > 0 ? picked + i : count - 1 - (picked + i);
        out[target] = piece[static_cast<std::size_t>(i * stride)];
      }
      picked += in_piece;
    }
    return result;
  }
  Py_ssize_t index = PyNumber_AsSsize_t(key.ptr(), PyExc_IndexError);
  if (index == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (index < 0) index += length;
  if (index < 0 || index >= length) throw py::index_error("buffer index out of range");
  std::byte value;
  read_into(b, static_cast<std::uint64_t>(index), &value, 1, source);
  return py::int_(static_cast<int>(value));
}

// --- fast paths -------------------------------------------------------------
//
// The calls a reading loop makes (use_region, buffer, the cursor's getters,
// buffer[i]) bypass pybind11's dispatcher: they are plain CPython methods
// (METH_FASTCALL) installed over the pybind11 ones, with the same behaviour.

// The C++ object inside a pybind11 instance of one of our classes. The method
// descriptors and slots below are only reached with instances of the class.
template <class T>
T* value_of(PyObject* self) {
  auto* instance = reinterpret_cast<py::detail::instance*>(self);
  void* value = instance->simple_layout ? instance->simple_value_holder[0]
                                        : instance->nonsimple.values_and_holders[0];
  if (value == nullptr) PyErr_SetString(PyExc_TypeError, "the object was not initialized");
  return static_cast<T*>(value);
}

// Sets the Python error for the exception being handled; returns nullptr.
PyObject* raise_current(py::handle filename) noexcept {
  try {
    throw;
  } catch (py::error_already_set& error) {
    error.restore();
  } catch (const py::builtin_exception& error) {
    error.set_error();
  } catch (const std::system_error& error) {
    try {
      raise_os_error(error, filename && !PyLong_Check(filename.ptr()) ? filename : py::handle());
    } catch (py::error_already_set& set) {
      set.restore();
    }
  } catch (const std::out_of_range& error) {
    PyErr_SetString(PyExc_IndexError, error.what());
  } catch (const std::logic_error& error) {
    PyErr_SetString(PyExc_ValueError, error.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& error) {
    PyErr_SetString(PyExc_RuntimeError, error.what());
  }
  return nullptr;
}

// Sorts positional and keyword arguments into |out| by |names|; false with
// TypeError set when they do not fit.
template <std::size_t N>
bool parse_arguments(const char* function, PyObject* const* args, Py_ssize_t nargs,
                     PyObject* kwnames, const char* const (&names)[N], PyObject* (&out)[N]) {
  if (nargs > static_cast<Py_ssize_t>(N)) {
    PyErr_Format(PyExc_TypeError, "%s() takes at most %zu arguments (%zd given)", function, N,
                 nargs);
    return false;
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
  const Py_ssize_t keywords = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  for (Py_ssize_t k = 0; k < keywords; ++k) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, k);
    std::size_t i = 0;
    while (i < N && PyUnicode_CompareWithASCIIString(name, names[i]) != 0) ++i;
    if (i == N) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", function, name);
      return false;
    }
    if (out[i] != nullptr) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", function,
                   names[i]);
      return false;
    }
    out[i] = args[nargs + k];
  }
  return true;
}

PyObject* fast_use_region(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  static const char* const kNames[] = {"offset", "size", "flags"};
  Cursor* c = value_of<Cursor>(self);
  PyObject* values[3] = {nullptr, nullptr, nullptr};
  if (c == nullptr || !parse_arguments("use_region", args, nargs, kwnames, kNames, values)) {
    return nullptr;
  }
  try {
    const std::optional<std::uint64_t> at =
        values[0] ? to_u64(values[0]) : std::optional<std::uint64_t>(0);
    const std::uint64_t want = values[1] ? to_size(values[1], "size") : 0;
    if (at) {
      c->cursor.use_region(*at, want);
    } else {
      c->cursor.unuse_region();  // before the file, like after its end: invalid
    }
  } catch (...) {
    return raise_current(c->source);
  }
  Py_INCREF(self);
  return self;
}

PyObject* fast_buffer(PyObject* self, PyObject*) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  const std::span<const std::byte> bytes = c->cursor.buffer();
  return new_pinned_memoryview(c->cursor, bytes.data(), bytes.size());
}

PyObject* fast_map(PyObject* self, PyObject*) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  const std::span<const std::byte> bytes = c->cursor.map();
  return new_mapped_bytes(c->cursor, bytes.data(), bytes.size());
}

PyObject* fast_unuse_region(PyObject* self, PyObject*) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  c->cursor.unuse_region();
  Py_RETURN_NONE;
}

// A getter of the C++ cursor as a METH_NOARGS method.
template <auto Get>
PyObject* fast_getter(PyObject* self, PyObject*) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  const auto value = (c->cursor.*Get)();
  if constexpr (std::is_same_v<decltype(value), const bool>) {
    return PyBool_FromLong(value);
  } else {
    return PyLong_FromUnsignedLongLong(value);
  }
}

PyObject* fast_includes_ofs(PyObject* self, PyObject* ofs) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  try {
    return PyBool_FromLong(includes(c->cursor.ofs_begin(), c->cursor.size(), ofs));
  } catch (...) {
    return raise_current(py::handle());
  }
}

PyMethodDef cursor_fast_methods[] = {
    {"use_region", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fast_use_region)),
     METH_FASTCALL | METH_KEYWORDS,
     "use_region(offset=0, size=0, flags=0)\n--\n\n"
     "Points the cursor at offset with at most size bytes (0: as many as possible) and\n"
     "returns it. An offset outside the file leaves it invalid."},
    {"buffer", fast_buffer, METH_NOARGS,
     "buffer()\n--\n\nThe bytes [ofs_begin(), ofs_end()) as a read-only memoryview that keeps\n"
     "them mapped while it lives (empty when the cursor is invalid)."},
    {"map", fast_map, METH_NOARGS,
     "map()\n--\n\nAll bytes of the cursor's region as MappedBytes, kept mapped while it lives."},
    {"unuse_region", fast_unuse_region, METH_NOARGS,
     "unuse_region()\n--\n\nReleases the region; the cursor stays associated."},
    {"is_valid", fast_getter<&WindowCursor::is_valid>, METH_NOARGS,
     "is_valid()\n--\n\nTrue if the cursor holds a region."},
    {"is_associated", fast_getter<&WindowCursor::is_associated>, METH_NOARGS,
     "is_associated()\n--\n\nTrue if the cursor belongs to a file."},
    {"ofs_begin", fast_getter<&WindowCursor::ofs_begin>, METH_NOARGS,
     "ofs_begin()\n--\n\nFirst file offset in view."},
    {"ofs_end", fast_getter<&WindowCursor::ofs_end>, METH_NOARGS,
     "ofs_end()\n--\n\nOne past the last offset in view."},
    {"size", fast_getter<&WindowCursor::size>, METH_NOARGS,
     "size()\n--\n\nBytes in view (0 when invalid)."},
    {"file_size", fast_getter<&WindowCursor::file_size>, METH_NOARGS,
     "file_size()\n--\n\nThe file's size."},
    {"includes_ofs", fast_includes_ofs, METH_O,
     "includes_ofs(ofs)\n--\n\nTrue if ofs_begin() <= ofs < ofs_end()."},
    {nullptr, nullptr, 0, nullptr},
};

PyObject* fast_buffer_subscript(PyObject* self, PyObject* key) {
  Buffer* b = value_of<Buffer>(self);
  if (b == nullptr) return nullptr;
  py::handle source = b->cursor == nullptr ? py::handle() : b->cursor->source;
  try {
    if (PyLong_CheckExact(key)) {
      const Py_ssize_t length = buffer_length(*b);
      Py_ssize_t index = PyLong_AsSsize_t(key);
      if (index == -1 && PyErr_Occurred()) {
        PyErr_SetString(PyExc_IndexError, "buffer index out of range");
        return nullptr;
      }
      if (index < 0) index += length;
      if (index < 0 || index >= length) {
        PyErr_SetString(PyExc_IndexError, "buffer index out of range");
        return nullptr;
      }
      std::byte value;
      // The byte is usually in the cursor's region: copy it from there.
      const WindowCursor& cursor = b->cursor->cursor;
      const std::uint64_t position = b->buffer.offset() + static_cast<std::uint64_t>(index);
      const MapRegion* region = cursor.region();
      const std::span<const std::byte> mapped = cursor.map();
      if (region != nullptr && position - region->ofs_begin() < mapped.size()) {
        detail::guarded_copy(&value, mapped.data() + (position - region->ofs_begin()), 1,
                             &cursor.path_or_fd(), position);
      } else if (b->buffer.read(static_cast<std::uint64_t>(index), {&value, 1}) != 1) {
        throw_short_read();
      }
      return PyLong_FromLong(static_cast<long>(value));
    }
    return buffer_getitem(*b, key).release().ptr();
  } catch (...) {
    return raise_current(source);
  }
}

Py_ssize_t fast_buffer_length(PyObject* self) {
  Buffer* b = value_of<Buffer>(self);
  return b == nullptr ? -1 : buffer_length(*b);
}

void install_methods(py::handle type, PyMethodDef* methods) {
  for (PyMethodDef* method = methods; method->ml_name != nullptr; ++method) {
    py::object descriptor = py::reinterpret_steal<py::object>(
        PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(type.ptr()), method));
    if (!descriptor) throw py::error_already_set();
    type.attr(method->ml_name) = descriptor;
  }
}

void install_fast_paths(py::handle cursor_type, py::handle buffer_type) {
  install_methods(cursor_type, cursor_fast_methods);
  auto* buffer = reinterpret_cast<PyTypeObject*>(buffer_type.ptr());
  buffer->tp_as_mapping->mp_subscript = fast_buffer_subscript;
  buffer->tp_as_mapping->mp_length = fast_buffer_length;
  buffer->tp_as_sequence->sq_length = fast_buffer_length;
  PyType_Modified(buffer);
}

// --- managers --------------------------------------------------------------

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

py::object max_size() {
  return py::module_::import("sys").attr("maxsize");
}

std::string stats_repr(const ManagerStats& s) {
  return "ManagerStats(cursor_hits=" + std::to_string(s.cursor_hits) +
         ", region_hits=" + std::to_string(s.region_hits) + ", maps=" + std::to_string(s.maps) +
         ", copies=" + std::to_string(s.copies) +
         ", copy_windows=" + std::to_string(s.copy_windows) +
         ", switches_to_copy=" + std::to_string(s.switches_to_copy) +
         ", switches_to_map=" + std::to_string(s.switches_to_map) +
         ", unmaps_by_eviction=" + std::to_string(s.unmaps_by_eviction) +
         ", unmaps_by_collect=" + std::to_string(s.unmaps_by_collect) +
         ", map_retries=" + std::to_string(s.map_retries) +
         ", peak_mapped_bytes=" + std::to_string(s.peak_mapped_bytes) +
         ", peak_regions=" + std::to_string(s.peak_regions) +
         ", replaced_files=" + std::to_string(s.replaced_files) + ")";
}

void bind_stats(py::module_& m) {
  py::class_<ManagerStats>(m, "ManagerStats",
                           "Counters a manager keeps about its work (a snapshot).")
      .def_readonly("cursor_hits", &ManagerStats::cursor_hits)
      .def_readonly("region_hits", &ManagerStats::region_hits)
      .def_readonly("maps", &ManagerStats::maps)
      .def_readonly("copies", &ManagerStats::copies)
      .def_readonly("copy_windows", &ManagerStats::copy_windows)
      .def_readonly("switches_to_copy", &ManagerStats::switches_to_copy)
      .def_readonly("switches_to_map", &ManagerStats::switches_to_map)
      .def_readonly("unmaps_by_eviction", &ManagerStats::unmaps_by_eviction)
      .def_readonly("unmaps_by_collect", &ManagerStats::unmaps_by_collect)
      .def_readonly("map_retries", &ManagerStats::map_retries)
      .def_readonly("peak_mapped_bytes", &ManagerStats::peak_mapped_bytes)
      .def_readonly("peak_regions", &ManagerStats::peak_regions)
      .def_readonly("replaced_files", &ManagerStats::replaced_files)
      .def("__repr__", &stats_repr);
}

void bind_managers(py::module_& m) {
  py::class_<StaticWindowMapManager>(m, "StaticWindowMapManager",
                                     "A manager whose regions map whole files. Thread-safe.")
      .def(py::init(&make_manager<StaticWindowMapManager>), py::arg("window_size") = 0,
           py::arg("max_memory_size") = 0, py::arg("max_open_handles") = max_size())
      .def("make_cursor", &make_cursor, py::arg("path_or_fd"))
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
      .def("_collect_lru_region",
           [](StaticWindowMapManager& manager, py::handle size) {
             return manager.collect_lru_region(to_size(size, "size"));
           })
      .def("force_map_handle_removal_win",
           [](StaticWindowMapManager& manager, py::handle base_path) {
             const PathOrFd where = to_path_or_fd(base_path);
             const auto* path = std::get_if<std::filesystem::path>(&where);
             return path == nullptr ? 0 : manager.force_map_handle_removal_win(*path);
           })
      .def("stats", &StaticWindowMapManager::stats)
      .def("adaptive", &StaticWindowMapManager::adaptive)
      .def("set_adaptive", &StaticWindowMapManager::set_adaptive, py::arg("adaptive"));

  py::class_<SlidingWindowMapManager, StaticWindowMapManager>(
      m, "SlidingWindowMapManager",
      "A manager that maps windows of at most window_size bytes. Thread-safe.")
      .def(py::init(&make_manager<SlidingWindowMapManager>), py::arg("window_size") = -1,
           py::arg("max_memory_size") = 0, py::arg("max_open_handles") = max_size());
}

void bind_cursor(py::module_& m) {
  py::class_<Cursor>(m, "WindowCursor",
                     "A pointer into one region of one file; it pins the region it uses.")
      .def(py::init([](py::handle manager, py::handle regions) {
             if (regions.is_none()) return Cursor{WindowCursor(), py::none()};
             if (manager.is_none()) throw py::value_error("regions need a manager");
             return make_cursor(checked_cast<StaticWindowMapManager>(manager, "a manager"),
                                checked_cast<RegionList>(regions, "a MapRegionList").source);
           }),
           py::arg("manager") = py::none(), py::arg("regions") = py::none())
      // use_region, unuse_region, buffer and map: see cursor_fast_methods
      .def("region", &cursor_region)
      // is_valid, is_associated, ofs_begin, ofs_end, size, includes_ofs and
      // file_size: see cursor_fast_methods
      .def("path_or_fd",
           [](const Cursor& c) {
             check_associated(c);
             return c.source;
           })
      .def("path",
           [](const Cursor& c) {
             c.cursor.path();  // raises unless made from a path
             return c.source;
           })
      .def("fd",
           [](const Cursor& c) {
             c.cursor.fd();  // raises unless made from a descriptor
             return c.source;
           })
      .def(
          "assign", [](Cursor& c, const Cursor& other) { c = other; }, py::arg("rhs"))
      .def("__copy__", [](const Cursor& c) { return Cursor(c); })
      .def(
          "__deepcopy__", [](const Cursor& c, py::handle) { return Cursor(c); }, py::arg("memo"))
      .def("_destroy",
           [](Cursor& c) {
             c = Cursor{WindowCursor(), py::none()};
           })
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](Cursor& c, py::args) {
             c = Cursor{WindowCursor(), py::none()};
             return false;
           })
      .def("__repr__", &cursor_repr);
}

void bind_region(py::module_& m) {
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
      .def("includes_ofs",
           [](const Region& r, py::handle ofs) { return includes(r.ofs, r.size, ofs); })
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
}

void bind_region_list(py::module_& m) {
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

void bind_buffer(py::module_& m) {
  py::class_<Buffer>(m, "SlidingWindowMapBuffer",
                     "A bytes-like view of a file over a cursor, crossing windows as needed. "
                     "Indices are relative to the offset given to begin_access().")
      .def(py::init([](py::handle cursor, py::handle offset, py::handle size, int flags) {
             auto b = std::make_unique<Buffer>();
             b->cursor_object = py::none();
             if (cursor.is_none()) return b;
             if (!cursor_of(cursor).cursor.is_associated()) {
               throw py::value_error(
                   "SlidingWindowMapBuffer: the cursor is not associated with a file");
             }
             if (!begin_access(*b, cursor, offset, size, flags)) {
               throw py::value_error("SlidingWindowMapBuffer: offset " +
                                     py::repr(offset).cast<std::string>() + " is outside the file");
             }
             return b;
           }),
           py::arg("cursor") = py::none(), py::arg("offset") = 0, py::arg("size") = max_size(),
           py::arg("flags") = 0)
      .def("begin_access", &begin_access, py::arg("cursor") = py::none(), py::arg("offset") = 0,
           py::arg("size") = max_size(), py::arg("flags") = 0)
      .def("end_access", [](Buffer& b) { b.buffer.end_access(); })
      .def("cursor", [](const Buffer& b) { return b.cursor_object; })
      .def("__len__", &buffer_length)
      .def("__getitem__", &buffer_getitem)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Buffer& b, py::args) {
        b.buffer.end_access();
        return false;
      });
}

}  // namespace
}  // namespace smmap::python

PYBIND11_MODULE(_smmap, m) {
  using namespace smmap::python;
  m.doc() = "The C++ core of smmap: managers, cursors, regions and buffers.";
  register_exception_translators();
  if (!add_mapped_bytes_type(m.ptr())) throw py::error_already_set();
  bind_stats(m);
  bind_managers(m);
  bind_cursor(m);
  bind_region(m);
  bind_region_list(m);
  bind_buffer(m);
  install_fast_paths(m.attr("WindowCursor"), m.attr("SlidingWindowMapBuffer"));
  m.attr("ALLOCATIONGRANULARITY") = smmap::ALLOCATIONGRANULARITY;
  m.def("is_64_bit", &smmap::is_64_bit);
}
