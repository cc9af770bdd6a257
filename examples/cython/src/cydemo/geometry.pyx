"""Lengths, through the C function of cydemo.vectors (a cimport, not a Python call)."""

from cydemo.vectors cimport dot3

include "constants.pxi"


def norm2(v):
    """The squared length of a 3-vector."""
    return dot3(v[0], v[1], v[2], v[0], v[1], v[2])


def scaled_norm2(v):
    """norm2(v) times the SCALE of constants.pxi."""
    return SCALE * norm2(v)
