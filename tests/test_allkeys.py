"""examples/allkeys: every key of `[[tool.zlig.extensions]]`, each with an effect seen from
Python or in the built module.

The wheel is built from the unpacked sdist (as `python -m build` does), so that the sdist
is shown to carry what the build needs (the `depends` header among it), with `CFLAGS` and
`CPPFLAGS` in the build's environment.
"""

from __future__ import annotations

import ast
import tarfile

import pytest

from buildtools import call_hook, dynamic_tags, extract
from conftest import copy_project
from helpers import ARCH, EXT_SUFFIX, MANYLINUX_TAG, sdist_names, warning_lines, wheel_names, wheel_tag

CFLAGS = "-DFROM_CFLAGS=5 -DFROM_EXTRA=1"  # extra-compile-args come after: FROM_EXTRA stays 7
CPPFLAGS = "-DFROM_CPPFLAGS=3"


class AllKeys:
    def __init__(self, sdist, wheel, output, venv, report):
        self.sdist = sdist
        self.wheel = wheel
        self.output = output
        self.venv = venv
        self.report = report


@pytest.fixture(scope="module")
def allkeys(zlig_venv, venvs, frontend_env, tmp_path_factory) -> AllKeys:
    tmp = tmp_path_factory.mktemp("allkeys")
    checkout = copy_project("allkeys", tmp)
    sdist = call_hook(zlig_venv, "build_sdist", checkout, tmp / "sdist", frontend_env).path
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    env = dict(frontend_env, CFLAGS=CFLAGS, CPPFLAGS=CPPFLAGS)
    wheel = call_hook(zlig_venv, "build_wheel", unpacked, tmp / "wheel", env)
    venv = venvs.with_wheels(wheel.path, name="allkeys-venv")
    report = ast.literal_eval(venv.run("import allkeys; print(allkeys.report())"))
    return AllKeys(sdist, wheel.path, wheel.output, venv, report)


def test_allkeys_wheel_file_list_is_exact(allkeys):
    assert wheel_names(allkeys.wheel) == [
        "allkeys/__init__.py",
        f"allkeys/_keys{EXT_SUFFIX}",
        f"allkeys/_linked_as_cxx{EXT_SUFFIX}",
        "allkeys-0.1.0.dist-info/METADATA",
        "allkeys-0.1.0.dist-info/WHEEL",
        "allkeys-0.1.0.dist-info/sboms/zlig.cdx.json",
        "allkeys-0.1.0.dist-info/RECORD",
    ]
    assert wheel_tag(allkeys.wheel)[2] == MANYLINUX_TAG


def test_allkeys_sdist_carries_depends_include_dirs_and_every_when_source(allkeys):
    assert sdist_names(allkeys.sdist) == [
        "PKG-INFO",
        "README.md",
        "csrc/broken_optional.c",
        "csrc/demangle.c",
        "csrc/keys.c",
        "csrc/tables.h",  # depends: in no include dir and no package
        "csrc/windows_only.c",  # a `when` entry whose marker is false here
        "csrc/x86_64_only.c",
        "include/allkeys_config.h",  # include-dirs
        "pyproject.toml",
        "src/allkeys/__init__.py",
    ]


def test_define_macros_flag_value_empty_and_string(allkeys):
    report = allkeys.report
    assert (report["FLAG"], report["NUMBER"], report["EMPTY"], report["VERSION"]) == ("1", 7, "", "1.2")


def test_undef_macros_win_over_define_macros(allkeys):
    assert "DROPPED" not in allkeys.report


def test_include_dirs_and_depends_header_are_found(allkeys):
    assert allkeys.report["FROM_INCLUDE_DIR"] == 11
    assert allkeys.report["FROM_DEPENDS_HEADER"] == 13


def test_extra_compile_args_come_after_cflags(allkeys):
    assert allkeys.report["FROM_EXTRA"] == 7


def test_cflags_and_cppflags_from_the_environment_reach_the_compiler(allkeys):
    assert allkeys.report["FROM_CFLAGS"] == 5
    assert allkeys.report["FROM_CPPFLAGS"] == 3


def test_release_build_defines_ndebug(allkeys):
    assert allkeys.report["NDEBUG"] == "1"


@pytest.mark.skipif(ARCH != "x86_64", reason="the example's `when` marker names x86_64")
def test_when_entry_with_true_marker_adds_its_source_and_macro(allkeys):
    assert allkeys.report["when_source"] == "x86_64_only.c"


def test_when_entry_with_false_marker_is_not_compiled(allkeys):
    assert "ON_WINDOWS" not in allkeys.report
    assert "windows_only.c" not in allkeys.output


def test_libraries_link_libm(allkeys, tmp_path):
    code = "import allkeys; print(round(allkeys.cube_root(27.0), 9), allkeys.cube_root(-8.0))"
    assert allkeys.venv.run(code) == "3.0 -2.0"
    module = extract(allkeys.wheel, f"allkeys/_keys{EXT_SUFFIX}", tmp_path)
    assert "libm.so.6" in dynamic_tags(module).get("DT_NEEDED", [])


def test_extra_link_args_rpath_reaches_the_module(allkeys, tmp_path):
    module = extract(allkeys.wheel, f"allkeys/_keys{EXT_SUFFIX}", tmp_path)
    tags = dynamic_tags(module)
    assert tags.get("DT_RUNPATH", tags.get("DT_RPATH")) == ["$ORIGIN/allkeys.libs"]


def test_export_symbols_exports_a_function_for_ctypes(allkeys):
    code = (
        "import ctypes, allkeys._keys as m\n"
        "f = ctypes.CDLL(m.__file__).allkeys_exported\n"
        "f.restype = ctypes.c_long\n"
        "f.argtypes = (ctypes.c_long,)\n"
        "print(f(6))\n"
    )
    assert allkeys.venv.run(code) == "42"


def test_language_cxx_links_c_sources_with_the_cxx_runtime(allkeys):
    # __cxa_demangle is libc++abi's: the C source links only because the module is C++.
    assert allkeys.venv.run("import allkeys; print(allkeys.demangle('_ZN3zlg5buildEPKci'))") == "zlg::build(char const*, int)"


def test_optional_extension_that_fails_is_left_out_with_a_warning(allkeys):
    assert warning_lines(allkeys.output) == [
        "zlig: warning: the optional extension allkeys._optional failed to build and is left out of the wheel:"
    ]
    # The compiler's own diagnostic is shown.
    assert "broken_optional.c:5:" in allkeys.output and "error:" in allkeys.output
    assert not [n for n in wheel_names(allkeys.wheel) if "_optional" in n]
    assert allkeys.venv.run("import allkeys; print(allkeys._optional)") == "None"
