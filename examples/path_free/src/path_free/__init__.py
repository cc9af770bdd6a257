"""File names as a C extension module sees them, and a way to make it misbehave."""

from path_free._probe import add, header_file, high_quotient, shift, source_file

__all__ = ["add", "header_file", "high_quotient", "shift", "source_file"]
