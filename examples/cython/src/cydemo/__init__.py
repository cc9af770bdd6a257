"""cydemo: zlig's Cython example."""

from cydemo.geometry import norm2, scaled_norm2
from cydemo.purepy import sum_of_squares
from cydemo.stack import running_sums
from cydemo.vectors import dot

__all__ = ["dot", "norm2", "running_sums", "scaled_norm2", "sum_of_squares"]
