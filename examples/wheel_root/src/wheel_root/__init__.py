"""A package with files outside it."""


def hello() -> str:
    return "hello from wheel-root"
