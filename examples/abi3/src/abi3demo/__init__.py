"""A stable-ABI extension module built by zlig."""

from abi3demo._limited import greet, limited_api, scale

__all__ = ["greet", "limited_api", "scale"]
