// WindowCursor: a CPython heap type holding a Cursor (objects.hpp).
//
// Every method is a plain CPython function, written once: b.use_region(...)
// and type(b).use_region(b, ...) run the same code. An object made with
// WindowCursor.__new__ alone (or of a subclass whose __init__ never called
// WindowCursor.__init__) holds an unassociated C++ cursor, but every method
// raises TypeError on it, as a pybind11 class does.
//
// Thread safety: every call runs with the GIL.
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "cpython.hpp"
#include "map_view.hpp"
#include "objects.hpp"

namespace smmap::python {
namespace {

struct CursorObject {
  PyObject_HEAD Cursor value;
  bool ready;  // __init__ ran
};

PyTypeObject* cursor_type = nullptr;

// The Cursor of |self|, or nullptr with TypeError set when __init__ never ran.
Cursor* ready(PyObject* self) {
  auto* object = reinterpret_cast<CursorObject*>(self);
  if (object->ready) [[likely]] {
    return &object->value;
  }
  PyErr_Format(PyExc_TypeError, "%s.__init__() was not called", Py_TYPE(self)->tp_name);
  return nullptr;
}

// Drops |c|'s MappedBytes unless it still shows the cursor's region.
void forget_stale_map(Cursor& c) {
  if (!c.mapped) return;
  const std::span<const std::byte> bytes = c.cursor.map();
  if (!mapped_bytes_shows(c.mapped.ptr(), bytes.data(), bytes.size())) c.mapped = py::object();
}

Cursor unassociated() {
  return Cursor{WindowCursor(), py::none(), py::object()};
}

PyObject* cursor_new(PyTypeObject* type, PyObject*, PyObject*) {
  PyObject* self = type->tp_alloc(type, 0);
  if (self == nullptr) return nullptr;
  auto* object = reinterpret_cast<CursorObject*>(self);
  new (&object->value) Cursor();
  object->ready = false;
  return self;
}

int cursor_init(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* const kNames[] = {"manager", "regions", nullptr};
  PyObject* manager = Py_None;
  PyObject* regions = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OO:WindowCursor", const_cast<char**>(kNames),
                                   &manager, &regions)) {
    return -1;
  }
  auto* object = reinterpret_cast<CursorObject*>(self);
  try {
    if (regions == Py_None) {
      object->value = unassociated();
    } else if (manager == Py_None) {
      throw py::value_error("regions need a manager");
    } else {
      object->value = cursor_of_manager(manager, regions);
    }
  } catch (...) {
    raise_current(py::handle());
    return -1;
  }
  object->ready = true;
  return 0;
}

int cursor_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  const Cursor& c = reinterpret_cast<CursorObject*>(self)->value;
  Py_VISIT(c.source.ptr());
  Py_VISIT(c.mapped.ptr());
  return 0;
}

void cursor_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  reinterpret_cast<CursorObject*>(self)->value.~Cursor();
  type->tp_free(self);
  Py_DECREF(type);
}

PyObject* cursor_use_region(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                            PyObject* kwnames) {
  static const char* const kNames[] = {"offset", "size", "flags", nullptr};
  Cursor* c = ready(self);
  PyObject* values[3] = {nullptr, nullptr, nullptr};
  if (c == nullptr || !parse_arguments(args, nargs, kwnames, "|OOO:use_region", kNames, values)) {
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

PyObject* cursor_unuse_region(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  c->cursor.unuse_region();
  c->mapped = py::object();
  Py_RETURN_NONE;
}

PyObject* cursor_buffer(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  const std::span<const std::byte> bytes = c->cursor.buffer();
  return new_pinned_memoryview(c->cursor, bytes.data(), bytes.size());
}

PyObject* cursor_map(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  const std::span<const std::byte> bytes = c->cursor.map();
  if (c->mapped && mapped_bytes_shows(c->mapped.ptr(), bytes.data(), bytes.size())) {
    return c->mapped.inc_ref().ptr();
  }
  PyObject* view = new_mapped_bytes(c->cursor, bytes.data(), bytes.size());
  if (view != nullptr) c->mapped = py::reinterpret_borrow<py::object>(view);
  return view;
}

PyObject* cursor_region(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  try {
    return region_of(*c).release().ptr();
  } catch (...) {
    return raise_current(c->source);
  }
}

// A getter of the C++ cursor as a METH_NOARGS method.
template <auto Get>
PyObject* cursor_getter(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  const auto value = (c->cursor.*Get)();
  if constexpr (std::is_same_v<decltype(value), const bool>) {
    return PyBool_FromLong(value);
  } else {
    return PyLong_FromUnsignedLongLong(value);
  }
}

PyObject* cursor_includes_ofs(PyObject* self, PyObject* ofs) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  try {
    return PyBool_FromLong(
        includes(ofs, [c](std::uint64_t at) { return c->cursor.includes_ofs(at); }));
  } catch (...) {
    return raise_current(py::handle());
  }
}

// The object the cursor was made from, after |check| (which throws unless
// the cursor was made from that kind of source).
template <class Check>
PyObject* cursor_source(PyObject* self, Check check) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  try {
    check(c->cursor);
  } catch (...) {
    return raise_current(py::handle());
  }
  return c->source.inc_ref().ptr();
}

