# Included into geometry.pyx.

cdef double SCALE = 2.0
