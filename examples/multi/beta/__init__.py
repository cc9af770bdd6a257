"""The beta package: pure Python, with a subpackage and a data file."""

from importlib.resources import files


def data() -> str:
    return files(__name__).joinpath("data.txt").read_text(encoding="utf-8").strip()
