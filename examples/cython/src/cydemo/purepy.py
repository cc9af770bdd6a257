"""Plain Python that Cython compiles in its pure-Python mode: typed through the `cython`
module's decorators and annotations, which are no-ops when the file runs as Python."""

import cython

COMPILED = cython.compiled


@cython.cfunc
@cython.inline
def _square(x: cython.double) -> cython.double:
    return x * x


def sum_of_squares(n: cython.int) -> cython.double:
    """0² + 1² + ... + (n-1)²."""
    total: cython.double = 0
    i: cython.int
    for i in range(n):
        total += _square(i)
    return total
