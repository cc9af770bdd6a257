/* What this module was compiled with, for abi_probe.check() to compare with the running
   interpreter: sizes and byte order from the headers, struct offsets used through macros,
   big integers through the byte-array API, doubles, wide characters and exceptions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>
#include <wchar.h>

static PyObject *ProbeError;

#define FACT(name, value)                                                                  \
    do {                                                                                   \
        PyObject *v = PyLong_FromLongLong((long long)(value));                             \
        if (v == NULL || PyDict_SetItemString(facts, name, v) < 0) {                       \
            Py_XDECREF(v);                                                                 \
            Py_DECREF(facts);                                                              \
            return NULL;                                                                   \
        }                                                                                  \
        Py_DECREF(v);                                                                      \
    } while (0)

static PyObject *facts(PyObject *self, PyObject *unused) {
    PyObject *facts = PyDict_New();
    if (facts == NULL) return NULL;
    FACT("sizeof_long", SIZEOF_LONG);
    FACT("sizeof_void_p", SIZEOF_VOID_P);
    FACT("sizeof_size_t", SIZEOF_SIZE_T);
    FACT("sizeof_ssize_t", sizeof(Py_ssize_t));
    FACT("sizeof_double", sizeof(double));
    FACT("sizeof_wchar_t", SIZEOF_WCHAR_T);
    FACT("sizeof_hash", sizeof(Py_hash_t));
    FACT("long_bit", LONG_BIT);
    FACT("big_endian", PY_BIG_ENDIAN);
    FACT("ssize_max", PY_SSIZE_T_MAX);
    FACT("bits_in_digit", PyLong_SHIFT);
    FACT("sizeof_digit", sizeof(digit));
    FACT("sizeof_pyobject", sizeof(PyObject));
    FACT("tuple_items_offset", offsetof(PyTupleObject, ob_item));
    FACT("sizeof_list", sizeof(PyListObject));
    FACT("sizeof_float", sizeof(PyFloatObject));
    FACT("sizeof_heap_type", sizeof(PyHeapTypeObject));
#if PY_VERSION_HEX >= 0x030C0000
    FACT("long_digits_offset", offsetof(PyLongObject, long_value.ob_digit));
#else
    FACT("long_digits_offset", offsetof(PyLongObject, ob_digit));
#endif
    return facts;
}

static PyObject *type_fields(PyObject *self, PyObject *obj) {
    PyTypeObject *type = Py_TYPE(obj);
    return Py_BuildValue("(snnk)", type->tp_name, type->tp_basicsize, type->tp_itemsize,
                         type->tp_flags);
}

static PyObject *tuple_items(PyObject *self, PyObject *tuple) {
    if (!PyTuple_Check(tuple)) return PyErr_Format(PyExc_TypeError, "expected a tuple");
    PyObject *list = PyList_New(PyTuple_GET_SIZE(tuple));
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tuple); i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        Py_INCREF(item);
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

/* n → (n again, its 16 bytes in the interpreter's byte order), through the headers'
   PY_LITTLE_ENDIAN: wrong on big-endian targets compiled with a little-endian pyconfig.h. */
static PyObject *long_roundtrip(PyObject *self, PyObject *n) {
    unsigned char raw[16];
    if (!PyLong_Check(n)) return PyErr_Format(PyExc_TypeError, "expected an int");
    if (_PyLong_AsByteArray((PyLongObject *)n, raw, sizeof raw, PY_LITTLE_ENDIAN, 1) < 0)
        return NULL;
    PyObject *back = _PyLong_FromByteArray(raw, sizeof raw, PY_LITTLE_ENDIAN, 1);
    if (back == NULL) return NULL;
    return Py_BuildValue("(Ny#)", back, (const char *)raw, (Py_ssize_t)sizeof raw);
}

static PyObject *long_long(PyObject *self, PyObject *n) {
    long long value = PyLong_AsLongLong(n);
    if (value == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(value);
}

static PyObject *unsigned_max(PyObject *self, PyObject *unused) {
    return PyLong_FromUnsignedLongLong(~0ULL);
}

static PyObject *hash_of(PyObject *self, PyObject *obj) {
    Py_hash_t hash = PyObject_Hash(obj);
    if (hash == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromSsize_t(hash);
}

static PyObject *double_bytes(PyObject *self, PyObject *x) {
    double value = PyFloat_AsDouble(x);
    if (value == -1.0 && PyErr_Occurred()) return NULL;
    return PyBytes_FromStringAndSize((const char *)&value, sizeof value);
}

static PyObject *wide_roundtrip(PyObject *self, PyObject *text) {
    Py_ssize_t size;
    wchar_t *wide = PyUnicode_AsWideCharString(text, &size);
    if (wide == NULL) return NULL;
    PyObject *back = PyUnicode_FromWideChar(wide, size);
    PyMem_Free(wide);
    return back;
}

static PyObject *fail(PyObject *self, PyObject *message) {
    PyErr_SetObject(ProbeError, message);
    return NULL;
}

/* Calls `func`; returns ("ok", str(result)) or (exception type name, str(exception)). */
static PyObject *catch(PyObject *self, PyObject *func) {
    PyObject *result = PyObject_CallNoArgs(func);
    if (result != NULL) {
        PyObject *text = PyObject_Str(result);
        Py_DECREF(result);
        return text == NULL ? NULL : Py_BuildValue("(sN)", "ok", text);
    }
    if (!PyErr_ExceptionMatches(PyExc_Exception)) return NULL;
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyObject *text = PyObject_Str(value);
    PyObject *answer =
        text == NULL ? NULL : Py_BuildValue("(sN)", ((PyTypeObject *)type)->tp_name, text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return answer;
}

static PyMethodDef methods[] = {
    {"facts", facts, METH_NOARGS, "What the module was compiled with."},
    {"type_fields", type_fields, METH_O, "tp_name, tp_basicsize, tp_itemsize, tp_flags of type(obj)."},
    {"tuple_items", tuple_items, METH_O, "A tuple's items, read with PyTuple_GET_ITEM."},
    {"long_roundtrip", long_roundtrip, METH_O, "An int through 16 bytes and back."},
    {"long_long", long_long, METH_O, "An int through a C long long."},
    {"unsigned_max", unsigned_max, METH_NOARGS, "The largest unsigned long long."},
    {"hash_of", hash_of, METH_O, "PyObject_Hash(obj)."},
    {"double_bytes", double_bytes, METH_O, "A float's C double, as bytes in memory order."},
    {"wide_roundtrip", wide_roundtrip, METH_O, "A str through wchar_t and back."},
    {"fail", fail, METH_O, "Raises ProbeError(message)."},
    {"catch", catch, METH_O, "Calls func and reports what happened."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", NULL, -1, methods};

PyMODINIT_FUNC PyInit__probe(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    ProbeError = PyErr_NewException("abi_probe.ProbeError", PyExc_ValueError, NULL);
    if (ProbeError == NULL || PyModule_AddObjectRef(m, "ProbeError", ProbeError) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
