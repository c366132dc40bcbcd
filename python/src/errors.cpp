#include <climits>
#include <new>
#include <stdexcept>
#include <string>

#include "errors.hpp"
#include "glue.hpp"

namespace smmap::python {

namespace {

// |message| without the " '<file>'" that names |filename| (a str, bytes or
// os.PathLike) in it, as OSError's str() appends ": '<file>'" itself. The
// message stays whole when it does not name the file that way.
std::string without_file(std::string message, PyObject* filename) {
  PyObject* encoded = nullptr;
  if (PyUnicode_FSConverter(filename, &encoded) == 0) {
    PyErr_Clear();
    return message;
  }
  const std::string quoted =
      " '" +
      std::string(PyBytes_AS_STRING(encoded), static_cast<std::size_t>(PyBytes_GET_SIZE(encoded))) +
      "'";
  Py_DECREF(encoded);
  const std::size_t at = message.find(quoted);
  if (at != std::string::npos) message.erase(at, quoted.size());
  return message;
}

}  // namespace

PyObject* set_os_error(const std::system_error& error, PyObject* filename) noexcept {
  try {
    const std::string message =
        filename != nullptr ? without_file(error.what(), filename) : error.what();
    // Decoded as file names are (undecodable bytes kept as surrogates).
    PyObject* text =
        PyUnicode_DecodeFSDefaultAndSize(message.data(), static_cast<Py_ssize_t>(message.size()));
    PyObject* args = filename != nullptr
                         ? Py_BuildValue("(iNO)", error.code().value(), text, filename)
                         : Py_BuildValue("(iN)", error.code().value(), text);
    if (args != nullptr) {
      PyErr_SetObject(PyExc_OSError, args);
      Py_DECREF(args);
    }
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  }
  return nullptr;
}

PyObject* set_os_error(const std::system_error& error, const PathOrFd* source) noexcept {
  const auto* path = source == nullptr ? nullptr : std::get_if<std::filesystem::path>(source);
  if (path == nullptr) return set_os_error(error, static_cast<PyObject*>(nullptr));
  const std::string& name = path->native();
  PyObject* filename =
      PyUnicode_DecodeFSDefaultAndSize(name.data(), static_cast<Py_ssize_t>(name.size()));
  if (filename == nullptr) PyErr_Clear();
  set_os_error(error, filename);
  Py_XDECREF(filename);
  return nullptr;
}

PyObject* set_error_from_current(PyObject* filename) noexcept {
  try {
    throw;
  } catch (py::error_already_set& error) {
    error.restore();
  } catch (const py::builtin_exception& error) {
    error.set_error();
  } catch (const std::system_error& error) {
    set_os_error(error, filename);
  } catch (const std::out_of_range& error) {
    PyErr_SetString(PyExc_IndexError, error.what());
  } catch (const std::logic_error& error) {
    PyErr_SetString(PyExc_ValueError, error.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& error) {
    PyErr_SetString(PyExc_RuntimeError, error.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
  return nullptr;
}

void register_exception_translators() {
  py::register_exception_translator([](std::exception_ptr thrown) {
    if (!thrown) return;
    try {
      std::rethrow_exception(thrown);
    } catch (...) {
      set_error_from_current(nullptr);
    }
  });
}

std::optional<std::uint64_t> to_u64(py::handle value) {
  if (!PyLong_Check(value.ptr())) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    return to_u64(index);
  }
  int overflow = 0;
  const long long small = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow == 0) {
    if (small == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (small < 0) return std::nullopt;
    return static_cast<std::uint64_t>(small);
  }
  if (overflow < 0) return std::nullopt;
  const unsigned long long large = PyLong_AsUnsignedLongLong(value.ptr());
  if (large == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
    PyErr_Clear();  // beyond 2^64 - 1
    return std::nullopt;
  }
  return large;
}

std::uint64_t to_offset(py::handle value, const char* what) {
  if (auto offset = to_u64(value)) return *offset;
  throw py::value_error(std::string(what) + " must be in [0, 2**64), not " +
                        py::repr(value).cast<std::string>());
}

std::uint64_t to_size(py::handle value, const char* what) {
  if (auto size = to_u64(value)) return *size;
  if (PyObject_RichCompareBool(value.ptr(), py::int_(0).ptr(), Py_LT) == 1) {
    throw py::value_error(std::string(what) + " must not be negative, not " +
                          py::repr(value).cast<std::string>());
  }
  return UINT64_MAX;
}

PathOrFd to_path_or_fd(py::handle source) {
  if (PyBool_Check(source.ptr())) {
    throw py::type_error("a file descriptor must be an int, not bool");
  }
  if (PyLong_Check(source.ptr())) {
    const long fd = PyLong_AsLong(source.ptr());
    if (fd == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (fd < INT_MIN || fd > INT_MAX) throw py::value_error("file descriptor out of range");
    return static_cast<int>(fd);
  }
  PyObject* encoded = nullptr;
  if (PyUnicode_FSConverter(source.ptr(), &encoded) == 0) throw py::error_already_set();
  py::bytes bytes = py::reinterpret_steal<py::bytes>(encoded);
  return std::filesystem::path(
      std::string(PyBytes_AS_STRING(encoded), static_cast<std::size_t>(PyBytes_GET_SIZE(encoded))));
}

}  // namespace smmap::python
