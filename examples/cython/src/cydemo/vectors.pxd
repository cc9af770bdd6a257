# The C API of cydemo.vectors, for other Cython modules to cimport.

cdef double dot3(double x1, double y1, double z1, double x2, double y2, double z2) noexcept
