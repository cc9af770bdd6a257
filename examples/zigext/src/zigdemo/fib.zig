//! A CPython extension module in Zig. `python` is Python.h, translated by zig's translate-c.
const std = @import("std");
const py = @import("python");

fn fibonacci(n: u64) u64 {
    var a: u64 = 0;
    var b: u64 = 1;
    for (0..n) |_| {
        const next = a +% b;
        a = b;
        b = next;
    }
    return a;
}

fn fib(self: ?*py.PyObject, arg: ?*py.PyObject) callconv(.c) ?*py.PyObject {
    _ = self;
    const n = py.PyLong_AsLong(arg);
    if (n == -1 and py.PyErr_Occurred() != null) return null;
    if (n < 0) {
        py.PyErr_SetString(py.PyExc_ValueError, "n must not be negative");
        return null;
    }
    return py.PyLong_FromUnsignedLongLong(fibonacci(@intCast(n)));
}

var methods = [_]py.PyMethodDef{
    .{ .ml_name = "fib", .ml_meth = &fib, .ml_flags = py.METH_O, .ml_doc = "The n-th Fibonacci number." },
    std.mem.zeroes(py.PyMethodDef),
};

var module_def = std.mem.zeroInit(py.PyModuleDef, .{
    .m_name = "_fib",
    .m_doc = "Fibonacci numbers, in Zig.",
    .m_size = -1,
    .m_methods = &methods,
});

export fn PyInit__fib() ?*py.PyObject {
    return py.PyModule_Create2(&module_def, py.PYTHON_API_VERSION);
}
