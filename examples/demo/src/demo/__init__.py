"""The zlig quick-start example."""

from demo.demo import add

__all__ = ["add"]
