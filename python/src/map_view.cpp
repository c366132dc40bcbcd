#include "map_view.hpp"

#include <exception>
#include <new>
#include <system_error>
#include <utility>

#include "cpython.hpp"
#include "errors.hpp"
#include "port/guarded_copy.hpp"

namespace smmap::python {
namespace {

struct MappedBytes {
  PyObject_HEAD WindowCursor pin;           // pins a managed region, or is empty
  std::shared_ptr<const MapRegion> region;  // owns a standalone region, or is null
  const std::byte* data;
  Py_ssize_t size;
  Py_ssize_t exports;  // live buffer exports, and copies running without the GIL
  bool closed;
};

PyTypeObject* mapped_bytes_type = nullptr;

MappedBytes* as_view(PyObject* self) {
  return reinterpret_cast<MappedBytes*>(self);
}

// The file and file offset of view->data[index], for error messages; no
// file for a standalone region.
struct Origin {
  const PathOrFd* source = nullptr;
  std::uint64_t offset = 0;
};
Origin origin_of(const MappedBytes* view, Py_ssize_t index) {
  const MapRegion* region = view->pin.region();
  if (region == nullptr) return {};
  return {&view->pin.path_or_fd(),
          region->ofs_begin() + static_cast<std::uint64_t>(view->data + index - region->data())};
}

bool check_open(MappedBytes* view) {
  if (!view->closed) return true;
  PyErr_SetString(PyExc_ValueError, "MappedBytes is closed");
  return false;
}

// copy_to_bytes() of view->data[start], [start + step], ... (|count| bytes),
// naming the file in the error; close() waits for it.
PyObject* copy_out(MappedBytes* view, Py_ssize_t start, Py_ssize_t count, Py_ssize_t step) {
  ++view->exports;
  const Origin origin = origin_of(view, start);
  PyObject* bytes = copy_to_bytes(view->data + start, count, step, origin.source, origin.offset);
  --view->exports;
  return bytes;
}

void release_pin(MappedBytes* view) noexcept {
  view->pin = WindowCursor();
  view->region.reset();
  view->data = nullptr;
  view->size = 0;
}

void mapped_bytes_dealloc(PyObject* self) {
  MappedBytes* view = as_view(self);
  PyTypeObject* type = Py_TYPE(self);
  view->pin.~WindowCursor();
  view->region.~shared_ptr();
  type->tp_free(self);
  Py_DECREF(type);
}

int mapped_bytes_getbuffer(PyObject* self, Py_buffer* buffer, int flags) {
  MappedBytes* view = as_view(self);
  if (view->closed) {
    PyErr_SetString(PyExc_BufferError, "MappedBytes is closed");
    buffer->obj = nullptr;
    return -1;
  }
  if (PyBuffer_FillInfo(buffer, self, const_cast<std::byte*>(view->data), view->size, 1, flags) !=
      0) {
    return -1;
  }
  ++view->exports;
  return 0;
}

void mapped_bytes_releasebuffer(PyObject* self, Py_buffer*) {
  --as_view(self)->exports;
}

Py_ssize_t mapped_bytes_length(PyObject* self) {
  return as_view(self)->size;
}

PyObject* mapped_bytes_item(PyObject* self, Py_ssize_t index) {
  MappedBytes* view = as_view(self);
  if (!check_open(view)) return nullptr;
  if (index < 0 || index >= view->size) {
    PyErr_SetString(PyExc_IndexError, "MappedBytes index out of range");
    return nullptr;
  }
  std::byte value;
  if (detail::copy_or_fault(&value, view->data + index, 1) != nullptr) [[unlikely]] {
    // Copies again on the general path, which raises the error naming the file.
    PyObject* again = copy_out(view, index, 1, 1);
    if (again == nullptr) return nullptr;
    value = static_cast<std::byte>(PyBytes_AS_STRING(again)[0]);
    Py_DECREF(again);
  }
  return PyLong_FromLong(static_cast<long>(value));
}

PyObject* mapped_bytes_subscript(PyObject* self, PyObject* key) {
  MappedBytes* view = as_view(self);
  if (PySlice_Check(key)) {
    if (!check_open(view)) return nullptr;
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(key, &start, &stop, &step) < 0) return nullptr;
    const Py_ssize_t count = PySlice_AdjustIndices(view->size, &start, &stop, step);
    if (step == 1 && count < kReleaseGilBytes) {
      // The common small slice (gitdb reads 20-byte shas so): as mmap does,
      // plus the guard; a fault copies again on the general path, which
      // raises the error naming the file.
      PyObject* bytes = PyBytes_FromStringAndSize(nullptr, count);
      if (bytes == nullptr || count == 0) return bytes;
      if (detail::copy_or_fault(reinterpret_cast<std::byte*>(PyBytes_AS_STRING(bytes)),
                                view->data + start, static_cast<std::size_t>(count)) == nullptr)
          [[likely]] {
        return bytes;
      }
      Py_DECREF(bytes);
    }
    return copy_out(view, start, count, step);
  }
  Py_ssize_t index = PyNumber_AsSsize_t(key, PyExc_IndexError);
  if (index == -1 && PyErr_Occurred()) return nullptr;
  if (index < 0) index += view->size;
  return mapped_bytes_item(self, index);
}

PyObject* mapped_bytes_close(PyObject* self, PyObject*) {
  MappedBytes* view = as_view(self);
  if (view->exports > 0) {
    PyErr_SetString(PyExc_BufferError, "cannot close MappedBytes: memoryviews of it exist");
    return nullptr;
  }
  release_pin(view);
  view->closed = true;
  Py_RETURN_NONE;
}

PyObject* mapped_bytes_enter(PyObject* self, PyObject*) {
  Py_INCREF(self);
  return self;
}

PyObject* mapped_bytes_exit(PyObject* self, PyObject*) {
  return mapped_bytes_close(self, nullptr);
}

PyObject* mapped_bytes_tobytes(PyObject* self, PyObject*) {
  MappedBytes* view = as_view(self);
  if (!check_open(view)) return nullptr;
  return copy_out(view, 0, view->size, 1);
}

PyObject* mapped_bytes_get_closed(PyObject* self, void*) {
  return PyBool_FromLong(as_view(self)->closed);
}

PyObject* mapped_bytes_repr(PyObject* self) {
  MappedBytes* view = as_view(self);
  if (view->closed) return PyUnicode_FromString("<smmap.MappedBytes closed>");
  return PyUnicode_FromFormat("<smmap.MappedBytes of %zd bytes>", view->size);
}

PyMethodDef mapped_bytes_methods[] = {
    {"close", mapped_bytes_close, METH_NOARGS,
     "Lets go of the mapping now. Raises BufferError while memoryviews of it exist."},
    {"tobytes", mapped_bytes_tobytes, METH_NOARGS, "A copy of all the bytes."},
    {"__enter__", mapped_bytes_enter, METH_NOARGS, nullptr},
    {"__exit__", mapped_bytes_exit, METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef mapped_bytes_getset[] = {
    {"closed", mapped_bytes_get_closed, nullptr, "True after close().", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyType_Slot mapped_bytes_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(mapped_bytes_dealloc)},
    {Py_tp_repr, reinterpret_cast<void*>(mapped_bytes_repr)},
    {Py_tp_methods, mapped_bytes_methods},
    {Py_tp_getset, mapped_bytes_getset},
    {Py_tp_doc,
     const_cast<char*>("A read-only view of mapped bytes that keeps them mapped while it lives.\n"
                       "len() is its size; an index gives an int, a slice gives bytes;\n"
                       "memoryview() and every buffer consumer see the bytes without a copy.")},
    {Py_bf_getbuffer, reinterpret_cast<void*>(mapped_bytes_getbuffer)},
    {Py_bf_releasebuffer, reinterpret_cast<void*>(mapped_bytes_releasebuffer)},
    {Py_sq_length, reinterpret_cast<void*>(mapped_bytes_length)},
    {Py_sq_item, reinterpret_cast<void*>(mapped_bytes_item)},
    {Py_mp_length, reinterpret_cast<void*>(mapped_bytes_length)},
    {Py_mp_subscript, reinterpret_cast<void*>(mapped_bytes_subscript)},
    {0, nullptr},
};

PyType_Spec mapped_bytes_spec = {
    "smmap.MappedBytes",
    sizeof(MappedBytes),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    mapped_bytes_slots,
};

MappedBytes* allocate() {
  PyObject* self = mapped_bytes_type->tp_alloc(mapped_bytes_type, 0);
  if (self == nullptr) return nullptr;
  MappedBytes* view = as_view(self);
  new (&view->pin) WindowCursor();
  new (&view->region) std::shared_ptr<const MapRegion>();
  view->data = nullptr;
  view->size = 0;
  view->exports = 0;
  view->closed = false;
  return view;
}

PyObject* finish(MappedBytes* view, const std::byte* data, std::size_t size) {
  view->data = data;
  view->size = static_cast<Py_ssize_t>(size);
  return reinterpret_cast<PyObject*>(view);
}

}  // namespace

bool add_mapped_bytes_type(PyObject* module) {
  mapped_bytes_type = add_type(module, &mapped_bytes_spec, "MappedBytes");
  return mapped_bytes_type != nullptr;
}

PyObject* new_mapped_bytes(WindowCursor pin, const std::byte* data, std::size_t size) {
  MappedBytes* view = allocate();
  if (view == nullptr) return nullptr;
  view->pin = std::move(pin);
  return finish(view, data, size);
}

PyObject* new_mapped_bytes(std::shared_ptr<const MapRegion> region, const std::byte* data,
                           std::size_t size) {
  MappedBytes* view = allocate();
  if (view == nullptr) return nullptr;
  view->region = std::move(region);
  return finish(view, data, size);
}

bool mapped_bytes_shows(PyObject* view, const std::byte* data, std::size_t size) noexcept {
  if (Py_TYPE(view) != mapped_bytes_type) return false;
  const MappedBytes* bytes = as_view(view);
  return !bytes->closed && bytes->data == data && static_cast<std::size_t>(bytes->size) == size;
}

PyObject* new_pinned_memoryview(WindowCursor pin, const std::byte* data, std::size_t size) {
  PyObject* view = new_mapped_bytes(std::move(pin), data, size);
  if (view == nullptr) return nullptr;
  PyObject* memory = PyMemoryView_FromObject(view);
  Py_DECREF(view);
  return memory;
}

PyObject* copy_to_bytes(const std::byte* from, Py_ssize_t count, Py_ssize_t step,
                        const PathOrFd* source, std::uint64_t file_offset) {
  PyObject* bytes = PyBytes_FromStringAndSize(nullptr, count);
  if (bytes == nullptr || count == 0) return bytes;
  auto* to = reinterpret_cast<std::byte*>(PyBytes_AS_STRING(bytes));
  std::exception_ptr failure;
  auto copy = [&]() noexcept {
    try {
      if (step == 1) {
        detail::guarded_copy(to, from, static_cast<std::size_t>(count), source, file_offset);
      } else {
        for (Py_ssize_t i = 0; i < count; ++i) {
          detail::guarded_copy(to + i, from + i * step, 1, source,
                               file_offset + static_cast<std::uint64_t>(i * step));
        }
      }
    } catch (...) {
      failure = std::current_exception();
    }
  };
  if (count >= kReleaseGilBytes) {
    Py_BEGIN_ALLOW_THREADS copy();
    Py_END_ALLOW_THREADS
  } else {
    copy();
  }
  if (failure) {
    Py_DECREF(bytes);
    try {
      std::rethrow_exception(failure);
    } catch (const std::system_error& error) {
      return set_os_error(error, source);
    } catch (...) {
      return set_error_from_current(nullptr);
    }
  }
  return bytes;
}

}  // namespace smmap::python
