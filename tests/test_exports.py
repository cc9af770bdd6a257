"""examples/exports: `export-symbols` exports a C function besides the init function, and
ctypes calls it; `export-symbols = "all"` exports every global symbol, read from the ELF
dynamic symbol table, but not zig's C++ runtime."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from buildtools import call_hook, exported_symbols, extract
from conftest import copy_project
from helpers import EXT_SUFFIX

MODULE = f"exports/_native{EXT_SUFFIX}"


@pytest.fixture(scope="module")
def listed(zlig_venv, frontend_env, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("exports-list")
    return call_hook(zlig_venv, "build_wheel", copy_project("exports", tmp), tmp / "out", frontend_env).path


@pytest.fixture(scope="module")
def everything(zlig_venv, frontend_env, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("exports-all")
    project = copy_project("exports", tmp)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('export-symbols = ["exports_add"]', 'export-symbols = "all"'))
    return call_hook(zlig_venv, "build_wheel", project, tmp / "out", frontend_env).path


def test_a_listed_symbol_is_called_through_ctypes(listed, venvs):
    venv = venvs.with_wheels(listed, name="exports-venv")
    code = (
        "import ctypes, exports, exports._native as m\n"
        "lib = ctypes.CDLL(m.__file__)\n"
        "lib.exports_add.restype = ctypes.c_long\n"
        "lib.exports_add.argtypes = (ctypes.c_long, ctypes.c_long)\n"
        "print(lib.exports_add(40, 2), exports.add(1, 2), hasattr(lib, 'exports_helper'))\n"
    )
    assert venv.run(code) == "42 3 False"


def test_the_list_exports_the_init_function_and_the_listed_names_only(listed, tmp_path):
    assert exported_symbols(extract(listed, MODULE, tmp_path)) == {"PyInit__native", "exports_add"}


def test_all_exports_every_global_symbol_that_the_list_leaves_hidden(listed, everything, tmp_path):
    some = exported_symbols(extract(listed, MODULE, tmp_path / "list"))
    every = exported_symbols(extract(everything, MODULE, tmp_path / "all"))
    assert some < every
    assert every - some == {"exports_helper"}


def test_all_still_hides_the_cxx_runtime_of_a_cxx_module(zlig_venv, frontend_env, tmp_path):
    project = copy_project("cxx_exception", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'export-symbols = "all"\n')
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env).path
    symbols = exported_symbols(extract(wheel, f"cxx_exception/_core{EXT_SUFFIX}", tmp_path))
    assert "PyInit__core" in symbols and "cxx_exception_check" in symbols, symbols
    runtime = {s for s in symbols if re.match(r"_ZN?K?St|_Zn[wa]|_Zd[la]|__cxa_|_Unwind_", s)}
    assert runtime == set(), runtime
