"""Fibonacci numbers computed by a Zig extension module."""

from zigdemo._fib import fib

__all__ = ["fib"]
