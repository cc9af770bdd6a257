"""npdemo: zlig's numpy C API example."""

from npdemo._npdemo import scaled_sum

__all__ = ["scaled_sum"]
