"""3-vectors: a C function that other modules cimport, and its Python face."""

cdef double dot3(double x1, double y1, double z1, double x2, double y2, double z2) noexcept:
    return x1 * x2 + y1 * y2 + z1 * z2


def dot(a, b):
    """The dot product of two 3-vectors."""
    return dot3(a[0], a[1], a[2], b[0], b[1], b[2])
