// SlidingWindowMapBuffer: a CPython heap type holding a C++
// SlidingWindowMapBuffer and the Python cursor it uses.
//
// Every method is a plain CPython function, written once; b[i] and len(b) are
// the mapping slots, and type(b).__getitem__ / __len__ are CPython's wrappers
// of the same slots (the sequence slot for iteration reads bytes alike). An object made with
// __new__ alone raises TypeError from every method.
//
// Thread safety: every call runs with the GIL. The only work done without it
// is a large copy, which reads through its own pin (a private cursor copy),
// never through an object another thread can reach.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <vector>

#include "api/buffer_errors.hpp"
#include "cpython.hpp"
#include "map_view.hpp"
#include "objects.hpp"

namespace smmap::python {
namespace {

struct BufferObject {
  PyObject_HEAD
      // The Python cursor whose C++ cursor |buffer| uses (None until one is
      // given), and its C++ side. |buffer| releases the cursor's region, so
      // it is destroyed first.
      py::object cursor_object;
  Cursor* cursor;
  SlidingWindowMapBuffer buffer;
  bool ready;  // __init__ ran
};

BufferObject* ready(PyObject* self) {
  auto* b = reinterpret_cast<BufferObject*>(self);
  if (b->ready) [[likely]] {
    return b;
  }
  PyErr_Format(PyExc_TypeError, "%s.__init__() was not called", Py_TYPE(self)->tp_name);
  return nullptr;
}

// The object the buffer's cursor was made from, to name it in errors.
py::handle source_of(const BufferObject* b) {
  return b->cursor == nullptr ? py::handle() : b->cursor->source;
}

Py_ssize_t length_of(const BufferObject* b) {
  return static_cast<Py_ssize_t>(std::min(b->buffer.size(), kPySizeMax));
}

PyObject* buffer_new(PyTypeObject* type, PyObject*, PyObject*) {
  PyObject* self = type->tp_alloc(type, 0);
  if (self == nullptr) return nullptr;
  auto* b = reinterpret_cast<BufferObject*>(self);
  new (&b->cursor_object) py::object(py::none());
  b->cursor = nullptr;
  new (&b->buffer) SlidingWindowMapBuffer();
  b->ready = false;
  return self;
}

int buffer_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(reinterpret_cast<BufferObject*>(self)->cursor_object.ptr());
  return 0;
}

void buffer_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  auto* b = reinterpret_cast<BufferObject*>(self);
  b->buffer.~SlidingWindowMapBuffer();
  b->cursor_object.~object();
  type->tp_free(self);
  Py_DECREF(type);
}

// begin_access(cursor, offset, size): null arguments take their defaults.
// Throws.
bool begin_access(BufferObject* b, PyObject* cursor, PyObject* offset, PyObject* size) {
  const std::uint64_t length =
      size == nullptr ? SlidingWindowMapBuffer::kToEnd : to_size(size, "size");
  const std::optional<std::uint64_t> at =
      offset == nullptr ? std::optional<std::uint64_t>(0) : to_u64(offset);
  if (cursor != nullptr && cursor != Py_None) {
    Cursor* c = cursor_of(cursor);
    if (c == nullptr) throw py::error_already_set();
    b->buffer.end_access();
    b->cursor_object = py::reinterpret_borrow<py::object>(cursor);
    b->cursor = c;
    if (!at) return false;
    return naming_file(c->source, [&] { return b->buffer.begin_access(c->cursor, *at, length); });
  }
  if (!at || b->cursor == nullptr) return false;
  return naming_file(b->cursor->source, [&] { return b->buffer.begin_access(*at, length); });
}

