"""C++ from Cython: a std::vector."""

from libcpp.vector cimport vector


def running_sums(values):
    """The running sums of a sequence of integers."""
    cdef vector[long] sums
    cdef long total = 0
    for value in values:
        total += value
        sums.push_back(total)
    return [s for s in sums]
