/* The module `fast`, typed by the stubs in ../fast/__init__.pyi. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *fast_add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a + b);
}

static PyObject *fast_greet(PyObject *self, PyObject *args) {
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) {
        return NULL;
    }
    return PyUnicode_FromFormat("hello, %s", name);
}

static PyMethodDef fast_methods[] = {
    {"add", fast_add, METH_VARARGS, "Add two integers."},
    {"greet", fast_greet, METH_VARARGS, "Greet someone."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fast_module = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, fast_methods};

PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&fast_module); }