int buffer_init(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* const kNames[] = {"cursor", "offset", "size", "flags", nullptr};
  PyObject* values[4] = {nullptr, nullptr, nullptr, nullptr};
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOOO:SlidingWindowMapBuffer",
                                   const_cast<char**>(kNames), &values[0], &values[1], &values[2],
                                   &values[3])) {
    return -1;
  }
  auto* b = reinterpret_cast<BufferObject*>(self);
  b->ready = false;
  b->buffer.end_access();
  try {
    if (values[0] != nullptr && values[0] != Py_None) {
      Cursor* c = cursor_of(values[0]);
      if (c == nullptr) return -1;
      if (!c->cursor.is_associated() || !begin_access(b, values[0], values[1], values[2])) {
        const std::string offset =
            values[1] == nullptr ? "0" : py::repr(values[1]).cast<std::string>();
        throw py::value_error(detail::buffer_begin_error(c->cursor, offset));
      }
    }
  } catch (...) {
    raise_current(source_of(b));
    return -1;
  }
  b->ready = true;
  return 0;
}

PyObject* buffer_begin_access(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                              PyObject* kwnames) {
  static const char* const kNames[] = {"cursor", "offset", "size", "flags", nullptr};
  PyObject* values[4] = {nullptr, nullptr, nullptr, nullptr};
  BufferObject* b = ready(self);
  if (b == nullptr ||
      !parse_arguments(args, nargs, kwnames, "|OOOO:begin_access", kNames, values)) {
    return nullptr;
  }
  try {
    return PyBool_FromLong(begin_access(b, values[0], values[1], values[2]));
  } catch (...) {
    return raise_current(source_of(b));
  }
}

PyObject* buffer_end_access(PyObject* self, PyObject*) {
  BufferObject* b = ready(self);
  if (b == nullptr) return nullptr;
  b->buffer.end_access();
  Py_RETURN_NONE;
}

PyObject* buffer_cursor(PyObject* self, PyObject*) {
  BufferObject* b = ready(self);
  return b == nullptr ? nullptr : b->cursor_object.inc_ref().ptr();
}

PyObject* buffer_enter(PyObject* self, PyObject*) {
  if (ready(self) == nullptr) return nullptr;
  Py_INCREF(self);
  return self;
}

PyObject* buffer_exit(PyObject* self, PyObject* const*, Py_ssize_t) {
  BufferObject* b = ready(self);
  if (b == nullptr) return nullptr;
  b->buffer.end_access();
  Py_RETURN_FALSE;
}

Py_ssize_t buffer_length(PyObject* self) {
  const BufferObject* b = ready(self);
  return b == nullptr ? -1 : length_of(b);
}

[[noreturn]] void throw_short_read() {
  throw py::value_error(
      "the buffer's cursor no longer reaches its bytes (released or reassigned); "
      "call begin_access() again");
}

// Copies |count| bytes from relative index |start| into |out|. Large reads run
// with the GIL released through a private copy of the cursor, so other threads
// may use (or drop) the buffer and its cursor meanwhile. Throws.
void read_into(BufferObject* b, std::uint64_t start, std::byte* out, std::size_t count) {
  std::size_t got = 0;
  if (count < static_cast<std::size_t>(kReleaseGilBytes)) {
    got = b->buffer.read(start, {out, count});
  } else {
    WindowCursor own = *b->buffer.cursor();
    const std::uint64_t offset = b->buffer.offset();
    const std::uint64_t size = b->buffer.size();
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
    if (failure) std::rethrow_exception(failure);
  }
  if (got != count) throw_short_read();
}

// The bytes of the slice |key|. Throws.
PyObject* slice_of(BufferObject* b, PyObject* key) {
  Py_ssize_t start, stop, step;
  if (PySlice_Unpack(key, &start, &stop, &step) < 0) throw py::error_already_set();
  const Py_ssize_t count = PySlice_AdjustIndices(length_of(b), &start, &stop, step);
  py::bytes result = py::reinterpret_steal<py::bytes>(PyBytes_FromStringAndSize(nullptr, count));
  if (!result) throw py::error_already_set();
  if (count == 0) return result.release().ptr();
  auto* out = reinterpret_cast<std::byte*>(PyBytes_AS_STRING(result.ptr()));
  if (step == 1) {
    read_into(b, static_cast<std::uint64_t>(start), out, static_cast<std::size_t>(count));
    return result.release().ptr();
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
    read_into(b, static_cast<std::uint64_t>(from), piece.data(), piece.size());
    for (Py_ssize_t i = 0; i < in_piece; ++i) {
      const Py_ssize_t target = step > 0 ? picked + i : count - 1 - (picked + i);
      out[target] = piece[static_cast<std::size_t>(i * stride)];
    }
    picked += in_piece;
  }
  return result.release().ptr();
}

