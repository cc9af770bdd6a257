"""A module whose C functions are also called through ctypes."""

from exports._native import add

__all__ = ["add"]
