"""A pure-Python package that zlig packages without compiling anything.

The first line of this docstring is the project's summary; the rest is not.
"""

__version__ = "2.1.0"


def answer() -> int:
    return 42
