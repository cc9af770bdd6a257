/* As real projects write it: SSE 4.2's crc32 instruction through a target attribute. clang
   also needs the crc32 feature for the builtin (gcc does not): `-mcrc32` or a CPU that has
   it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

__attribute__((target("sse4.2"))) static uint32_t crc32c_u32(uint32_t crc, uint32_t value) {
    return __builtin_ia32_crc32si(crc, value);
}

static PyObject *crc32c(PyObject *self, PyObject *arg) {
    unsigned long value = PyLong_AsUnsignedLong(arg);
    if (value == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    return PyLong_FromUnsignedLong(crc32c_u32(0xFFFFFFFFu, (uint32_t)value) ^ 0xFFFFFFFFu);
}

/* The feature macros the compiler defined for this file. */
static PyObject *features(PyObject *self, PyObject *unused) {
    return Py_BuildValue("[sssss]",
#ifdef __AVX__
                         "avx",
#else
                         "",
#endif
#ifdef __AVX2__
                         "avx2",
#else
                         "",
#endif
#ifdef __SSE4_2__
                         "sse4.2",
#else
                         "",
#endif
#ifdef __CRC32__
                         "crc32",
#else
                         "",
#endif
#ifdef __POPCNT__
                         "popcnt"
#else
                         ""
#endif
    );
}

static PyMethodDef methods[] = {
    {"crc32c", crc32c, METH_O, "crc32c of a 32-bit value's 4 bytes."},
    {"features", features, METH_NOARGS, "The CPU features the module was compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_x86", NULL, -1, methods};

PyMODINIT_FUNC PyInit__x86(void) { return PyModule_Create(&module); }
