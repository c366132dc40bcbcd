// The one mapping of C++ exceptions to Python ones, in the plain C API (the
// pybind11 translator and the CPython types share it):
//
//   std::system_error            -> OSError, the subclass for its errno
//                                   (FileNotFoundError, IsADirectoryError...)
//   std::out_of_range            -> IndexError
//   std::invalid_argument,
//   other std::logic_error       -> ValueError
//   std::bad_alloc               -> MemoryError
//   anything else                -> RuntimeError
//
// Thread safety: every function needs the GIL.
#pragma once

#include <Python.h>

#include <system_error>

#include "smmap/util.hpp"

namespace smmap::python {

// Sets OSError(errno, message[, filename]) from |error|; Python picks the
// subclass for the errno. |filename| may be null; when it is not, the message
// leaves out the " '<file>'" naming it, since str() of the OSError appends
// the file itself ("[Errno 21] read: Is a directory: '/data'"). Returns
// nullptr.
PyObject* set_os_error(const std::system_error& error, PyObject* filename) noexcept;

// The same, naming |source| (may be null) when it is a path; a descriptor
// names nothing.
PyObject* set_os_error(const std::system_error& error, const PathOrFd* source) noexcept;

// Sets the Python error for the C++ exception being handled (call it inside a
// catch block), naming |filename| (may be null) in an OSError. Returns nullptr.
PyObject* set_error_from_current(PyObject* filename) noexcept;

}  // namespace smmap::python
