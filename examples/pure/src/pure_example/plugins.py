"""An entry point in the `pure_example.plugins` group."""


def hello() -> str:
    return "hello from a plugin"
