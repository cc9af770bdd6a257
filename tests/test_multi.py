"""examples/multi: a flat layout with two packages, a module, a top-level extension, and an
extension in a package built from two C files with include dirs and macros."""

from __future__ import annotations

import pytest

from helpers import EXT_SUFFIX, wheel_names


@pytest.fixture(scope="module")
def multi_venv(multi_build, venvs):
    return venvs.with_wheels(multi_build.wheel, name="multi-venv")


def test_multi_wheel_file_list_is_exact(multi_build):
    assert wheel_names(multi_build.wheel) == [
        f"_speedups{EXT_SUFFIX}",
        "alpha/__init__.py",
        f"alpha/_native{EXT_SUFFIX}",
        "beta/__init__.py",
        "beta/data.txt",
        "beta/sub/__init__.py",
        "gamma.py",
        "multi-1.2.0.dist-info/METADATA",
        "multi-1.2.0.dist-info/WHEEL",
        "multi-1.2.0.dist-info/licenses/LICENSE",
        "multi-1.2.0.dist-info/sboms/zlig.cdx.json",
        "multi-1.2.0.dist-info/RECORD",
    ]


def test_multi_top_level_extension_imports(multi_venv):
    code = "import _speedups; print(_speedups.fib(10), _speedups.__file__.rsplit('/', 1)[-1])"
    assert multi_venv.run(code) == f"55 _speedups{EXT_SUFFIX}"


def test_multi_string_define_macro_reaches_the_compiler(multi_venv):
    assert multi_venv.run("import alpha; print(repr(alpha.greeting()))") == "'hi'"


def test_multi_flag_and_valued_define_macros_reach_the_compiler(multi_venv):
    assert multi_venv.run("import alpha; print(alpha.feature(), alpha.level())") == "True 3"


def test_multi_undef_macro_wins_over_define_macro(multi_venv):
    assert multi_venv.run("import alpha; print(alpha.dropped())") == "False"


def test_multi_two_c_files_link_into_one_extension(multi_venv):
    # shout() is in alpha/_native.c and calls greet_upper() from csrc/greet.c, whose
    # header is found through include-dirs.
    assert multi_venv.run("import alpha; print(alpha.shout('abc'))") == "ABC"


def test_multi_module_and_package_data_are_shipped(multi_venv):
    code = "import beta, beta.sub, gamma; print(gamma.fib10(), beta.data(), beta.sub.VALUE)"
    assert multi_venv.run(code) == "55 beta data 42"
