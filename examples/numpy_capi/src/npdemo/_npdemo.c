/* A C extension against numpy's C API: the sum of a float64 array times a factor. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

static PyObject *scaled_sum(PyObject *self, PyObject *args) {
    PyObject *input;
    double factor = 1.0;
    if (!PyArg_ParseTuple(args, "O|d", &input, &factor)) {
        return NULL;
    }
    PyArrayObject *array = (PyArrayObject *)PyArray_FROMANY(
        input, NPY_DOUBLE, 0, 0, NPY_ARRAY_IN_ARRAY);
    if (array == NULL) {
        return NULL;
    }
    const double *data = (const double *)PyArray_DATA(array);
    npy_intp count = PyArray_SIZE(array);
    double total = 0.0;
    for (npy_intp i = 0; i < count; i++) {
        total += data[i];
    }
    Py_DECREF(array);
    return PyFloat_FromDouble(total * factor);
}

static PyMethodDef methods[] = {
    {"scaled_sum", scaled_sum, METH_VARARGS, "scaled_sum(array, factor=1.0): sum(array) * factor"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_npdemo", NULL, -1, methods};

PyMODINIT_FUNC PyInit__npdemo(void) {
    import_array();
    return PyModule_Create(&module);
}
