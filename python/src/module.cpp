// smmap._smmap — the C++ core as Python classes with smmap's names: the
// module, and the cursors, regions, region lists and buffers (objects.hpp
// holds what the classes are; managers.cpp binds the managers, map_view.cpp
// the MappedBytes type, errors.cpp the one exception mapping).
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
#include "objects.hpp"
#include "smmap/smmap.hpp"

namespace smmap::python {
namespace {

// Drops |c|'s MappedBytes unless it still shows the cursor's region.
void forget_stale_map(Cursor& c) {
  if (!c.mapped) return;
  const std::span<const std::byte> bytes = c.cursor.map();
  if (!mapped_bytes_shows(c.mapped.ptr(), bytes.data(), bytes.size())) c.mapped = py::object();
}

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

}  // namespace

Cursor make_cursor(StaticWindowMapManager& manager, py::handle source) {
  PathOrFd where = to_path_or_fd(source);
  return Cursor{naming_file(source, [&] { return manager.make_cursor(where); }),
                py::reinterpret_borrow<py::object>(source), py::object()};
}

namespace {

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

// The C++ object inside a pybind11 instance of T's class or of a Python
// subclass (whose layout may hold several C++ bases: pybind11 finds T's).
// nullptr with TypeError set when the object holds no T (made with __new__
// alone, or a subclass that never called T's __init__).
template <class T>
T* value_of(PyObject* self) {
  static PyTypeObject* const exact =
      reinterpret_cast<PyTypeObject*>(py::detail::get_type_handle(typeid(T), true).ptr());
  void* value = nullptr;
  if (Py_TYPE(self) == exact) {
    auto* instance = reinterpret_cast<py::detail::instance*>(self);
    value = instance->simple_layout ? instance->simple_value_holder[0]
                                    : instance->nonsimple.values_and_holders[0];
  } else {
    const py::detail::value_and_holder holder =
        reinterpret_cast<py::detail::instance*>(self)->get_value_and_holder(
            py::detail::get_type_info(typeid(T)), false);
    if (holder.inst != nullptr && holder.holder_constructed()) value = holder.value_ptr();
  }
  if (value == nullptr) PyErr_SetString(PyExc_TypeError, "the object was not initialized");
  return static_cast<T*>(value);
}

// Sets the Python error for the exception being handled, naming |source|
// (what a cursor was made from) when it is a path; returns nullptr.
PyObject* raise_current(py::handle source) noexcept {
  return set_error_from_current(source && !PyLong_Check(source.ptr()) ? source.ptr() : nullptr);
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
    if (c->mapped) {
      // Leaving the region: let go of it before mapping another, so the map()
      // kept for reuse never holds a handle the move needs.
      const MapRegion* region = c->cursor.region();
      if (!at || region == nullptr || *at - region->ofs_begin() >= region->size()) {
        c->mapped = py::object();
      }
    }
    if (at) {
      c->cursor.use_region(*at, want);
    } else {
      c->cursor.unuse_region();  // before the file, like after its end: invalid
    }
    forget_stale_map(*c);
  } catch (...) {
    forget_stale_map(*c);
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
  if (c->mapped && mapped_bytes_shows(c->mapped.ptr(), bytes.data(), bytes.size())) {
    return c->mapped.inc_ref().ptr();
  }
  PyObject* view = new_mapped_bytes(c->cursor, bytes.data(), bytes.size());
  if (view != nullptr) c->mapped = py::reinterpret_borrow<py::object>(view);
  return view;
}

PyObject* fast_unuse_region(PyObject* self, PyObject*) {
  Cursor* c = value_of<Cursor>(self);
  if (c == nullptr) return nullptr;
  c->cursor.unuse_region();
  c->mapped = py::object();
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

PyObject* fast_buffer_len(PyObject* self, PyObject*) {
  const Py_ssize_t length = fast_buffer_length(self);
  return length < 0 ? nullptr : PyLong_FromSsize_t(length);
}

// b[i] and len(b) are the slots; these are the same functions as methods, so
// that type(b).__getitem__(b, i) runs what b[i] runs.
PyMethodDef buffer_fast_methods[] = {
    {"__getitem__", fast_buffer_subscript, METH_O,
     "__getitem__(key)\n--\n\nThe byte at an index (an int) or the bytes of a slice."},
    {"__len__", fast_buffer_len, METH_NOARGS, "__len__()\n--\n\nThe bytes in view."},
    {nullptr, nullptr, 0, nullptr},
};

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
  install_methods(buffer_type, buffer_fast_methods);
  auto* buffer = reinterpret_cast<PyTypeObject*>(buffer_type.ptr());
  buffer->tp_as_mapping->mp_subscript = fast_buffer_subscript;
  buffer->tp_as_mapping->mp_length = fast_buffer_length;
  buffer->tp_as_sequence->sq_length = fast_buffer_length;
  PyType_Modified(buffer);
}

void bind_cursor(py::module_& m) {
  py::class_<Cursor>(m, "WindowCursor",
                     "A pointer into one region of one file; it pins the region it uses.")
      .def(py::init([](py::handle manager, py::handle regions) {
             if (regions.is_none()) return Cursor{WindowCursor(), py::none(), py::object()};
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
             c = Cursor{WindowCursor(), py::none(), py::object()};
           })
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](Cursor& c, py::args) {
             c = Cursor{WindowCursor(), py::none(), py::object()};
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
      // __len__ and __getitem__: see buffer_fast_methods
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
