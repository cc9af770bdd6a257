"""examples/wheel_root: files that install outside the package. A `.pth` file at the wheel's
root (`force-include`) runs at interpreter start-up once pip installed it; a script from
the wheel's `.data` folder lands in the venv's `bin/` with its mode and the venv's
interpreter; headers and data go to their schemes; the project's own SBOM goes to
`.dist-info/sboms/`. The editable wheel and the sdist carry the same files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from buildtools import call_hook
from conftest import copy_project
from helpers import run, sdist_names, wheel_names

DATA = "wheel_root-0.1.0.data"
INFO = "wheel_root-0.1.0.dist-info"


@pytest.fixture(scope="module")
def wheel_root(frontend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel-root")
    return frontend.build(copy_project("wheel_root", tmp), tmp / "out")


@pytest.fixture(scope="module")
def installed(frontend, venvs, tmp_path_factory):
    """examples/wheel_root installed by `pip install` into a fresh venv."""
    tmp = tmp_path_factory.mktemp("wheel-root-pip")
    venv = venvs.create("wheel-root-venv")
    frontend.pip_install(copy_project("wheel_root", tmp), venv.python)
    return venv


def test_the_wheel_holds_the_files_outside_the_package(wheel_root):
    assert wheel_names(wheel_root.wheel) == [
        f"{DATA}/data/share/wheel-root/message.txt",
        f"{DATA}/headers/wheel_root.h",
        f"{DATA}/scripts/wheel-root-hello",
        "wheel_root/__init__.py",
        "wheel_root_startup.pth",
        f"{INFO}/METADATA",
        f"{INFO}/WHEEL",
        f"{INFO}/sboms/wheel-root.cdx.json",
        f"{INFO}/RECORD",
    ]


def test_the_sdist_carries_them_too(wheel_root):
    names = sdist_names(wheel_root.sdist)
    for name in (
        "extra/wheel_root_startup.pth",
        "bin/wheel-root-hello",
        "include/wheel_root.h",
        "data/share/wheel-root/message.txt",
        "sbom/wheel-root.cdx.json",
    ):
        assert name in names, names


def test_the_pth_file_runs_at_interpreter_start_up(installed):
    assert installed.run("import os; print(os.environ.get('WHEEL_ROOT_STARTED'))") == "yes"


def test_the_script_lands_in_bin_with_its_mode_and_the_venv_s_python(installed):
    script = installed.bin("wheel-root-hello")
    assert script.stat().st_mode & stat.S_IXUSR, oct(script.stat().st_mode)
    shebang = script.read_text().splitlines()[0]
    assert shebang.startswith(f"#!{installed.path}/bin/python"), shebang
    assert run([script], env=installed.env).stdout.strip() == "hello from wheel-root"


def test_headers_and_data_go_to_their_schemes(installed):
    headers = list(Path(installed.path / "include").rglob("wheel_root.h"))
    assert len(headers) == 1, f"no wheel_root.h under {installed.path}/include"
    assert (installed.path / "share" / "wheel-root" / "message.txt").read_text() == "data from wheel-root\n"


def test_the_editable_wheel_carries_them_too(zlig_venv, frontend_env, tmp_path):
    project = copy_project("wheel_root", tmp_path)
    editable = call_hook(zlig_venv, "build_editable", project, tmp_path / "out", frontend_env)
    names = wheel_names(editable.path)
    for name in ("wheel_root_startup.pth", f"{DATA}/scripts/wheel-root-hello", f"{DATA}/headers/wheel_root.h"):
        assert name in names, names
