"""An ABI probe: the module reports what it was compiled with, and `check()` compares it with
what the running interpreter is."""

import ctypes
import struct
import sys

from abi_probe import _probe


def expected() -> dict:
    """The interpreter's own answers to what `_probe.facts()` reports."""
    facts = {
        "sizeof_long": struct.calcsize("l"),
        "sizeof_void_p": struct.calcsize("P"),
        "sizeof_size_t": struct.calcsize("N"),
        "sizeof_ssize_t": struct.calcsize("n"),
        "sizeof_double": struct.calcsize("d"),
        "sizeof_wchar_t": ctypes.sizeof(ctypes.c_wchar),
        "sizeof_hash": sys.hash_info.width // 8,
        "long_bit": struct.calcsize("l") * 8,
        "big_endian": int(sys.byteorder == "big"),
        "ssize_max": sys.maxsize,
        "bits_in_digit": sys.int_info.bits_per_digit,
        "sizeof_digit": sys.int_info.sizeof_digit,
        "sizeof_pyobject": object.__basicsize__,
        "tuple_items_offset": tuple.__basicsize__,
        "sizeof_list": list.__basicsize__,
        "sizeof_float": float.__basicsize__,
        "sizeof_heap_type": type.__basicsize__,
        "long_digits_offset": int.__basicsize__,
    }
    return facts


def check() -> str:
    """Compares the module with the interpreter; returns a summary, or raises
    AssertionError naming every difference."""
    problems = []
    facts = _probe.facts()
    for name, value in expected().items():
        if facts[name] != value:
            problems.append(f"{name}: the module says {facts[name]}, the interpreter {value}")

    # Struct offsets, read by the C code through the type object's fields.
    for obj in (1, 2.5, "text", (1, 2), [3], {}, b"x", object(), ValueError("e")):
        kind = type(obj)
        seen = _probe.type_fields(obj)
        wanted = (kind.__name__, kind.__basicsize__, kind.__itemsize__, kind.__flags__)
        if seen != wanted:
            problems.append(f"type fields of {kind.__name__}: the module reads {seen}, the interpreter has {wanted}")
    if _probe.tuple_items((7, "x", None)) != [7, "x", None]:
        problems.append("tuple items read through the struct are wrong")

    # Big integers through CPython's byte-array API, in the interpreter's byte order.
    for n in (1, -1, 255, 2**31, 2**63 - 1, -(2**63), 2**100 + 12345, -(2**120) + 7):
        back, raw = _probe.long_roundtrip(n)
        if back != n or raw != n.to_bytes(16, sys.byteorder, signed=True):
            problems.append(f"_PyLong_FromByteArray/_AsByteArray of {n}: got {back}, bytes {raw.hex()}")
    if _probe.long_long(-(2**63)) != -(2**63) or _probe.unsigned_max() != 2**64 - 1:
        problems.append("PyLong_AsLongLong or PyLong_FromUnsignedLongLong is wrong")
    if _probe.hash_of("zlig") != hash("zlig") or _probe.hash_of(2**70) != hash(2**70):
        problems.append("PyObject_Hash differs from hash()")

    # Doubles and wide characters.
    for x in (1.5, -2.0**-1074, 1e308):
        if _probe.double_bytes(x) != struct.pack("=d", x):
            problems.append(f"the bytes of the double {x} differ")
    for text in ("ascii", "é", "\U0001f600 wide"):
        if _probe.wide_roundtrip(text) != text:
            problems.append(f"PyUnicode_AsWideChar/FromWideChar of {text!r} differ")

    # Exceptions, raised by C and caught by Python, raised by Python and caught by C.
    try:
        _probe.fail("from C")
    except _probe.ProbeError as e:
        if str(e) != "from C" or not isinstance(e, ValueError):
            problems.append(f"ProbeError is wrong: {e!r}")
    else:
        problems.append("fail() did not raise")

    def boom():
        raise KeyError("from Python")

    if _probe.catch(boom) != ("KeyError", "'from Python'") or _probe.catch(lambda: 42) != ("ok", "42"):
        problems.append(f"catch() saw {_probe.catch(boom)}")

    if problems:
        raise AssertionError("\n".join(problems))
    return f"abi ok: {facts['sizeof_void_p'] * 8}-bit {sys.byteorder}-endian"
