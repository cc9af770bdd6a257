#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *demo_add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a + b);
}

static PyMethodDef demo_methods[] = {
    {"add", demo_add, METH_VARARGS, "Add two integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef demo_module = {
    PyModuleDef_HEAD_INIT, "demo", "A C extension built by zlig.", -1, demo_methods,
};

PyMODINIT_FUNC PyInit_demo(void) {
    return PyModule_Create(&demo_module);
}
