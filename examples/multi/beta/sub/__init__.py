"""A subpackage of beta."""

VALUE = 42