// The byte at |index|, which must be in [0, len(b)) (IndexError otherwise):
// the C++ buffer's operator[]. Throws.
PyObject* byte_at(BufferObject* b, Py_ssize_t index) {
  if (index < 0 || index >= length_of(b)) {
    PyErr_SetString(PyExc_IndexError, "buffer index out of range");
    return nullptr;
  }
  return PyLong_FromLong(static_cast<long>(b->buffer[static_cast<std::uint64_t>(index)]));
}

// b[i] (an int, negative from the end; the hot path) and b[a:b] (bytes).
PyObject* buffer_subscript(PyObject* self, PyObject* key) {
  BufferObject* b = ready(self);
  if (b == nullptr) return nullptr;
  try {
    if (PySlice_Check(key)) return slice_of(b, key);
    Py_ssize_t index = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (index == -1 && PyErr_Occurred()) return nullptr;
    return byte_at(b, index < 0 ? index + length_of(b) : index);
  } catch (...) {
    return raise_current(source_of(b));
  }
}

// The sequence protocol's item (iteration, `in`): CPython has already added
// len(b) to a negative index.
PyObject* buffer_item(PyObject* self, Py_ssize_t index) {
  BufferObject* b = ready(self);
  if (b == nullptr) return nullptr;
  try {
    return byte_at(b, index);
  } catch (...) {
    return raise_current(source_of(b));
  }
}

PyMethodDef buffer_methods[] = {
    {"begin_access", method(buffer_begin_access), METH_FASTCALL | METH_KEYWORDS,
     "begin_access(cursor=None, offset=0, size=sys.maxsize, flags=0)\n--\n\n"
     "Views size bytes from offset through cursor (None: the cursor in use). Returns\n"
     "False, leaving the buffer empty, when the offset is outside the file."},
    {"end_access", buffer_end_access, METH_NOARGS,
     "end_access()\n--\n\nReleases the cursor's region and empties the buffer."},
    {"cursor", buffer_cursor, METH_NOARGS, "cursor()\n--\n\nThe cursor in use, or None."},
    {"__enter__", buffer_enter, METH_NOARGS, "__enter__()\n--\n\nThe buffer."},
    {"__exit__", method(buffer_exit), METH_FASTCALL,
     "__exit__(*args)\n--\n\nReleases the cursor's region, as end_access() does."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot buffer_slots[] = {
    {Py_tp_new, reinterpret_cast<void*>(buffer_new)},
    {Py_tp_init, reinterpret_cast<void*>(buffer_init)},
    {Py_tp_dealloc, reinterpret_cast<void*>(buffer_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(buffer_traverse)},
    {Py_tp_methods, buffer_methods},
    {Py_mp_subscript, reinterpret_cast<void*>(buffer_subscript)},
    {Py_mp_length, reinterpret_cast<void*>(buffer_length)},
    {Py_sq_length, reinterpret_cast<void*>(buffer_length)},
    {Py_sq_item, reinterpret_cast<void*>(buffer_item)},
    {Py_tp_doc,
     const_cast<char*>("SlidingWindowMapBuffer(cursor=None, offset=0, size=sys.maxsize, flags=0)\n"
                       "--\n\n"
                       "A bytes-like view of a file over a cursor, crossing windows as needed.\n"
                       "Indices are relative to the offset given to begin_access().")},
    {0, nullptr},
};

PyType_Spec buffer_spec = {
    "smmap._smmap.SlidingWindowMapBuffer",
    sizeof(BufferObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    buffer_slots,
};

}  // namespace

bool add_buffer_type(PyObject* module) {
  return add_type(module, &buffer_spec, "SlidingWindowMapBuffer") != nullptr;
}

}  // namespace smmap::python
