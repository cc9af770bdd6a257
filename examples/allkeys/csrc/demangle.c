/* A C source in an extension declared `language = "c++"`: it links against zig's libc++abi,
   so __cxa_demangle (C++'s runtime, not C's) is there to call. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

char *__cxa_demangle(const char *mangled, char *buffer, size_t *length, int *status);

static PyObject *demangle(PyObject *self, PyObject *arg) {
    const char *mangled = PyUnicode_AsUTF8(arg);
    if (mangled == NULL) {
        return NULL;
    }
    int status = 0;
    char *plain = __cxa_demangle(mangled, NULL, NULL, &status);
    if (plain == NULL) {
        PyErr_Format(PyExc_ValueError, "cannot demangle %s (status %d)", mangled, status);
        return NULL;
    }
    PyObject *result = PyUnicode_FromString(plain);
    free(plain);
    return result;
}

static PyMethodDef methods[] = {
    {"demangle", demangle, METH_O, "A C++ symbol name, demangled by libc++abi."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_linked_as_cxx", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit__linked_as_cxx(void) {
    return PyModule_Create(&module);
}
