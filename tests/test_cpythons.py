"""Every CPython from 3.9 to 3.15, as its users have it, builds every example with isolated
pip, and the wheels install and import: pyenv's 3.9, 3.10, 3.12 and 3.13 on the test
machine, Debian 12's python3.11 (whose pyconfig.h is a switch over multiarch folders), and
Debian unstable's python3.14 and python3.15 in a root of their own (debian_sid.py; the
suite's own interpreter is 3.11). On 3.14 and 3.15 also: an editable install rebuilds an
edited C source and `.pyx` on import, its hook started by a `.start` file on 3.15 (PEP 829)
and by a `.pth` import line on 3.14; a build reads the headers that the interpreter's own
build-details.json (PEP 739) names, once it is shown to describe that interpreter; and a
Python without its C headers (sid's python3.13 without python3.13-dev) gets one message
naming the package that has them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Optional

import pytest

from buildtools import DEP, build_dep, zig_global_cache
from conftest import BIN, base_env, build_wheels_for, copy_project
from debian_sid import SID, WITH_HEADERS, WITHOUT_HEADERS, SidRoot, sid_root
from helpers import EXAMPLES, run

IN_CI = os.environ.get("CI") == "true"


@dataclasses.dataclass(frozen=True)
class Python:
    """A CPython to build the examples with, and how commands run with it: here, or in the
    Debian sid root (`sid`), where its paths are the root's."""

    name: str
    minor: int
    python: str
    sid: Optional[SidRoot] = None

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for `run` with `extra`: the suite's own here, a bare one in the
        root."""
        return extra if self.sid else {**base_env(), **extra}

    def run(self, command, env: dict[str, str], cwd: Optional[Path] = None, check: bool = True):
        if self.sid:
            return self.sid.run(command, env=env, cwd=cwd, check=check)
        return run(command, env=env, cwd=cwd, check=check)

    @property
    def pip(self) -> list[str]:
        """pip, run by this interpreter (in the root, from a venv made with the root)."""
        return [self.sid.pip(f"3.{self.minor}") if self.sid else self.python, "-m", "pip"]

    def venv(self, path: Path) -> Path:
        """A new venv without pip at `path`; its interpreter."""
        if self.sid:
            self.run([self.python, "-m", "venv", "--without-pip", path], self.env())
        else:
            self.run([BIN / "uv", "venv", "--quiet", "--python", self.python, path], self.env())
        return path / "bin" / "python"


def host_pythons() -> list:
    """pyenv's CPython 3.9, 3.10, 3.12 and 3.13, and Debian 12's python3.11 with its
    headers; on CI, where the machine's image has them all, a missing one fails."""
    found = []
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in (9, 10, 12, 13):
        matches = sorted(versions.glob(f"3.{minor}.*/bin/python3.{minor}"))
        python = str(matches[-1]) if matches else ""
        found.append((f"pyenv-3.{minor}", minor, python, f"no CPython 3.{minor} under pyenv ({versions})"))
    debian = "/usr/bin/python3.11"
    usable = Path(debian).is_file() and Path("/usr/include/python3.11/Python.h").is_file()
    found.append(("debian12-3.11", 11, debian if usable else "", "no Debian python3.11 with its headers"))
    params = []
    for name, minor, python, why in found:
        marks = [] if python or IN_CI else [pytest.mark.skip(reason=why)]
        params.append(pytest.param(Python(name, minor, python), id=name, marks=marks))
    return params


SID_PYTHONS = [pytest.param(f"3.{v.split('.')[1]}", id=f"sid-{v}") for v in WITH_HEADERS]


@pytest.fixture(scope="session")
def sid(wheelhouse, zig) -> SidRoot:
    """The sid root, seeing zlig's wheelhouse, the build requirements' wheels, the test
    venv's zig and zig's global cache (warm); zlig's user cache in the root is new each
    session, as the suite's own is (conftest.frontend_env)."""
    root = sid_root()
    shutil.rmtree(root.root / "root" / ".cache" / "zlig", ignore_errors=True)
    houses = [build_wheels_for(int(v.split(".")[1])) for v in WITH_HEADERS]
    return root.sharing(wheelhouse, *houses, zig.parent, zig_global_cache(base_env()))


