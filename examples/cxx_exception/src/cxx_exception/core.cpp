// The C++ half of the extension: the work, and the translation of C++ exceptions into
// Python exceptions at the module boundary.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "checks.h"

namespace {

long long factorial(long n) {
    if (const char *problem = cxx_exception_check(n)) {
        throw std::invalid_argument(std::string(problem) + ": " + std::to_string(n));
    }
    long long result = 1;
    for (long i = 2; i <= n; ++i) {
        result *= i;
    }
    return result;
}

// Splits on spaces with the C++ standard library, so that libc++ is really used.
std::vector<std::string> split(const std::string &text) {
    std::istringstream stream(text);
    std::vector<std::string> words;
    for (std::string word; stream >> word;) {
        words.push_back(word);
    }
    if (words.empty()) {
        throw std::invalid_argument("no words in the text");
    }
    return words;
}

PyObject *py_factorial(PyObject *, PyObject *arg) {
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return nullptr;
    }
    try {
        return PyLong_FromLongLong(factorial(n));
    } catch (const std::invalid_argument &error) {
        PyErr_SetString(PyExc_ValueError, error.what());
        return nullptr;
    }
}

PyObject *py_words(PyObject *, PyObject *arg) {
    const char *text = PyUnicode_AsUTF8(arg);
    if (text == nullptr) {
        return nullptr;
    }
    try {
        std::vector<std::string> words = split(text);
        PyObject *list = PyList_New(0);
        for (const std::string &word : words) {
            PyObject *item = PyUnicode_FromStringAndSize(word.data(), (Py_ssize_t)word.size());
            if (item == nullptr || PyList_Append(list, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(list);
                return nullptr;
            }
            Py_DECREF(item);
        }
        return list;
    } catch (const std::exception &error) {
        PyErr_SetString(PyExc_ValueError, error.what());
        return nullptr;
    }
}

// Exceptions that nothing catches end the process through std::terminate, which reports
// their type and what() on stderr before aborting, as g++'s runtime does.

// factorial(), but an exception cannot leave it: a bad argument terminates the process.
long long factorial_or_terminate(long n) noexcept {
    return factorial(n);
}

PyObject *py_factorial_noexcept(PyObject *, PyObject *arg) {
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return nullptr;
    }
    return PyLong_FromLongLong(factorial_or_terminate(n));
}

// Throws in a thread of its own, where no Python code can catch it.
PyObject *py_fail_in_thread(PyObject *, PyObject *) {
    std::thread worker([] { throw std::runtime_error("the worker thread gave up"); });
    worker.join();
    Py_RETURN_NONE;
}

PyMethodDef methods[] = {
    {"factorial", py_factorial, METH_O, "n! for 0 <= n <= 20; ValueError otherwise."},
    {"words", py_words, METH_O, "The words of a text, split by C++; ValueError if none."},
    {"factorial_noexcept", py_factorial_noexcept, METH_O, "n!, or the process ends on a bad n."},
    {"fail_in_thread", py_fail_in_thread, METH_NOARGS, "Ends the process from a C++ thread."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_core", "A C++ extension built by zlig.", -1, methods,
};

}  // namespace

PyMODINIT_FUNC PyInit__core(void) {
    return PyModule_Create(&module);
}
