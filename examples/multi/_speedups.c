/* _speedups: a top-level extension module. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *speedups_fib(PyObject *self, PyObject *args) {
    long n, a = 0, b = 1;
    if (!PyArg_ParseTuple(args, "l", &n)) {
        return NULL;
    }
    for (long i = 0; i < n; i++) {
        long next = a + b;
        a = b;
        b = next;
    }
    return PyLong_FromLong(a);
}

static PyMethodDef speedups_methods[] = {
    {"fib", speedups_fib, METH_VARARGS, "The n-th Fibonacci number."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "_speedups", "A top-level extension.", -1, speedups_methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    return PyModule_Create(&speedups_module);
}
