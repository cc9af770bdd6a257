/* Only the limited API (Py_LIMITED_API comes from the build: py-limited-api = "cp38"). */
#include <Python.h>

#ifndef Py_LIMITED_API
#error "zlig must define Py_LIMITED_API for py-limited-api"
#endif

static PyObject *greet(PyObject *self, PyObject *name) {
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "greet() takes a str");
        return NULL;
    }
    return PyUnicode_FromFormat("hello, %U", name);
}

static PyObject *scale(PyObject *self, PyObject *args) {
    double value, factor = 2.0;
    if (!PyArg_ParseTuple(args, "d|d", &value, &factor)) {
        return NULL;
    }
    return PyFloat_FromDouble(value * factor);
}

/* The Py_LIMITED_API value the module was compiled with. */
static PyObject *limited_api(PyObject *self, PyObject *unused) {
    return PyLong_FromUnsignedLong((unsigned long)Py_LIMITED_API);
}

static PyMethodDef methods[] = {
    {"greet", greet, METH_O, "A greeting for `name`."},
    {"scale", scale, METH_VARARGS, "value * factor (factor defaults to 2)."},
    {"limited_api", limited_api, METH_NOARGS, "The Py_LIMITED_API the module was built for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_limited", "A stable-ABI module built by zlig.", -1, methods,
};

PyMODINIT_FUNC PyInit__limited(void) {
    return PyModule_Create(&module);
}
