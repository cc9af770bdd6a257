"""Reports the CPU features a module was compiled for, and uses crc32c."""

from cpu_features._x86 import crc32c, features

__all__ = ["crc32c", "features"]
