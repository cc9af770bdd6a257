"""A plain top-level module, using the top-level extension."""

from _speedups import fib


def fib10() -> int:
    return fib(10)
