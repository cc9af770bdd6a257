/* alpha._native: the module half; the string work is in csrc/greet.c. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "greet.h"

static PyObject *native_greeting(PyObject *self, PyObject *unused) {
    return PyUnicode_FromString(GREETING);
}

static PyObject *native_shout(PyObject *self, PyObject *args) {
    const char *text;
    char buffer[256];
    if (!PyArg_ParseTuple(args, "s", &text)) {
        return NULL;
    }
    greet_upper(text, buffer, sizeof buffer);
    return PyUnicode_FromString(buffer);
}

static PyObject *native_feature(PyObject *self, PyObject *unused) {
#ifdef ALPHA_FEATURE
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyObject *native_dropped(PyObject *self, PyObject *unused) {
#ifdef ALPHA_DROPPED
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyObject *native_level(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(ALPHA_LEVEL);
}

static PyMethodDef native_methods[] = {
    {"greeting", native_greeting, METH_NOARGS, "The GREETING macro."},
    {"shout", native_shout, METH_VARARGS, "The text in capitals, from the second C file."},
    {"feature", native_feature, METH_NOARGS, "Whether ALPHA_FEATURE is defined."},
    {"dropped", native_dropped, METH_NOARGS, "Whether ALPHA_DROPPED is still defined."},
    {"level", native_level, METH_NOARGS, "The ALPHA_LEVEL macro."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT, "alpha._native", "Two C files, one extension.", -1, native_methods,
};

PyMODINIT_FUNC PyInit__native(void) {
    return PyModule_Create(&native_module);
}
