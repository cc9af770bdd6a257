"""Factorials from a C++ extension module whose errors are C++ exceptions."""

from cxx_exception._core import factorial, words

__all__ = ["factorial", "words"]
