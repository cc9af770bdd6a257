"""examples/top_level_stubs: a top-level C module `fast` beside a folder `fast/` that holds
only its stubs and `py.typed`. pip, build and uv all ship the module at the wheel's root and
the stubs beside it; the module imports, and mypy reads the stubs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import copy_project
from helpers import EXT_SUFFIX, run, wheel_names

FRONTENDS = ["pip", "build", "uv"]


@pytest.fixture(scope="module", params=FRONTENDS)
def stubs_wheel(request, frontend, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp(f"stubs-{request.param}")
    project = copy_project("top_level_stubs", tmp)
    build = {"pip": frontend.pip_wheel, "build": frontend.build, "uv": frontend.uv_build}[request.param]
    built = build(project, tmp / "out")
    assert built.wheel is not None
    return built.wheel


@pytest.fixture(scope="module")
def stubs_venv(stubs_wheel, venvs):
    return venvs.with_wheels(stubs_wheel, name="stubs-venv")


def test_top_level_module_ships_beside_its_stubs_folder(stubs_wheel):
    assert wheel_names(stubs_wheel) == [
        f"fast{EXT_SUFFIX}",
        "fast/__init__.pyi",
        "fast/py.typed",
        "typed_fast-1.0.0.dist-info/METADATA",
        "typed_fast-1.0.0.dist-info/WHEEL",
        "typed_fast-1.0.0.dist-info/sboms/zlig.cdx.json",
        "typed_fast-1.0.0.dist-info/RECORD",
    ]


def test_the_module_imports_rather_than_the_stubs_folder(stubs_venv):
    code = "import fast; print(fast.add(2, 3)); print(fast.greet('stubs')); print(fast.__file__)"
    added, greeting, path = stubs_venv.run(code).splitlines()
    assert (added, greeting) == ("5", "hello, stubs")
    assert path.endswith(f"/site-packages/fast{EXT_SUFFIX}"), path


def test_mypy_reads_the_stubs_of_the_installed_module(stubs_venv, tmp_path):
    code = tmp_path / "use_fast.py"
    code.write_text(
        "import fast\n"
        "reveal_type(fast.add(2, 3))\n"
        "fast.greet(3)\n"
    )
    proc = run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--python-executable", stubs_venv.python, code],
        check=False,
        cwd=tmp_path,
    )
    assert re.search(r'Revealed type is "(builtins\.)?int"', proc.stdout), proc.stdout
    assert 'Argument 1 to "greet" has incompatible type "int"; expected "str"' in proc.stdout, proc.stdout
    assert "missing library stubs" not in proc.stdout and "import-not-found" not in proc.stdout, proc.stdout
