// Conversions between Python objects and the C++ core, and the C++ exception
// mapping (errors.hpp) in pybind11's terms.
//
// Thread safety: every function needs the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <system_error>

#include "errors.hpp"
#include "smmap/util.hpp"

namespace smmap::python {

namespace py = pybind11;

// Calls |work|, turning a std::system_error into an OSError that names
// |source| (the Python object the caller gave) when it is a path.
template <class Work>
decltype(auto) naming_file(py::handle source, Work&& work) {
  try {
    return work();
  } catch (const std::system_error& error) {
    set_os_error(error, source && !PyLong_Check(source.ptr()) ? source.ptr() : nullptr);
    throw py::error_already_set();
  }
}

// Registers the translation (errors.hpp) of C++ exceptions that escape a binding.
void register_exception_translators();

// The value of the integer |value| when it is in [0, 2^64), nullopt when it is
// negative or larger. Raises TypeError when |value| is not an integer.
std::optional<std::uint64_t> to_u64(py::handle value);

// An offset into a file: raises ValueError when negative or beyond 2^64 - 1.
std::uint64_t to_offset(py::handle value, const char* what);

// A byte count: raises ValueError when negative; larger values than 2^64 - 1
// mean "as much as there is" and become 2^64 - 1.
std::uint64_t to_size(py::handle value, const char* what);

// A Python integer from a count that may exceed sys.maxsize.
inline py::int_ to_int(std::uint64_t value) {
  return py::reinterpret_steal<py::int_>(PyLong_FromUnsignedLongLong(value));
}

// A path (str, bytes or os.PathLike, encoded as os.fsencode does) or a file
// descriptor (int). Raises TypeError for anything else, bool included.
PathOrFd to_path_or_fd(py::handle source);

}  // namespace smmap::python
