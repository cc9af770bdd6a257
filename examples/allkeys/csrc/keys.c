/* Reports what the compiler saw: each value comes from one key of the extension. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#include "allkeys_config.h" /* include-dirs */
#include "tables.h"         /* beside this file; listed in depends */

#define STR_(x) #x
#define STR(x) STR_(x)

#ifdef HAVE_X86_64_SOURCE
const char *allkeys_when_source(void); /* from csrc/x86_64_only.c */
#endif

/* Called through ctypes: exported because `export-symbols` names it. */
long allkeys_exported(long n) { return NUMBER * n; }

static PyObject *report(PyObject *self, PyObject *unused) {
    PyObject *d = PyDict_New();
    PyObject *v;
    if (d == NULL) {
        return NULL;
    }
#define PUT(key, value)                                            \
    do {                                                           \
        v = (value);                                               \
        if (v == NULL || PyDict_SetItemString(d, key, v) < 0) {    \
            Py_XDECREF(v);                                         \
            Py_DECREF(d);                                          \
            return NULL;                                           \
        }                                                          \
        Py_DECREF(v);                                              \
    } while (0)

    /* define-macros = ["FLAG", "NUMBER=7", "EMPTY=", 'VERSION="1.2"', "DROPPED"] */
#ifdef FLAG
    PUT("FLAG", PyUnicode_FromString(STR(FLAG)));
#endif
#ifdef NUMBER
    PUT("NUMBER", PyLong_FromLong(NUMBER));
#endif
#ifdef EMPTY
    PUT("EMPTY", PyUnicode_FromString(STR(EMPTY)));
#endif
#ifdef VERSION
    PUT("VERSION", PyUnicode_FromString(VERSION));
#endif
    /* undef-macros = ["DROPPED"] */
#ifdef DROPPED
    PUT("DROPPED", PyUnicode_FromString(STR(DROPPED)));
#endif
    /* extra-compile-args = ["-DFROM_EXTRA=7"] */
#ifdef FROM_EXTRA
    PUT("FROM_EXTRA", PyLong_FromLong(FROM_EXTRA));
#endif
    /* CFLAGS / CPPFLAGS in the build's environment */
#ifdef FROM_CFLAGS
    PUT("FROM_CFLAGS", PyLong_FromLong(FROM_CFLAGS));
#endif
#ifdef FROM_CPPFLAGS
    PUT("FROM_CPPFLAGS", PyLong_FromLong(FROM_CPPFLAGS));
#endif
    PUT("FROM_INCLUDE_DIR", PyLong_FromLong(FROM_INCLUDE_DIR));
    PUT("FROM_DEPENDS_HEADER", PyLong_FromLong(FROM_DEPENDS_HEADER));
    /* [[tool.zlig.extensions.when]] */
#ifdef HAVE_X86_64_SOURCE
    PUT("when_source", PyUnicode_FromString(allkeys_when_source()));
#endif
#ifdef ON_WINDOWS
    PUT("ON_WINDOWS", PyUnicode_FromString(STR(ON_WINDOWS)));
#endif
#ifdef NDEBUG
    PUT("NDEBUG", PyUnicode_FromString(STR(NDEBUG)));
#endif
    return d;
#undef PUT
}

/* libraries = ["m"]: cbrt from libm (no instruction computes it, so it is a call). */
static PyObject *cube_root(PyObject *self, PyObject *arg) {
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    return PyFloat_FromDouble(cbrt(x));
}

static PyMethodDef methods[] = {
    {"report", report, METH_NOARGS, "What the compiler saw, as a dict."},
    {"cube_root", cube_root, METH_O, "The cube root of x, from libm's cbrt."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_keys", NULL, -1, methods,
};

PyMODINIT_FUNC PyInit__keys(void) {
    return PyModule_Create(&module);
}
