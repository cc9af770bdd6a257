/* A Python module that is also a C library: `exports_add` is called through ctypes. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Global but not listed in `export-symbols`: hidden, unless `export-symbols = "all"`. */
long exports_helper(long a) { return a; }

long exports_add(long a, long b) { return exports_helper(a) + b; }

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(exports_add(a, b));
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
