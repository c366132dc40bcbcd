// What the CPython types of smmap._smmap (cursor.cpp, buffer.cpp,
// map_view.cpp) share: making a type, sorting arguments, raising errors.
//
// Thread safety: every function needs the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>

#include "glue.hpp"

namespace smmap::python {

// Creates the heap type of |spec| and adds it to |module| as |name|. Returns
// the type (a reference kept for the module's lifetime), or nullptr with a
// Python error set.
PyTypeObject* add_type(PyObject* module, PyType_Spec* spec, const char* name);

// A METH_FASTCALL (| METH_KEYWORDS) function as a PyMethodDef's ml_meth.
template <class Function>
PyCFunction method(Function function) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(function));
}

// Sets the Python error for the exception being handled, naming |source|
// (what a cursor was made from) when it is a path; returns nullptr.
inline PyObject* raise_current(py::handle source) noexcept {
  return set_error_from_current(source && !PyLong_Check(source.ptr()) ? source.ptr() : nullptr);
}

// parse_arguments()'s slow path (cpython.cpp): |count| objects.
bool parse_with_cpython(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                        const char* format, char** names, PyObject** out, std::size_t count);

// Sorts the arguments of a METH_FASTCALL | METH_KEYWORDS call into |out|
// (entries not given stay null). Positional arguments, the hot calls' way,
// are taken as they come; keywords, and too many arguments, go through
// PyArg_ParseTupleAndKeywords with |format| ("|" and an "O" per name, then
// ":" and the function's name) and |names| (null-terminated). False with
// TypeError set when the arguments do not fit.
template <std::size_t N>
bool parse_arguments(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, const char* format,
                     const char* const (&names)[N], PyObject* (&out)[N - 1]) {
  static_assert(N >= 2 && N <= 5, "one to four arguments");
  if (kwnames == nullptr && nargs < static_cast<Py_ssize_t>(N)) {
    for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
    return true;
  }
  return parse_with_cpython(args, nargs, kwnames, format, const_cast<char**>(names), out, N - 1);
}

}  // namespace smmap::python
