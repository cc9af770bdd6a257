"""An extension module that needs a shared library of its own (libzligtestdep.so)."""

from extlib._uses_dep import triple

__all__ = ["triple"]
