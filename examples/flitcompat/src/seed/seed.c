#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *seed_mul(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLong(a * b);
}

static PyMethodDef seed_methods[] = {
    {"mul", seed_mul, METH_VARARGS, "Multiply two integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef seed_module = {
    PyModuleDef_HEAD_INIT, "seed.seed", "A C extension built by zlig.", -1, seed_methods,
};

PyMODINIT_FUNC PyInit_seed(void) {
    return PyModule_Create(&seed_module);
}
