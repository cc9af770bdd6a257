"""Headers from Python packages: examples/numpy_capi (numpy's C API) and
examples/pybind11_ext (pybind11) name `include-dirs = [{ package = ... }]`; frontends build
them in isolated environments that install the package from `build-system.requires`, and
the modules work. The headers are copied into the build dir, so that a second isolated
build, in a new environment at a new path, compiles nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project
from helpers import EXT_SUFFIX, MANYLINUX_TAG, sdist_names, wheel_names, wheel_tag

NUMPY_CHECK = "import numpy, npdemo; print(npdemo.scaled_sum(numpy.arange(5.0), 2.0), npdemo._npdemo.__file__)"
PYBIND11_CHECK = (
    "import pbdemo\n"
    "c = pbdemo.Counter('n'); c.add([1, 2, 3])\n"
    "try:\n"
    "    pbdemo.checked_div(1, 0)\n"
    "except ValueError as e:\n"
    "    error = str(e)\n"
    "print(pbdemo.add(2, 3), c.total, pbdemo.checked_div(1, 4), error, pbdemo._pbdemo.__file__, sep='|')"
)


def numpy_wheel(build_wheels: Path) -> Path:
    (wheel,) = build_wheels.glob("numpy-*.whl")
    return wheel


@pytest.mark.parametrize("frontend_name", ["pip_wheel", "build", "uv_build"])
def test_a_numpy_c_api_extension_builds_against_the_build_envs_numpy(frontend_name, frontend, venvs, build_wheels, tmp_path):
    project = copy_project("numpy_capi", tmp_path)
    built = getattr(frontend, frontend_name)(project, tmp_path / "out")
    assert sorted(n for n in wheel_names(built.wheel) if ".dist-info/" not in n) == [
        "npdemo/__init__.py",
        f"npdemo/_npdemo{EXT_SUFFIX}",
    ]
    assert wheel_tag(built.wheel)[2] == MANYLINUX_TAG
    venv = venvs.with_wheels(built.wheel, numpy_wheel(build_wheels))
    total, file = venv.run(NUMPY_CHECK, cwd=venv.path.parent).split()
    assert total == "20.0"
    assert file.endswith(f"_npdemo{EXT_SUFFIX}")
    if built.sdist is not None:
        # numpy's headers belong to numpy: the sdist holds the project's files only.
        assert sdist_names(built.sdist) == [
            "PKG-INFO", "README.md", "pyproject.toml", "src/npdemo/__init__.py", "src/npdemo/_npdemo.c",
        ]


@pytest.mark.parametrize("frontend_name", ["pip_wheel", "uv_build"])
def test_a_pybind11_extension_builds_with_the_build_envs_pybind11(frontend_name, frontend, venvs, tmp_path):
    project = copy_project("pybind11_ext", tmp_path)
    built = getattr(frontend, frontend_name)(project, tmp_path / "out")
    assert wheel_tag(built.wheel)[2] == MANYLINUX_TAG
    venv = venvs.with_wheels(built.wheel)
    added, total, quotient, error, file = venv.run(PYBIND11_CHECK, cwd=venv.path.parent).split("|")
    assert (added, total, quotient) == ("5", "6", "0.25")
    assert error == "division by zero"
    assert file.endswith(f"_pbdemo{EXT_SUFFIX}")


def test_a_new_isolated_build_reuses_the_copied_headers_and_compiles_nothing(frontend, tmp_path):
    project = copy_project("numpy_capi", tmp_path)
    frontend.pip_wheel(project, tmp_path / "1")
    (copy,) = project.glob("build/zlig/*/include/numpy-*")
    assert (copy / "numpy" / "arrayobject.h").is_file()

    def objects() -> dict[Path, int]:
        found = [*project.glob("build/zlig/*/*/zig-cache/o/*/*.o"), *project.glob("build/zlig/*/*/obj/**/*.o")]
        return {p: p.stat().st_mtime_ns for p in found}

    before = objects()
    assert before
    frontend.pip_wheel(project, tmp_path / "2")
    assert list(project.glob("build/zlig/*/include/numpy-*")) == [copy]
    assert objects() == before, "nothing compiled again"