PyObject* cursor_path_or_fd(PyObject* self, PyObject*) {
  return cursor_source(self, [](const WindowCursor& cursor) {
    if (!cursor.is_associated()) throw py::value_error("the cursor is not associated with a file");
  });
}

PyObject* cursor_path(PyObject* self, PyObject*) {
  return cursor_source(self, [](const WindowCursor& cursor) { cursor.path(); });
}

PyObject* cursor_fd(PyObject* self, PyObject*) {
  return cursor_source(self, [](const WindowCursor& cursor) { cursor.fd(); });
}

PyObject* cursor_assign(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  static const char* const kNames[] = {"rhs", nullptr};
  PyObject* values[1] = {nullptr};
  Cursor* c = ready(self);
  if (c == nullptr || !parse_arguments(args, nargs, kwnames, "|O:assign", kNames, values)) {
    return nullptr;
  }
  if (values[0] == nullptr) {
    PyErr_SetString(PyExc_TypeError, "assign() missing required argument 'rhs'");
    return nullptr;
  }
  const Cursor* other = cursor_of(values[0]);
  if (other == nullptr) return nullptr;
  if (other != c) *c = *other;
  Py_RETURN_NONE;
}

PyObject* cursor_copy(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  return c == nullptr ? nullptr : new_cursor(*c);
}

PyObject* cursor_deepcopy(PyObject* self, PyObject* /*memo*/) {
  return cursor_copy(self, nullptr);
}

// _destroy() and __exit__(): the cursor lets go of its file and stays usable
// as an unassociated cursor.
PyObject* cursor_destroy(PyObject* self, PyObject*) {
  Cursor* c = ready(self);
  if (c == nullptr) return nullptr;
  *c = unassociated();
  Py_RETURN_NONE;
}

PyObject* cursor_enter(PyObject* self, PyObject*) {
  if (ready(self) == nullptr) return nullptr;
  Py_INCREF(self);
  return self;
}

PyObject* cursor_exit(PyObject* self, PyObject* const*, Py_ssize_t) {
  PyObject* done = cursor_destroy(self, nullptr);
  if (done == nullptr) return nullptr;
  Py_DECREF(done);
  Py_RETURN_FALSE;
}

PyObject* cursor_repr(PyObject* self) {
  const auto* object = reinterpret_cast<CursorObject*>(self);
  const Cursor& c = object->value;
  if (!object->ready) return PyUnicode_FromString("<WindowCursor uninitialized>");
  if (!c.cursor.is_associated() || !c.source) {
    return PyUnicode_FromString("<WindowCursor unassociated>");
  }
  if (!c.cursor.is_valid()) return PyUnicode_FromFormat("<WindowCursor %R>", c.source.ptr());
  return PyUnicode_FromFormat("<WindowCursor %R [%llu, %llu)>", c.source.ptr(),
                              static_cast<unsigned long long>(c.cursor.ofs_begin()),
                              static_cast<unsigned long long>(c.cursor.ofs_end()));
}

