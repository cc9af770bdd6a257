"""A C extension project configured the flit way."""

__version__ = "0.3.0"

from seed.seed import mul

__all__ = ["mul"]
