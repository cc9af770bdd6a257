/* Reports the version the package was built as, from the header zlig reads it from. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hver/version.h"

static PyObject *version(PyObject *self, PyObject *noargs) { return PyUnicode_FromString(HVER_VERSION); }

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "The version, from include/hver/version.h."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&module); }