def sid_python(sid: SidRoot, version: str) -> Python:
    return Python(f"sid-{version}", int(version.split(".")[1]), sid.python(version), sid)


def build_env(python: Python, frontend_env: dict[str, str], wheelhouse: Path, zig: Path) -> dict[str, str]:
    """What isolated pip builds need, with no index: zlig's wheel, the build requirements'
    wheels for this interpreter, the test venv's zig (so that no ziglang is installed) and
    zig's warm global cache. Here, the suite's frontend environment; in the root, its user
    cache is the root's."""
    houses = f"{wheelhouse.resolve()} {build_wheels_for(python.minor).resolve()}"
    if not python.sid:
        return dict(frontend_env, PIP_FIND_LINKS=houses)
    return {
        "PIP_FIND_LINKS": houses,
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "ZLIG_ZIG": str(zig.resolve()),
        "ZLIG_REUSE_TOOLS": "0",
        "ZIG_GLOBAL_CACHE_DIR": str(zig_global_cache(base_env()).resolve()),
    }


# ---------------------------------------------------------------------------- every example


# Imports each module named on the command line; prints how many.
IMPORT_ALL = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)\nprint(len(sys.argv) - 1)"


def importable(wheel: Path) -> list[str]:
    """The packages, modules and extension modules a wheel installs, by dotted name."""
    names = []
    for entry in zipfile.ZipFile(wheel).namelist():
        top = entry.split("/")[0]
        if top.endswith((".dist-info", ".data", ".libs")):
            continue
        if entry.endswith("/__init__.py"):
            names.append(entry[: -len("/__init__.py")].replace("/", "."))
        elif "/" not in entry and entry.endswith(".py"):
            names.append(entry[: -len(".py")])
        elif re.search(r"\.(cpython-\d+[a-z]*-[\w-]+|abi3)\.so$", entry):
            names.append(entry.split(".")[0].replace("/", "."))
    return sorted(set(names))


def build_and_import_every_example(python: Python, env: dict, tmp: Path) -> None:
    projects = [copy_project(p.name, tmp / "src") for p in sorted(EXAMPLES.iterdir()) if (p / "pyproject.toml").is_file()]
    extlib = tmp / "src" / "extlib"
    build_dep(extlib, "lib")
    out = tmp / "out"
    python.run([*python.pip, "wheel", "--no-deps", "-w", out, *projects], env)
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == len(projects), [w.name for w in wheels]
    venv = python.venv(tmp / "venv")
    # examples/numpy_capi needs numpy at run time (examples/pure's dependencies are not
    # imported).
    python.run([*python.pip, "--python", venv, "install", "--no-deps", *wheels, "numpy"], env)
    modules = sorted({m for wheel in wheels for m in importable(wheel)})
    assert "demo.demo" in modules and "cydemo.vectors" in modules, modules
    imported = python.run([venv, "-c", IMPORT_ALL, *modules], python.env(LD_LIBRARY_PATH=str(extlib / "lib")))
    assert imported.stdout.strip().splitlines()[-1] == str(len(modules)), imported.stdout


@pytest.mark.parametrize("python", host_pythons())
def test_every_example_builds_with_isolated_pip_and_imports_on_this_machines_cpythons(python, frontend_env, wheelhouse, zig, tmp_path):
    if not python.python:
        pytest.fail(f"{python.name}: CI's machine must have this interpreter (its image does)")
    build_and_import_every_example(python, build_env(python, frontend_env, wheelhouse, zig), tmp_path)


@pytest.mark.parametrize("version", SID_PYTHONS)
def test_every_example_builds_with_isolated_pip_and_imports_on_debian_sid(version, sid, frontend_env, wheelhouse, zig, tmp_path):
    python = sid_python(sid, version)
    build_and_import_every_example(python, build_env(python, frontend_env, wheelhouse, zig), tmp_path)
