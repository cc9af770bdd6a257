"""pbdemo: zlig's pybind11 example."""

from pbdemo._pbdemo import Counter, add, checked_div

__all__ = ["Counter", "add", "checked_div"]
