"""A module whose version comes from a C header."""

from hver._core import version

__all__ = ["version"]
