#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "zligtestdep.h" /* dep/, through include-dirs */

static PyObject *triple(PyObject *self, PyObject *arg) {
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromLong(zligtestdep_triple(n));
}

static PyMethodDef methods[] = {
    {"triple", triple, METH_O, "3 * n, computed by libzligtestdep.so."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_uses_dep", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit__uses_dep(void) {
    return PyModule_Create(&module);
}
