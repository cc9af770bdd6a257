/* The source of an optional extension that does not compile. */
#include <Python.h>

PyMODINIT_FUNC PyInit__optional(void) {
    return PyModule_Create(&missing_module_def)  /* no such variable, and no semicolon */
}
