/* Every way a C module names files, and code from zig's runtime libraries. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <assert.h>

#include "path_free.h"

static PyObject *source_file(PyObject *self, PyObject *unused) {
    /* assert names this file too, outside NDEBUG (Debug). */
    assert(self != NULL);
    return PyUnicode_FromString(__FILE__);
}

static PyObject *header_file(PyObject *self, PyObject *unused) {
    return PyUnicode_FromString(path_free_header_file());
}

/* a << b with b >= 32 is undefined behaviour. */
static PyObject *shift(PyObject *self, PyObject *args) {
    int a, b;
    if (!PyArg_ParseTuple(args, "ii", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a << b);
}

/* Signed overflow, defined by -fwrapv (CPython's flag): it wraps. */
static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a + b);
}

/* (a * 2**64) / b >> 64: a 128-bit division, which calls __udivti3 from compiler_rt. */
static PyObject *high_quotient(PyObject *self, PyObject *args) {
    unsigned long long a, b;
    if (!PyArg_ParseTuple(args, "KK", &a, &b)) {
        return NULL;
    }
    if (b == 0) {
        PyErr_SetString(PyExc_ZeroDivisionError, "division by zero");
        return NULL;
    }
    unsigned __int128 wide = (unsigned __int128)a << 64;
    return PyLong_FromUnsignedLongLong((unsigned long long)((wide / b) >> 64));
}

static PyMethodDef methods[] = {
    {"source_file", source_file, METH_NOARGS, "This source file's __FILE__."},
    {"header_file", header_file, METH_NOARGS, "The header's __FILE__."},
    {"shift", shift, METH_VARARGS, "a << b; undefined when b >= 32."},
    {"add", add, METH_VARARGS, "a + b, wrapping on overflow."},
    {"high_quotient", high_quotient, METH_VARARGS, "(a * 2**64 / b) >> 64."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_probe", "File names as a C extension module sees them.", -1, methods,
};

PyMODINIT_FUNC PyInit__probe(void) {
    return PyModule_Create(&module);
}
