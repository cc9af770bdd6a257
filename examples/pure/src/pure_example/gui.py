"""The `pure-example-gui` script (it only prints: the tests have no display)."""


def main() -> int:
    print("pure-example-gui")
    return 0
