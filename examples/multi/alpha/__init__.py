"""The alpha package: a Python wrapper around the `alpha._native` extension."""

from alpha._native import dropped, feature, greeting, level, shout

__all__ = ["dropped", "feature", "greeting", "level", "shout"]
