"""The `pure-example` console script."""

import sys

from pure_example import __version__, answer


def main() -> int:
    print(f"pure-example {__version__}: {answer()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