PyMethodDef cursor_methods[] = {
    {"use_region", method(cursor_use_region), METH_FASTCALL | METH_KEYWORDS,
     "use_region(offset=0, size=0, flags=0)\n--\n\n"
     "Points the cursor at offset with at most size bytes (0: as many as possible) and\n"
     "returns it. An offset outside the file leaves it invalid."},
    {"unuse_region", cursor_unuse_region, METH_NOARGS,
     "unuse_region()\n--\n\nReleases the region; the cursor stays associated."},
    {"buffer", cursor_buffer, METH_NOARGS,
     "buffer()\n--\n\nThe bytes [ofs_begin(), ofs_end()) as a read-only memoryview that keeps\n"
     "them mapped while it lives (empty when the cursor is invalid)."},
    {"map", cursor_map, METH_NOARGS,
     "map()\n--\n\nAll bytes of the cursor's region as MappedBytes, kept mapped while it lives."},
    {"region", cursor_region, METH_NOARGS,
     "region()\n--\n\nThe region in use as a MapRegion (which does not pin it), or None."},
    {"is_valid", cursor_getter<&WindowCursor::is_valid>, METH_NOARGS,
     "is_valid()\n--\n\nTrue if the cursor holds a region."},
    {"is_associated", cursor_getter<&WindowCursor::is_associated>, METH_NOARGS,
     "is_associated()\n--\n\nTrue if the cursor belongs to a file."},
    {"ofs_begin", cursor_getter<&WindowCursor::ofs_begin>, METH_NOARGS,
     "ofs_begin()\n--\n\nFirst file offset in view."},
    {"ofs_end", cursor_getter<&WindowCursor::ofs_end>, METH_NOARGS,
     "ofs_end()\n--\n\nOne past the last offset in view."},
    {"size", cursor_getter<&WindowCursor::size>, METH_NOARGS,
     "size()\n--\n\nBytes in view (0 when invalid)."},
    {"file_size", cursor_getter<&WindowCursor::file_size>, METH_NOARGS,
     "file_size()\n--\n\nThe file's size."},
    {"includes_ofs", cursor_includes_ofs, METH_O,
     "includes_ofs(ofs)\n--\n\nTrue if ofs_begin() <= ofs < ofs_end()."},
    {"path_or_fd", cursor_path_or_fd, METH_NOARGS,
     "path_or_fd()\n--\n\nThe path or descriptor the cursor was made from."},
    {"path", cursor_path, METH_NOARGS,
     "path()\n--\n\nThe path the cursor was made from; ValueError for a descriptor."},
    {"fd", cursor_fd, METH_NOARGS,
     "fd()\n--\n\nThe descriptor the cursor was made from; ValueError for a path."},
    {"assign", method(cursor_assign), METH_FASTCALL | METH_KEYWORDS,
     "assign(rhs)\n--\n\nMakes this cursor a copy of rhs (its file and region)."},
    {"__copy__", cursor_copy, METH_NOARGS, "__copy__()\n--\n\nA cursor on the same region."},
    {"__deepcopy__", cursor_deepcopy, METH_O,
     "__deepcopy__(memo)\n--\n\nA cursor on the same region."},
    {"_destroy", cursor_destroy, METH_NOARGS,
     "_destroy()\n--\n\nLets go of the file; the cursor becomes unassociated."},
    {"__enter__", cursor_enter, METH_NOARGS, "__enter__()\n--\n\nThe cursor."},
    {"__exit__", method(cursor_exit), METH_FASTCALL,
     "__exit__(*args)\n--\n\nLets go of the file, as _destroy() does."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot cursor_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(cursor_new)},
    {Py_tp_init, reinterpret_cast<void*>(cursor_init)},
    {Py_tp_dealloc, reinterpret_cast<void*>(cursor_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(cursor_traverse)},
    {Py_tp_repr, reinterpret_cast<void*>(cursor_repr)},
    {Py_tp_methods, cursor_methods},
    {Py_tp_doc,
     const_cast<char*>("WindowCursor(manager=None, regions=None)\n--\n\n"
                       "A pointer into one region of one file; it pins the region it uses.")},
    {0, nullptr},
};

PyType_Spec cursor_spec = {
    "smmap._smmap.WindowCursor",
    sizeof(CursorObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    cursor_slots,
};

}  // namespace

bool add_cursor_type(PyObject* module) {
  cursor_type = add_type(module, &cursor_spec, "WindowCursor");
  return cursor_type != nullptr;
}

PyObject* new_cursor(Cursor value) {
  PyObject* self = cursor_new(cursor_type, nullptr, nullptr);
  if (self == nullptr) return nullptr;
  auto* object = reinterpret_cast<CursorObject*>(self);
  object->value = std::move(value);
  object->ready = true;
  return self;
}

Cursor* cursor_of(PyObject* object) {
  if (!PyObject_TypeCheck(object, cursor_type)) {
    PyErr_Format(PyExc_TypeError, "expected a WindowCursor, not %s", Py_TYPE(object)->tp_name);
    return nullptr;
  }
  return ready(object);
}

}  // namespace smmap::python
