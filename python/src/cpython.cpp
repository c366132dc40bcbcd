#include "cpython.hpp"

namespace smmap::python {

PyTypeObject* add_type(PyObject* module, PyType_Spec* spec, const char* name) {
  PyObject* type = PyType_FromSpec(spec);
  if (type == nullptr) return nullptr;
  Py_INCREF(type);  // one reference for the module, one kept by the caller
  if (PyModule_AddObject(module, name, type) != 0) {
    Py_DECREF(type);
    Py_DECREF(type);
    return nullptr;
  }
  return reinterpret_cast<PyTypeObject*>(type);
}

bool parse_with_cpython(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                        const char* format, char** names, PyObject** out, std::size_t count) {
  py::object tuple = py::reinterpret_steal<py::object>(PyTuple_New(nargs));
  py::object dict = py::reinterpret_steal<py::object>(PyDict_New());
  if (!tuple || !dict) return false;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    Py_INCREF(args[i]);
    PyTuple_SET_ITEM(tuple.ptr(), i, args[i]);
  }
  const Py_ssize_t keywords = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  for (Py_ssize_t k = 0; k < keywords; ++k) {
    if (PyDict_SetItem(dict.ptr(), PyTuple_GET_ITEM(kwnames, k), args[nargs + k]) != 0) {
      return false;
    }
  }
  PyObject* slots[4] = {nullptr, nullptr, nullptr, nullptr};
  if (!PyArg_ParseTupleAndKeywords(tuple.ptr(), dict.ptr(), format, names, &slots[0], &slots[1],
                                   &slots[2], &slots[3])) {
    return false;
  }
  for (std::size_t i = 0; i < count; ++i) out[i] = slots[i];
  return true;
}

}  // namespace smmap::python
