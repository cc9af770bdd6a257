"""A catalogue of bad inputs: each one fails with one message that names the key, what
was expected and, where the mistake has a place, `pyproject.toml:LINE:COL`; no traceback,
no panic, and nothing in the output folder.

Each case is a small project (`src/pkg/__init__.py`, `src/pkg/fast.c`) with one mistake,
built by calling a hook in the `zlig_venv` (tens of milliseconds when the mistake is in
pyproject.toml); a few go through `pip wheel` as well, for the frontend's view.

Each case holds the message in full, as the user reads it, so that a change of wording is
a change of this file (what differs between runs is named: `[TMP]` for the test's
temporary folder, and the others `helpers.scrubbed` lists).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from helpers import CACHE, error_message, expected, run, scrubbed, without_zig_on_path

# ---------------------------------------------------------------------------- projects

BUILD_SYSTEM = '[build-system]\nrequires = ["zlig"]\nbuild-backend = "zlig"\n'
PROJECT = '[project]\nname = "pkg"\nversion = "1.0"\n'
EXTENSION = '[[tool.zlig.extensions]]\nname = "pkg.fast"\nsources = ["src/pkg/fast.c"]\n'

FAST_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef fast_module = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, NULL};

PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&fast_module); }
"""
BROKEN_LINE = "static int broken(void) { return 1 }"
NEXT_PY_TAG = f"cp3{sys.version_info[1] + 1}"


def toml(*sections: str) -> str:
    """A pyproject.toml: the build-system table, then the sections, a blank line apart."""
    return "\n".join((BUILD_SYSTEM, *sections))


def extension(*lines: str, name: str = "pkg.fast", sources: str = '["src/pkg/fast.c"]') -> str:
    return "\n".join(["[[tool.zlig.extensions]]", f'name = "{name}"', f"sources = {sources}", *lines, ""])


@dataclasses.dataclass
class Case:
    id: str
    pyproject: str
    message: str  # the whole message, from `zlig: error:` on
    files: dict = dataclasses.field(default_factory=dict)  # extra files: path → str or bytes
    setup: Callable[[Path, Path], dict] | None = None  # (project, tmp) → env changes
    config: dict = dataclasses.field(default_factory=dict)
    hook: str = "build_wheel"
    bug: str | None = None  # a known backend bug: the case is a strict xfail

    def __post_init__(self):
        self.message = expected(self.message)


def outside_file(name: str, text: str = "int evil;\n"):
    """A setup that makes `src/pkg/<name>` a symlink to a file outside the project."""

    def setup(project: Path, tmp: Path) -> dict:
        outside = tmp / "outside"
        outside.mkdir(exist_ok=True)
        (outside / name).write_text(text)
        (project / "src" / "pkg" / name).symlink_to(outside / name)
        return {}

    return setup


def linked_outside(relative: str):
    """A setup that makes `relative` (in the project) a symlink to a file outside it."""

    def setup(project: Path, tmp: Path) -> dict:
        outside = tmp / "outside"
        outside.mkdir(exist_ok=True)
        (outside / "target").write_text("import os\n")
        link = project / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(outside / "target")
        return {}

    return setup


def zig_env(zig: str | None):
    """A setup that gives the build `ZLIG_ZIG=zig` (or none) and a PATH without zig."""

    def setup(project: Path, tmp: Path) -> dict:
        return {"ZLIG_ZIG": zig, "PATH": without_zig_on_path(os.environ.get("PATH", ""))}

    return setup


def old_zig(project: Path, tmp: Path) -> dict:
    """A fake `zig` that says it is 0.13.0."""
    fake = tmp / "old-zig" / "zig"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "0.13.0"\n')
    fake.chmod(0o755)
    return zig_env(str(fake))(project, tmp)


def broken_source(project: Path, tmp: Path) -> dict:
    (project / "src" / "pkg" / "fast.c").write_text(FAST_C + BROKEN_LINE + "\n")
    return {}


BROKEN_LINE_NO = FAST_C.count("\n") + 1

# A Cython for the hooks (the `cython_path` fixture makes it): the zlig venv has none.
CYTHON_PATH = CACHE / "cython-path"
PYX_EXTENSION = extension(sources='["src/pkg/fast.pyx"]')


def with_cython(pyx: str | None = "def triple(int x):\n    return 3 * x\n"):
    """A setup that writes `src/pkg/fast.pyx` and makes Cython importable for the hook."""

    def setup(project: Path, tmp: Path) -> dict:
        if pyx is not None:
            (project / "src" / "pkg" / "fast.pyx").write_text(pyx)
        return {"PYTHONPATH": str(CYTHON_PATH)}

    return setup


def fifo(relative: str):
    """A setup that makes `relative` (in the project) a FIFO, which a read would wait on."""

    def setup(project: Path, tmp: Path) -> dict:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.mkfifo(path)
        return {}

    return setup


VERSION_H = '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+)"\'\n'
FORCE_X = '[tool.zlig.wheel]\nforce-include = {{ "extra/x.py" = "{}" }}\n'


CASES = [
    # ------------------------------------------------------------------ TOML and types
    Case(
        "malformed_toml_unterminated_string",
        toml(PROJECT + 'description = "unterminated\n'),
        message="""
            zlig: error: pyproject.toml:8:28: invalid TOML: invalid basic string, expected `"`
              |
            8 | description = "unterminated
              |                            ^
        """,
    ),
    Case(
        "malformed_toml_duplicate_key",
        toml(PROJECT + 'name = "pkg"\n'),
        message="""
            zlig: error: pyproject.toml:8:1: invalid TOML: duplicate key
              |
            8 | name = "pkg"
              | ^^^^
        """,
    ),
    Case(
        "pyproject_not_utf8",
        toml(PROJECT + 'description = "caf\udce9"\n'),
        message="""
            zlig: error: reading [TMP]/project/pyproject.toml: stream did not contain valid UTF-8
        """,
    ),
    Case(
        "sources_is_a_string_not_a_list",
        toml(PROJECT, extension(sources='"src/pkg/fast.c"')),
        message="""
            zlig: error: pyproject.toml:11:11: `tool.zlig.extensions[0].sources`: expected an array of strings, found a string
               |
            11 | sources = "src/pkg/fast.c"
               |           ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "extension_name_is_a_list_not_a_string",
        toml(PROJECT, '[[tool.zlig.extensions]]\nname = ["pkg.fast"]\nsources = ["src/pkg/fast.c"]\n'),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.extensions[0].name`: expected a string, found an array
               |
            10 | name = ["pkg.fast"]
               |        ^^^^^^^^^^^^
        """,
    ),
    Case(
        "project_name_is_an_integer",
        toml('[project]\nname = 42\nversion = "1.0"\n'),
        message="""
            zlig: error: pyproject.toml:6:8: `project.name`: expected a string, found an integer
              |
            6 | name = 42
              |        ^^
        """,
    ),
    Case(
        "description_is_a_table_not_a_string",
        toml(PROJECT + 'description = {text = "x"}\n'),
        message="""
            zlig: error: pyproject.toml:8:15: `project.description`: expected a string, found a table
              |
            8 | description = {text = "x"}
              |               ^^^^^^^^^^^^
        """,
    ),
    Case(
        "extensions_is_a_table_not_an_array",
        toml(PROJECT, '[tool.zlig]\nextensions = {name = "pkg.fast", sources = ["src/pkg/fast.c"]}\n'),
        message="""
            zlig: error: pyproject.toml:10:14: `tool.zlig.extensions`: expected an array of tables, found a table
               |
            10 | extensions = {name = "pkg.fast", sources = ["src/pkg/fast.c"]}
               |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "optional_is_a_string_not_a_boolean",
        toml(PROJECT, extension('optional = "yes"')),
        message="""
            zlig: error: pyproject.toml:12:12: `tool.zlig.extensions[0].optional`: expected a boolean, found a string
               |
            12 | optional = "yes"
               |            ^^^^^
        """,
    ),
    Case(
        "authors_is_a_string_not_an_array",
        toml(PROJECT + 'authors = "me"\n'),
        message="""
            zlig: error: pyproject.toml:8:11: `project.authors`: expected an array of tables, found a string
              |
            8 | authors = "me"
              |           ^^^^
        """,
    ),
    Case(
        "urls_is_an_array_not_a_table",
        toml(PROJECT + 'urls = ["https://example.org"]\n'),
        message="""
            zlig: error: pyproject.toml:8:8: `project.urls`: expected a table, found an array
              |
            8 | urls = ["https://example.org"]
              |        ^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "tool_zlig_is_a_string_not_a_table",
        toml(PROJECT, '[tool]\nzlig = "yes"\n'),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig`: expected a table, found a string
               |
            10 | zlig = "yes"
               |        ^^^^^
        """,
    ),
    Case(
        "build_dir_is_an_integer",
        toml(PROJECT, "[tool.zlig]\nbuild-dir = 3\n"),
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: expected a string, found an integer
               |
            10 | build-dir = 3
               |             ^
        """,
    ),
    # ------------------------------------------------------------------ unknown keys
    Case(
        "unknown_tool_zlig_key",
        toml(PROJECT, '[tool.zlig]\noptimze = "Debug"\n'),
        message="""
            zlig: error: pyproject.toml:10:1: `tool.zlig.optimze`: unknown key; did you mean `optimize`?
               |
            10 | optimze = "Debug"
               | ^^^^^^^
        """,
    ),
    Case(
        "unknown_extension_key_with_underscore",
        toml(PROJECT, extension('include_dirs = ["src"]')),
        message="""
            zlig: error: pyproject.toml:12:1: `tool.zlig.extensions[0].include_dirs`: unknown key; did you mean `include-dirs`?
               |
            12 | include_dirs = ["src"]
               | ^^^^^^^^^^^^
        """,
    ),
    Case(
        "unknown_project_key",
        toml(PROJECT + 'dependecies = ["attrs"]\n'),
        message="""
            zlig: error: pyproject.toml:8:1: `project.dependecies`: unknown key; did you mean `dependencies`?
              |
            8 | dependecies = ["attrs"]
              | ^^^^^^^^^^^
        """,
    ),
    # ------------------------------------------------------------------ [project]
    Case(
        "missing_project_table",
        toml('[tool.zlig]\npackages = ["pkg"]\n'),
        message="""
            zlig: error: pyproject.toml: missing `[project]` table (PEP 621): zlig reads name and version from it
        """,
    ),
    Case(
        "missing_project_name",
        toml('[project]\nversion = "1.0"\n'),
        message="""
            zlig: error: pyproject.toml:5:1: `project`: missing required key `name`
              |
            5 | [project]
              | ^^^^^^^^^
        """,
    ),
    Case(
        "missing_version_without_dynamic",
        toml('[project]\nname = "pkg"\n'),
        message="""
            zlig: error: pyproject.toml:5:1: `project`: missing required key `version` (give it, or list it in `dynamic` to read `__version__`)
              |
            5 | [project]
              | ^^^^^^^^^
        """,
    ),
    Case(
        "invalid_pep440_version",
        toml('[project]\nname = "pkg"\nversion = "1.0-banana"\n'),
        message="""
            zlig: error: pyproject.toml:7:11: `project.version`: not a valid PEP 440 version: after parsing `1.0-b`, found `anana`, which is not part of a valid version
              |
            7 | version = "1.0-banana"
              |           ^^^^^^^^^^^^
        """,
    ),
    Case(
        "invalid_project_name",
        toml('[project]\nname = "-pkg-"\nversion = "1.0"\n', '[tool.zlig]\npackages = ["pkg"]\n'),
        message="""
            zlig: error: pyproject.toml:6:8: `project.name`: not a valid project name: use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit
              |
            6 | name = "-pkg-"
              |        ^^^^^^^
        """,
    ),
    Case(
        "invalid_project_name_without_its_package",
        toml('[project]\nname = "-pkg-"\nversion = "1.0"\n'),
        message="""
            zlig: error: pyproject.toml:6:8: `project.name`: not a valid project name: use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit
              |
            6 | name = "-pkg-"
              |        ^^^^^^^
        """,
    ),
    Case(
        "invalid_pep508_dependency",
        toml(PROJECT + 'dependencies = ["attrs", "requests >>= 2"]\n'),
        message="""
            zlig: error: pyproject.toml:8:26: `project.dependencies[1]`: not a valid PEP 508 requirement: no such comparison operator ">>=", must be one of ~= == != <= >= < > ===
              |
            8 | dependencies = ["attrs", "requests >>= 2"]
              |                          ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "invalid_pep508_optional_dependency",
        toml(PROJECT, '[project.optional-dependencies]\ntest = ["pytest["]\n'),
        message="""
            zlig: error: pyproject.toml:10:9: `project.optional-dependencies.test[0]`: not a valid PEP 508 requirement: Missing closing bracket (expected ']', found end of dependency specification)
               |
            10 | test = ["pytest["]
               |         ^^^^^^^^^
        """,
    ),
    Case(
        "invalid_extra_name",
        toml(PROJECT, '[project.optional-dependencies]\n"bad extra!" = ["attrs"]\n'),
        message="""
            zlig: error: pyproject.toml:10:16: `project.optional-dependencies."bad extra!"`: not a valid extra name
               |
            10 | "bad extra!" = ["attrs"]
               |                ^^^^^^^^^
        """,
    ),
    Case(
        "invalid_spdx_license",
        toml(PROJECT + 'license = "MIT-ish"\n'),
        message="""
            zlig: error: pyproject.toml:8:11: `project.license`: not a valid SPDX license expression: unknown term
              |
            8 | license = "MIT-ish"
              |           ^^^^^^^^^
        """,
    ),
    # The parser's own rendering (the value on a line of its own, then a pointer line of
    # blanks) is left out: zlig's snippet shows the place.
    Case(
        "invalid_requires_python",
        toml(PROJECT + 'requires-python = ">=3.9,,"\n'),
        message="""
            zlig: error: pyproject.toml:8:19: `project.requires-python`: not a valid PEP 440 version specifier: Failed to parse version: Unexpected end of version specifier, expected operator
              |
            8 | requires-python = ">=3.9,,"
              |                   ^^^^^^^^^
        """,
    ),
    Case(
        "missing_readme_file",
        toml(PROJECT + 'readme = "README.md"\n'),
        message="""
            zlig: error: pyproject.toml:8:10: `project.readme`: readme file `README.md` does not exist
              |
            8 | readme = "README.md"
              |          ^^^^^^^^^^^
        """,
    ),
    Case(
        "unknown_readme_type",
        toml(PROJECT + 'readme = "README.adoc"\n'),
        files={"README.adoc": "= pkg\n"},
        message="""
            zlig: error: pyproject.toml:8:10: `project.readme`: unknown readme type: use a `.md`, `.rst` or `.txt` file, or a table with `content-type`
              |
            8 | readme = "README.adoc"
              |          ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "readme_table_without_content_type",
        toml(PROJECT + 'readme = {file = "README.adoc"}\n'),
        files={"README.adoc": "= pkg\n"},
        message="""
            zlig: error: pyproject.toml:8:10: `project.readme`: missing `content-type`
              |
            8 | readme = {file = "README.adoc"}
              |          ^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "missing_license_file",
        toml(PROJECT + 'license = {file = "LICENSE.txt"}\n'),
        message="""
            zlig: error: pyproject.toml:8:19: `project.license.file`: license file `LICENSE.txt` does not exist
              |
            8 | license = {file = "LICENSE.txt"}
              |                   ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "license_files_glob_matches_nothing",
        toml(PROJECT + 'license-files = ["LICENSES/*.txt"]\n'),
        message="""
            zlig: error: pyproject.toml:8:18: `project.license-files[0]`: matches no file
              |
            8 | license-files = ["LICENSES/*.txt"]
              |                  ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "console_scripts_in_entry_points",
        toml(PROJECT, '[project.entry-points.console_scripts]\npkg = "pkg:main"\n'),
        message="""
            zlig: error: pyproject.toml:9:1: `project.entry-points.console_scripts`: use `[project.scripts]` instead of this entry-point group
              |
            9 | [project.entry-points.console_scripts]
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "script_reference_without_function",
        toml(PROJECT, '[project.scripts]\npkg = "pkg:"\n'),
        message="""
            zlig: error: pyproject.toml:10:7: `project.scripts.pkg`: expected an object reference such as `package.module:function`
               |
            10 | pkg = "pkg:"
               |       ^^^^^^
        """,
    ),
    Case(
        "dynamic_lists_an_unsupported_field",
        toml('[project]\nname = "pkg"\nversion = "1.0"\ndynamic = ["dependencies"]\n'),
        message="""
            zlig: error: pyproject.toml:8:12: `project.dynamic[0]`: zlig can read only `version` and `description` dynamically, not `dependencies`; give it in `[project]`
              |
            8 | dynamic = ["dependencies"]
              |            ^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "dynamic_version_without_dunder_version",
        toml('[project]\nname = "pkg"\ndynamic = ["version"]\n'),
        message="""
            zlig: error: src/pkg/__init__.py: `__version__`: `version` is dynamic, but there is no module-level `__version__ = "..."` assignment
        """,
    ),
    Case(
        "version_both_dynamic_and_given",
        toml('[project]\nname = "pkg"\nversion = "1.0"\ndynamic = ["version"]\n'),
        message="""
            zlig: error: pyproject.toml:7:11: `project.version`: `version` is listed in `dynamic` and also given
              |
            7 | version = "1.0"
              |           ^^^^^
        """,
    ),
    # ------------------------------------------------------------------ extensions
    Case(
        "invalid_extension_name",
        toml(PROJECT, extension(name="pkg.fast-mod")),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.extensions[0].name`: expected a dotted module name such as `pkg._speedups`
               |
            10 | name = "pkg.fast-mod"
               |        ^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "duplicate_extension_name",
        toml(PROJECT, EXTENSION, extension(sources='["src/pkg/*.c"]')),
        message="""
            zlig: error: pyproject.toml:14:8: `tool.zlig.extensions[1].name`: another extension has the same name
               |
            14 | name = "pkg.fast"
               |        ^^^^^^^^^^
        """,
    ),
    Case(
        "extension_clashes_with_py_module",
        toml(PROJECT, EXTENSION),
        files={"src/pkg/fast.py": ""},
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.extensions[0].name`: clashes with the Python module src/pkg/fast.py; rename one of them
               |
            10 | name = "pkg.fast"
               |        ^^^^^^^^^^
        """,
    ),
    Case(
        "extension_named_like_a_package",
        toml(
            '[project]\nname = "proj"\nversion = "1.0"\n',
            '[tool.zlig]\npackages = ["pkg"]\n',
            extension(name="pkg"),
        ),
        message="""
            zlig: error: pyproject.toml:13:8: `tool.zlig.extensions[0].name`: clashes with the package src/pkg; name the extension inside it, such as `pkg._pkg` (a folder beside a top-level extension of its name may hold only stubs, `py.typed` and data, no `.py` file)
               |
            13 | name = "pkg"
               |        ^^^^^
        """,
    ),
    Case(
        "extension_under_a_module",
        toml(PROJECT, '[tool.zlig]\npackages = ["pkg", "mod"]\n', extension(name="mod.fast")),
        files={"src/mod.py": ""},
        message="""
            zlig: error: pyproject.toml:13:8: `tool.zlig.extensions[0].name`: `mod` is a module (src/mod.py), not a package: an extension cannot live inside it
               |
            13 | name = "mod.fast"
               |        ^^^^^^^^^^
        """,
    ),
    Case(
        "extension_outside_shipped_packages",
        toml(PROJECT, extension(name="other.fast")),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.extensions[0].name`: the extension would live in package `other`, which is not one of the packages shipped; add it to `tool.zlig.packages`
               |
            10 | name = "other.fast"
               |        ^^^^^^^^^^^^
        """,
    ),
    Case(
        "sources_match_nothing",
        toml(PROJECT, extension(sources='["src/pkg/*.cpp"]')),
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: matches no file
               |
            11 | sources = ["src/pkg/*.cpp"]
               |            ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "sources_match_nothing_in_sdist",
        toml(PROJECT, extension(sources='["src/pkg/*.cpp"]')),
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: matches no file
               |
            11 | sources = ["src/pkg/*.cpp"]
               |            ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "sources_empty_list",
        toml(PROJECT, extension(sources="[]")),
        message="""
            zlig: error: pyproject.toml:11:11: `tool.zlig.extensions[0].sources`: expected at least one glob
               |
            11 | sources = []
               |           ^^
        """,
    ),
    Case(
        "header_listed_in_sources",
        toml(PROJECT, extension(sources='["src/pkg/fast.h", "src/pkg/fast.c"]')),
        files={"src/pkg/fast.h": ""},
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: `src/pkg/fast.h` is not a C (.c), C++ (.cc, .cpp, .cxx), Cython (.pyx, .py) or Zig (.zig) source; list headers in `depends`
               |
            11 | sources = ["src/pkg/fast.h", "src/pkg/fast.c"]
               |            ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "header_listed_in_second_source",
        toml(PROJECT, extension(sources='["src/pkg/fast.c", "src/pkg/fast.h"]')),
        files={"src/pkg/fast.h": ""},
        message="""
            zlig: error: pyproject.toml:11:30: `tool.zlig.extensions[0].sources[1]`: `src/pkg/fast.h` is not a C (.c), C++ (.cc, .cpp, .cxx), Cython (.pyx, .py) or Zig (.zig) source; list headers in `depends`
               |
            11 | sources = ["src/pkg/fast.c", "src/pkg/fast.h"]
               |                              ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "several_zig_roots",
        toml(PROJECT, extension(sources='["src/pkg/*.zig"]')),
        files={"src/pkg/a.zig": "", "src/pkg/b.zig": ""},
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: `src/pkg/b.zig` is a second .zig file; list only the root .zig file (other Zig files are reached through @import)
               |
            11 | sources = ["src/pkg/*.zig"]
               |            ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "missing_include_dir",
        toml(PROJECT, extension('include-dirs = ["include"]')),
        message="""
            zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: include directory `include` does not exist
               |
            12 | include-dirs = ["include"]
               |                 ^^^^^^^^^
        """,
    ),
    Case(
        "missing_library_dir",
        toml(PROJECT, extension('library-dirs = ["lib"]')),
        message="""
            zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].library-dirs[0]`: library directory `lib` does not exist
               |
            12 | library-dirs = ["lib"]
               |                 ^^^^^
        """,
    ),
    Case(
        "invalid_macro_name",
        toml(PROJECT, extension('define-macros = ["1BAD=2"]')),
        message="""
            zlig: error: pyproject.toml:12:18: `tool.zlig.extensions[0].define-macros[0]`: `1BAD` is not a valid C macro name
               |
            12 | define-macros = ["1BAD=2"]
               |                  ^^^^^^^^
        """,
    ),
    Case(
        "unknown_language",
        toml(PROJECT, extension('language = "fortran"')),
        message="""
            zlig: error: pyproject.toml:12:12: `tool.zlig.extensions[0].language`: expected `c`, `c++` or `zig`
               |
            12 | language = "fortran"
               |            ^^^^^^^^^
        """,
    ),
    Case(
        "when_without_marker",
        toml(PROJECT, EXTENSION, '[[tool.zlig.extensions.when]]\ndefine-macros = ["X"]\n'),
        message="""
            zlig: error: pyproject.toml:13:1: `tool.zlig.extensions[0].when[0]`: missing required key `marker` (a PEP 508 marker such as "platform_machine == 'x86_64'")
               |
            13 | [[tool.zlig.extensions.when]]
               | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "when_with_invalid_marker",
        toml(PROJECT, EXTENSION, "[[tool.zlig.extensions.when]]\nmarker = \"platform_machine = 'x86_64'\"\n"),
        message="""
            zlig: error: pyproject.toml:14:10: `tool.zlig.extensions[0].when[0].marker`: not a valid PEP 508 marker: Expected a valid marker operator (such as `>=` or `not in`), found `=`
               |
            14 | marker = "platform_machine = 'x86_64'"
               |          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "unsupported_extra_link_arg",
        toml(PROJECT, extension('extra-link-args = ["-lm", "-Wl,-Bsymbolic-functions"]')),
        message="""
            zlig: error: pyproject.toml:12:27: `tool.zlig.extensions[0].extra-link-args[1]`: `-Wl,-Bsymbolic-functions` is not a link argument zlig can pass on (a module's own symbols are local already: zlig links it with a version script); use -lNAME, -LDIR, -Wl,-rpath,DIR, the path of an object, archive or shared library, or a linker option zig understands, such as -Wl,-z,relro
               |
            12 | extra-link-args = ["-lm", "-Wl,-Bsymbolic-functions"]
               |                           ^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "py_limited_api_as_a_version_number",
        toml(PROJECT, '[tool.zlig]\npy-limited-api = "3.8"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:18: `tool.zlig.py-limited-api`: expected a CPython version tag such as `cp38`
               |
            10 | py-limited-api = "3.8"
               |                  ^^^^^
        """,
    ),
    Case(
        "py_limited_api_newer_than_the_interpreter",
        toml(PROJECT, extension(f'py-limited-api = "{NEXT_PY_TAG}"')),
        message=f"""
            zlig: error: pyproject.toml:12:18: `tool.zlig.extensions[0].py-limited-api`: is newer than the interpreter building it ([PY_TAG])
               |
            12 | py-limited-api = "{NEXT_PY_TAG}"
               |                  ^^^^^^^
        """,
    ),
    Case(
        "source_glob_with_dotdot",
        toml(PROJECT, extension(sources='["src/../../elsewhere/*.c"]')),
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: a path must stay inside the project: no absolute path and no `..`
               |
            11 | sources = ["src/../../elsewhere/*.c"]
               |            ^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "source_glob_absolute",
        toml(PROJECT, extension(sources='["/usr/include/*.h"]')),
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: a path must stay inside the project: no absolute path and no `..`
               |
            11 | sources = ["/usr/include/*.h"]
               |            ^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "source_symlink_to_a_file_outside",
        toml(PROJECT, extension(sources='["src/pkg/*.c"]')),
        setup=outside_file("evil.c"),
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: `src/pkg/evil.c` resolves to [TMP]/outside/evil.c, outside the project; zlig follows symlinks only within the project
               |
            11 | sources = ["src/pkg/*.c"]
               |            ^^^^^^^^^^^^^
        """,
    ),
    # ------------------------------------------------------------------ [tool.zlig]
    Case(
        "package_does_not_exist",
        toml(PROJECT, '[tool.zlig]\npackages = ["pkg", "nope"]\n'),
        message="""
            zlig: error: pyproject.toml:10:20: `tool.zlig.packages[1]`: no package or module `nope`: expected `src/nope/__init__.py` or `src/nope.py`
               |
            10 | packages = ["pkg", "nope"]
               |                    ^^^^^^
        """,
    ),
    Case(
        "default_package_does_not_exist",
        toml('[project]\nname = "pkg2"\nversion = "1.0"\n'),
        message="""
            zlig: error: pyproject.toml:6:8: `project.name`: no package or module `pkg2`: expected `pkg2/__init__.py` or `pkg2.py`; set `tool.zlig.packages` to name the packages to ship
              |
            6 | name = "pkg2"
              |        ^^^^^^
        """,
    ),
    Case(
        "python_source_does_not_exist",
        toml(PROJECT, '[tool.zlig]\npython-source = "lib"\n'),
        message="""
            zlig: error: pyproject.toml:10:17: `tool.zlig.python-source`: folder `lib` does not exist
               |
            10 | python-source = "lib"
               |                 ^^^^^
        """,
    ),
    Case(
        "unknown_backend",
        toml(PROJECT, '[tool.zlig]\nbackend = "ninja2"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:11: `tool.zlig.backend`: unknown backend `ninja2` (did you mean `ninja`?); available: ninja, zig, cc
               |
            10 | backend = "ninja2"
               |           ^^^^^^^^
        """,
    ),
    Case(
        "bad_optimize_in_pyproject",
        toml(PROJECT, '[tool.zlig]\noptimize = "release"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:12: `tool.zlig.optimize`: unknown optimize mode `release` (did you mean `ReleaseFast`?); expected one of: Debug, ReleaseSafe, ReleaseFast, ReleaseSmall
               |
            10 | optimize = "release"
               |            ^^^^^^^^^
        """,
    ),
    Case(
        "windows_target_in_pyproject",
        toml(PROJECT, '[tool.zlig]\ntarget = "x86_64-windows-gnu"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:10: `tool.zlig.target`: unsupported operating system `windows`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
               |
            10 | target = "x86_64-windows-gnu"
               |          ^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    # ------------------------------------------------------------------ config_settings
    Case(
        "config_optimise_misspelt",
        toml(PROJECT, EXTENSION),
        config={"optimise": "Debug"},
        message="""
            zlig: error: config_settings: `optimise`: unknown config setting (did you mean `optimize`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, cython.requires, cython.directives.<directive>, cython.include-dirs, cython.annotate, sdist.include, sdist.exclude, wheel.exclude, wheel.force-include.<path>, wheel.data.<scheme>, version.path, version.pattern, sbom-files, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache
        """,
    ),
    Case(
        "config_bad_optimize_mode",
        toml(PROJECT, EXTENSION),
        config={"optimize": "Fast"},
        message="""
            zlig: error: config_settings: `optimize`: unknown optimize mode `Fast`; expected one of: Debug, ReleaseSafe, ReleaseFast, ReleaseSmall
        """,
    ),
    Case(
        "config_windows_target",
        toml(PROJECT, EXTENSION),
        config={"target": "x86_64-windows-gnu"},
        message="""
            zlig: error: config_settings: `target`: unsupported operating system `windows`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
        """,
    ),
    Case(
        "config_sparc_target",
        toml(PROJECT, EXTENSION),
        config={"target": "sparc-linux-gnu"},
        message="""
            zlig: error: config_settings: `target`: unknown architecture `sparc`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
        """,
    ),
    Case(
        "config_bad_glibc_in_target",
        toml(PROJECT, EXTENSION),
        config={"target": "x86_64-linux-gnu.2.x"},
        message="""
            zlig: error: config_settings: `target`: bad glibc version `2.x`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
        """,
    ),
    # ------------------------------------------------------------------ targets zlig cannot prove
    Case(
        "config_musl_cross_target",
        toml(PROJECT, EXTENSION),
        config={"target": "x86_64-linux-musl"},
        message="""
            zlig: error: config_settings: `target`: zlig cannot prove that modules built for x86_64-linux-musl work: zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
        """,
    ),
    Case(
        "riscv64_target_in_pyproject",
        toml(PROJECT, '[tool.zlig]\ntarget = "riscv64-linux-gnu"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:10: `tool.zlig.target`: zlig cannot prove that modules built for riscv64-linux-gnu.2.31 work: zlig has no riscv64 interpreter to run its modules on (Debian 12 has no riscv64 port), so riscv64 wheels are built only by a Python running on riscv64; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
               |
            10 | target = "riscv64-linux-gnu"
               |          ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "config_glibc_older_than_zig_provides",
        toml(PROJECT, EXTENSION),
        config={"target": "ppc64le-linux-gnu.2.17"},
        message="""
            zlig: error: config_settings: `target`: glibc 2.17 is older than zig provides for ppc64le: 2.19 is the oldest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
        """,
    ),
    Case(
        "config_glibc_newer_than_zig_knows",
        toml(PROJECT, EXTENSION),
        config={"target": "x86_64-linux-gnu.2.45"},
        message="""
            zlig: error: config_settings: `target`: glibc 2.45 is newer than zig knows: 2.44 is the newest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
        """,
    ),
    Case(
        "config_python_include_empty",
        toml(PROJECT, EXTENSION),
        config={"target": "s390x-linux-gnu", "python-include": ""},
        message="""
            zlig: error: config_settings: `python-include`: expected a folder
        """,
    ),
    Case(
        "config_python_include_without_python_h",
        toml(PROJECT, EXTENSION),
        files={"inc/README": "not headers"},
        config={"target": "s390x-linux-gnu", "python-include": "inc"},
        message="""
            zlig: error: config_settings: `python-include`: expected the folder holding the target interpreter's Python.h; [TMP]/project/inc has none
        """,
    ),
    Case(
        "config_python_include_of_another_version",
        toml(PROJECT, EXTENSION),
        files={"inc/Python.h": "", "inc/patchlevel.h": "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 2\n"},
        config={"target": "s390x-linux-gnu", "python-include": "inc"},
        message="""
            zlig: error: config_settings: `python-include`: these headers are Python 3.2's, and the build is for Python [PY_VERSION] (the interpreter running zlig)
        """,
    ),
    Case(
        "config_python_include_of_another_platform",
        toml(PROJECT, EXTENSION),
        files={
            "inc/Python.h": "",
            "inc/patchlevel.h": f"#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {sys.version_info[1]}\n",
            "inc/pyconfig.h": "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n",
        },
        config={"target": "i686-linux-gnu", "python-include": "inc"},
        message="""
            zlig: error: config_settings: `python-include`: [TMP]/project/inc/pyconfig.h is of a platform with 8-byte pointers, 8-byte long, little-endian, and x86-linux-gnu.2.17 has 4-byte pointers, 4-byte long, little-endian: these are another platform's headers
        """,
    ),
    Case(
        "config_python_include_debian_switch_without_the_platform",
        toml(PROJECT, EXTENSION),
        files={
            "inc/python3.11/Python.h": "",
            "inc/python3.11/patchlevel.h": f"#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {sys.version_info[1]}\n",
            "inc/python3.11/pyconfig.h": "#if defined(__x86_64__)\n#  include <x86_64-linux-gnu/python3.11/pyconfig.h>\n#endif\n",
            "inc/x86_64-linux-gnu/python3.11/pyconfig.h": "#define SIZEOF_VOID_P 8\n",
        },
        config={"target": "s390x-linux-gnu", "python-include": "inc/python3.11"},
        message="""
            zlig: error: config_settings: `python-include`: [TMP]/project/inc/python3.11 has no pyconfig.h for s390x-linux-gnu: it is Debian's switch between platforms, and [TMP]/project/inc/s390x-linux-gnu/python3.11/pyconfig.h is not there
        """,
    ),
    Case(
        "config_build_details_missing",
        toml(PROJECT, EXTENSION),
        config={"target": "s390x-linux-gnu", "build-details": "nothere.json"},
        message="""
            zlig: error: config_settings: `build-details`: cannot read [TMP]/project/nothere.json: No such file or directory (os error 2)
        """,
    ),
    Case(
        "config_build_details_not_json",
        toml(PROJECT, EXTENSION),
        files={"bd.json": '{"platform": "linux-s390x"}'},
        config={"target": "s390x-linux-gnu", "build-details": "bd.json"},
        message="""
            zlig: error: config_settings: `build-details`: [TMP]/project/bd.json is not a PEP 739 build-details.json: missing field `schema_version` at line 1 column 27
        """,
    ),
    Case(
        "config_build_details_and_python_include",
        toml(PROJECT, EXTENSION),
        files={"bd.json": "{}"},
        config={"target": "s390x-linux-gnu", "build-details": "bd.json", "python-include": "inc"},
        message="""
            zlig: error: config_settings: `build-details`: give the target interpreter's headers one way: `build-details` or `python-include`, not both
        """,
    ),
    Case(
        "march_native_in_extra_compile_args",
        toml(PROJECT, extension('extra-compile-args = ["-O3", "-march=native"]')),
        message="""
            zlig: error: pyproject.toml:12:30: `tool.zlig.extensions[0].extra-compile-args[1]`: `-march=native` builds for the CPU of the machine running the build, not for the wheel's platform; name a CPU (`-march=x86-64-v3`) or features (`-mavx2`)
               |
            12 | extra-compile-args = ["-O3", "-march=native"]
               |                              ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "mcpu_native_in_cflags",
        toml(PROJECT, EXTENSION),
        setup=lambda project, tmp: {"CFLAGS": "-O2 -mcpu=native"},
        message="""
            zlig: error: CFLAGS: `-mcpu=native` builds for the CPU of the machine running the build, not for the wheel's platform; name a CPU (`-march=x86-64-v3`) or features (`-mavx2`)
        """,
    ),
    Case(
        "config_verbose_not_a_boolean",
        toml(PROJECT, EXTENSION),
        config={"verbose": "maybe"},
        message="""
            zlig: error: config_settings: `verbose`: expected true or false, found `maybe`
        """,
    ),
    Case(
        "config_py_limited_api_as_a_version_number",
        toml(PROJECT, EXTENSION),
        config={"py-limited-api": "3.8"},
        message="""
            zlig: error: config_settings: `py-limited-api`: expected a CPython version tag such as `cp38`
        """,
    ),
    Case(
        "config_empty_build_dir",
        toml(PROJECT, EXTENSION),
        config={"build-dir": ""},
        message="""
            zlig: error: config_settings: `build-dir`: expected a folder
        """,
    ),
    # ------------------------------------------------------------------ toolchain
    Case(
        "zig_missing_at_ZLIG_ZIG",
        toml(PROJECT, EXTENSION),
        setup=zig_env("/nonexistent/zig"),
        message="""
            zlig: error: no compile backend can build this project on this machine:
              ninja: ninja (ZLIG_NINJA, the ninja package, PATH): not found; ZLIG_ZIG=/nonexistent/zig: cannot run it (No such file or directory (os error 2))
              zig: ZLIG_ZIG=/nonexistent/zig: cannot run it (No such file or directory (os error 2))
              cc: used only when named (-C backend=cc)
            Install what this build lacks, all at once: `pip install "ziglang>=0.17,<0.18" "ninja>=1.10"`
            (or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)
        """,
    ),
    Case(
        "zig_found_nowhere",
        toml(PROJECT, EXTENSION),
        setup=zig_env(None),
        message="""
            zlig: error: no compile backend can build this project on this machine:
              ninja: ninja (ZLIG_NINJA, the ninja package, PATH): not found; ziglang package: not installed in this environment; zig on PATH: not found
              zig: ziglang package: not installed in this environment; zig on PATH: not found
              cc: used only when named (-C backend=cc)
            Install what this build lacks, all at once: `pip install "ziglang>=0.17,<0.18" "ninja>=1.10"`
            (or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)
        """,
    ),
    Case(
        "zig_of_the_wrong_version",
        toml(PROJECT, EXTENSION),
        setup=old_zig,
        message="""
            zlig: error: no compile backend can build this project on this machine:
              ninja: ninja (ZLIG_NINJA, the ninja package, PATH): not found; ZLIG_ZIG=[TMP]/old-zig/zig: version 0.13.0, but zlig needs 0.17.x
              zig: ZLIG_ZIG=[TMP]/old-zig/zig: version 0.13.0, but zlig needs 0.17.x
              cc: used only when named (-C backend=cc)
            Install what this build lacks, all at once: `pip install "ziglang>=0.17,<0.18" "ninja>=1.10"`
            (or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)
        """,
    ),
    # ------------------------------------------------------------------ the compiler
    Case(
        "c_compile_error",
        toml(PROJECT, EXTENSION),
        setup=broken_source,
        message="""
            zlig: error: compiling the extensions failed:
            install
            +- install fast
               +- compile lib fast fast x86_64-linux-gnu.2.17 1 errors
            src/pkg/fast.c:7:35: error: expected ';' after return statement
            static int broken(void) { return 1 }
                                              ^
            error: 1 compilation errors
            failed command: [SITE_PACKAGES]/ziglang/zig build-lib -cflags -fwrapv -fno-strict-aliasing -DNDEBUG -fdebug-compilation-dir=. -ffile-prefix-map=[PYTHON_INCLUDE]=python -ffile-prefix-map=[SITE_PACKAGES]/ziglang/lib=zig -- src/pkg/fast.c -fstrip -fPIC -fno-sanitize-c -Ofast -target x86_64-linux-gnu.2.17 -mcpu baseline -isystem [PYTHON_INCLUDE] -Mroot -lc --gc-sections -fallow-shlib-undefined --cache-dir zig-cache --global-cache-dir [HOME]/.cache/zig --build-root [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig --name fast -dynamic --version-script [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/exports/pkg.fast.map --zig-lib-dir [SITE_PACKAGES]/ziglang/lib/ --listen=-
            command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
        """,
    ),
    # ------------------------------------------------------------------ Cython
    Case(
        "cython_syntax_error",
        toml(PROJECT, PYX_EXTENSION),
        setup=with_cython("def triple(int x):\n    return 3 * x\ndef broken(:\n    pass\n"),
        message="""
            zlig: error: compiling the extensions failed:
            install
            +- install fast
               +- compile lib fast fast x86_64-linux-gnu.2.17
                  +- compile obj fast_cython_0 fast x86_64-linux-gnu.2.17
                     +- cython src/pkg/fast.pyx failure

            Error compiling Cython file:
            ------------------------------------------------------------
            ...
            def triple(int x):
                return 3 * x
            def broken(:
                       ^
            ------------------------------------------------------------
            src/pkg/fast.pyx:3:11: Expected ')', found ':'
            error: process exited with code 1
            failed command: [PYTHON] -I -S [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/cython/zlig_cython_step.py [CACHE]/user-cache/zlig/cython-3.3.1-[HASH] project src/pkg/fast.pyx --output=./zig-cache/tmp/[HASH]/fast.c --depfile=./zig-cache/tmp/[HASH]/cython.d --depfile-for=zig --module-name pkg.fast -I src
            command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
        """,
    ),
    Case(
        "cython_missing_cimport",
        toml(PROJECT, PYX_EXTENSION),
        setup=with_cython("from pkg.nothere cimport helper\n"),
        message="""
            zlig: error: compiling the extensions failed:
            install
            +- install fast
               +- compile lib fast fast x86_64-linux-gnu.2.17
                  +- compile obj fast_cython_0 fast x86_64-linux-gnu.2.17
                     +- cython src/pkg/fast.pyx failure

            Error compiling Cython file:
            ------------------------------------------------------------
            ...
            from pkg.nothere cimport helper
            ^
            ------------------------------------------------------------
            src/pkg/fast.pyx:1:0: 'pkg/nothere.pxd' not found

            Error compiling Cython file:
            ------------------------------------------------------------
            ...
            from pkg.nothere cimport helper
            ^
            ------------------------------------------------------------
            src/pkg/fast.pyx:1:0: 'pkg/nothere/helper.pxd' not found
            error: process exited with code 1
            failed command: [PYTHON] -I -S [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/cython/zlig_cython_step.py [CACHE]/user-cache/zlig/cython-3.3.1-[HASH] project src/pkg/fast.pyx --output=./zig-cache/tmp/[HASH]/fast.c --depfile=./zig-cache/tmp/[HASH]/cython.d --depfile-for=zig --module-name pkg.fast -I src
            command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
        """,
    ),
    Case(
        "cython_unknown_directive",
        toml(PROJECT, "[tool.zlig.cython]\ndirectives = { language_level = 3, boundcheck = false }\n", PYX_EXTENSION),
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:10:36: `tool.zlig.cython.directives.boundcheck`: Cython 3.3.1 has no directive `boundcheck`; did you mean `boundscheck`?
               |
            10 | directives = { language_level = 3, boundcheck = false }
               |                                    ^^^^^^^^^^
        """,
    ),
    Case(
        "cython_unknown_directive_of_an_extension",
        toml(PROJECT, extension("cython-directives = { wraparoud = false }", sources='["src/pkg/fast.pyx"]')),
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:12:23: `tool.zlig.extensions[0].cython-directives.wraparoud`: Cython 3.3.1 has no directive `wraparoud`; did you mean `wraparound`?
               |
            12 | cython-directives = { wraparoud = false }
               |                       ^^^^^^^^^
        """,
    ),
    Case(
        "cython_older_than_requires",
        toml(PROJECT, '[tool.zlig.cython]\nrequires = "cython>=99"\n', PYX_EXTENSION),
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:10:12: `tool.zlig.cython.requires`: Cython 3.3.1 ([CACHE]/cython-path/Cython) does not satisfy `cython>=99`, nor does a copy zlig kept; install one that does (`pip install "cython>=99"`; a frontend does when `get_requires_for_build_wheel` asks for it)
               |
            10 | requires = "cython>=99"
               |            ^^^^^^^^^^^^
        """,
    ),
    Case(
        "cython_requires_names_another_package",
        toml(PROJECT, '[tool.zlig.cython]\nrequires = "numpy>=2"\n'),
        message="""
            zlig: error: pyproject.toml:10:12: `tool.zlig.cython.requires`: names `numpy`; expected a requirement on Cython, such as `cython>=3.0`
               |
            10 | requires = "numpy>=2"
               |            ^^^^^^^^^^
        """,
    ),
    Case(
        "cython_table_unknown_key",
        toml(PROJECT, "[tool.zlig.cython]\nanotate = true\n"),
        message="""
            zlig: error: pyproject.toml:10:1: `tool.zlig.cython.anotate`: unknown key; did you mean `annotate`?
               |
            10 | anotate = true
               | ^^^^^^^
        """,
    ),
    Case(
        "cython_include_dir_missing",
        toml(PROJECT, '[tool.zlig.cython]\ninclude-dirs = ["pxd"]\n', PYX_EXTENSION),
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:10:17: `tool.zlig.cython.include-dirs[0]`: Cython include directory `pxd` does not exist
               |
            10 | include-dirs = ["pxd"]
               |                 ^^^^^
        """,
    ),
    Case(
        "pyx_in_a_zig_extension",
        toml(PROJECT, extension('language = "zig"', sources='["src/pkg/fast.pyx"]')),
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:12:12: `tool.zlig.extensions[0].language`: `src/pkg/fast.pyx` is a Cython source, which Cython translates to C or C++, and a `zig`-language extension compiles Zig alone; write `language = "c"` or `"c++"`, or give the Cython source an extension of its own
               |
            12 | language = "zig"
               |            ^^^^^
        """,
    ),
    Case(
        "two_pyx_in_one_extension",
        toml(PROJECT, extension(sources='["src/pkg/*.pyx"]')),
        files={"src/pkg/more.pyx": "x = 1\n"},
        setup=with_cython(),
        message="""
            zlig: error: pyproject.toml:11:12: `tool.zlig.extensions[0].sources[0]`: `src/pkg/more.pyx` is a second Cython source, after `src/pkg/fast.pyx`: Cython makes a module of each, and an extension is one module; give it an extension of its own
               |
            11 | sources = ["src/pkg/*.pyx"]
               |            ^^^^^^^^^^^^^^^
        """,
    ),
    # ------------------------------------------------------------------ headers of Python packages
    Case(
        "include_dir_package_not_importable",
        toml(PROJECT, extension('include-dirs = [{ package = "nosuchpkg" }]')),
        message="""
            zlig: error: pyproject.toml:12:29: `tool.zlig.extensions[0].include-dirs[0].package`: `nosuchpkg` is not importable in the build environment (No module named 'nosuchpkg'): add it to `build-system.requires`, as in requires = ["zlig>=0.1", "nosuchpkg"]
               |
            12 | include-dirs = [{ package = "nosuchpkg" }]
               |                             ^^^^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_missing",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "get_headers" }]')),
        message="""
            zlig: error: pyproject.toml:12:44: `tool.zlig.extensions[0].include-dirs[0].attr`: `json` has no `get_headers`: name the function or attribute that gives its include folder, as in `attr = "get_include"`
               |
            12 | include-dirs = [{ package = "json", attr = "get_headers" }]
               |                                            ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_raises",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "dumps" }]')),
        message="""
            zlig: error: pyproject.toml:12:44: `tool.zlig.extensions[0].include-dirs[0].attr`: `json.dumps` failed: TypeError: dumps() missing 1 required positional argument: 'obj'
               |
            12 | include-dirs = [{ package = "json", attr = "dumps" }]
               |                                            ^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_is_a_module_inside_a_module",
        toml(PROJECT, extension('include-dirs = [{ package = "os.sep" }]')),
        message="""
            zlig: error: pyproject.toml:12:29: `tool.zlig.extensions[0].include-dirs[0].package`: `os` is a module, not a package, so there is no `os.sep` to import
               |
            12 | include-dirs = [{ package = "os.sep" }]
               |                             ^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_is_the_root_folder",
        toml(PROJECT, extension('include-dirs = [{ package = "os", attr = "sep" }]')),
        message="""
            zlig: error: pyproject.toml:12:42: `tool.zlig.extensions[0].include-dirs[0].attr`: `os.sep` gives "/", the file system's root, not a folder of headers
               |
            12 | include-dirs = [{ package = "os", attr = "sep" }]
               |                                          ^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_is_long_text",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "__doc__" }]')),
        message="""
            zlig: error: pyproject.toml:12:44: `tool.zlig.extensions[0].include-dirs[0].attr`: `json.__doc__` is 'JSON (JavaScript Object Notation) <https://json.org> is a su'..., not an absolute path of a folder of headers
               |
            12 | include-dirs = [{ package = "json", attr = "__doc__" }]
               |                                            ^^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_is_a_number",
        toml(PROJECT, extension('include-dirs = [{ package = "sys", attr = "maxsize" }]')),
        message="""
            zlig: error: pyproject.toml:12:43: `tool.zlig.extensions[0].include-dirs[0].attr`: `sys.maxsize` is int, not the path of a folder of headers
               |
            12 | include-dirs = [{ package = "sys", attr = "maxsize" }]
               |                                           ^^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_attr_is_the_project",
        toml(PROJECT, extension('include-dirs = [{ package = "os", attr = "getcwd" }]')),
        message="""
            zlig: error: pyproject.toml:12:42: `tool.zlig.extensions[0].include-dirs[0].attr`: `os.getcwd` gives "[TMP]/project", a folder that holds the project's build dir, not a folder of headers
               |
            12 | include-dirs = [{ package = "os", attr = "getcwd" }]
               |                                          ^^^^^^^^
        """,
    ),
    Case(
        "include_dir_package_unknown_key",
        toml(PROJECT, extension('include-dirs = [{ pakage = "numpy" }]')),
        message="""
            zlig: error: pyproject.toml:12:19: `tool.zlig.extensions[0].include-dirs[0].pakage`: unknown key; did you mean `package`?
               |
            12 | include-dirs = [{ pakage = "numpy" }]
               |                   ^^^^^^
        """,
    ),
    Case(
        "init_function_missing",
        toml(PROJECT, extension(name="pkg.other")),
        message="""
            zlig: error: the extension module pkg.other defines neither PyInit_other nor PyModExport_other, so Python cannot import it: the part of its `name` after the last dot names the function
        """,
    ),
    Case(
        "link_error_unknown_library",
        toml(PROJECT, extension('libraries = ["doesnotexist"]')),
        message="""
            zlig: error: compiling the extensions failed:
            install
            +- install fast
               +- compile lib fast fast x86_64-linux-gnu.2.17 failure
            error: error: unable to find dynamic system library "doesnotexist" using strategy paths_first. searched paths: none

            error: process exited with code 1
            failed command: [SITE_PACKAGES]/ziglang/zig build-lib -cflags -fwrapv -fno-strict-aliasing -DNDEBUG -fdebug-compilation-dir=. -ffile-prefix-map=[PYTHON_INCLUDE]=python -ffile-prefix-map=[SITE_PACKAGES]/ziglang/lib=zig -- src/pkg/fast.c -ldoesnotexist -fstrip -fPIC -fno-sanitize-c -Ofast -target x86_64-linux-gnu.2.17 -mcpu baseline -isystem [PYTHON_INCLUDE] -Mroot -lc --gc-sections -fallow-shlib-undefined --cache-dir zig-cache --global-cache-dir [HOME]/.cache/zig --build-root [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig --name fast -dynamic --version-script [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/exports/pkg.fast.map --zig-lib-dir [SITE_PACKAGES]/ziglang/lib/ --listen=-
            command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/project/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
        """,
    ),
]


# What a hostile sdist, a careless user or a busy machine brings (the red team's classes).
DYNAMIC = '[project]\nname = "pkg"\ndynamic = ["version"]\n'


def dynamic_version(source: str) -> dict:
    return {"src/pkg/__init__.py": source}


def home(value: str | None):
    """A setup that gives the build this HOME (or none) and no other cache folder."""

    def setup(project: Path, tmp: Path) -> dict:
        return {"HOME": value, "XDG_CACHE_HOME": None, "ZIG_GLOBAL_CACHE_DIR": None}

    return setup


def missing_tmpdir(project: Path, tmp: Path) -> dict:
    return {"TMPDIR": str(tmp / "no-such-folder")}


CASES += [
    Case(
        "build_dir_above_the_project",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = ".."\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: a path must stay inside the project: no absolute path and no `..`
               |
            10 | build-dir = ".."
               |             ^^^^
        """,
    ),
    Case(
        "build_dir_absolute_in_pyproject",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "/tmp/zlig-hostile-build"\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: a path must stay inside the project: no absolute path and no `..`
               |
            10 | build-dir = "/tmp/zlig-hostile-build"
               |             ^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "build_dir_empty_in_pyproject",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = ""\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: expected a non-empty path
               |
            10 | build-dir = ""
               |             ^^
        """,
    ),
    Case(
        "build_dir_is_the_project",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "."\n', EXTENSION),
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: the build dir would hold the whole project, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`
               |
            10 | build-dir = "."
               |             ^^^
        """,
    ),
    Case(
        "build_dir_is_the_project_for_the_sdist",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "."\n', EXTENSION),
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.build-dir`: the build dir would hold the whole project, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`
               |
            10 | build-dir = "."
               |             ^^^
        """,
    ),
    Case(
        "config_build_dir_is_the_source_folder",
        toml(PROJECT, EXTENSION),
        config={"build-dir": "src"},
        message="""
            zlig: error: config_settings: `build-dir`: the build dir would hold the Python source folder `src`, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`
        """,
    ),
    Case(
        "config_build_dir_inside_a_package",
        toml(PROJECT, EXTENSION),
        config={"build-dir": "src/pkg/build"},
        message="""
            zlig: error: config_settings: `build-dir`: the build dir would lie inside the package `src/pkg`, and be shipped with it, and builds write there and `zlig clean` removes it; name a folder of its own, such as `build/zlig`
        """,
    ),
    Case(
        "config_build_dir_zlig_did_not_make",
        toml(PROJECT, EXTENSION),
        files={"docs/index.md": "# Docs\n"},
        config={"build-dir": "docs"},
        message="""
            zlig: error: [TMP]/project/docs already holds files and is not a build dir zlig made (it has no CACHEDIR.TAG); name an empty or new folder as `build-dir`
        """,
    ),
    Case(
        "metadata_injection_author_name",
        toml(PROJECT + 'authors = [{name = "A\\nRequires-Dist: evil"}]\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:20: `project.authors[0].name`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | authors = [{name = "A\nRequires-Dist: evil"}]
              |                    ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_author_email",
        toml(PROJECT + 'authors = [{email = "a@x.org\\nRequires-Dist: evil"}]\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:21: `project.authors[0].email`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | authors = [{email = "a@x.org\nRequires-Dist: evil"}]
              |                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_maintainer_name",
        toml(PROJECT + 'maintainers = [{name = "A\\rRequires-Dist: evil"}]\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:24: `project.maintainers[0].name`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | maintainers = [{name = "A\rRequires-Dist: evil"}]
              |                        ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_keyword",
        toml(PROJECT + 'keywords = ["fast\\nRequires-Dist: evil"]\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:13: `project.keywords[0]`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | keywords = ["fast\nRequires-Dist: evil"]
              |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_classifier",
        toml(PROJECT + 'classifiers = ["Topic :: X\\nRequires-Dist: evil"]\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:16: `project.classifiers[0]`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | classifiers = ["Topic :: X\nRequires-Dist: evil"]
              |                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_url_value",
        toml(PROJECT + 'urls = {Home = "https://x.org\\nRequires-Dist: evil"}\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:16: `project.urls.Home`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | urls = {Home = "https://x.org\nRequires-Dist: evil"}
              |                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_url_label",
        toml(PROJECT + 'urls = {"Home\\nRequires-Dist: evil" = "https://x.org"}\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:39: `project.urls."Home\nRequires-Dist: evil"`: must be one line of text: a line break or other control character would start a metadata field of its own
              |
            8 | urls = {"Home\nRequires-Dist: evil" = "https://x.org"}
              |                                       ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "metadata_injection_description_cr",
        toml(PROJECT + 'description = "fast\\rRequires-Dist: evil"\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:15: `project.description`: must be a single line (put longer text in `readme`)
              |
            8 | description = "fast\rRequires-Dist: evil"
              |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "script_name_newline",
        toml(PROJECT + 'scripts = {"a\\n[evil]" = "pkg:main"}\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:26: `project.scripts."a\n[evil]"`: a script name must be a file name: no `/`, `\`, `=`, control character or surrounding blanks
              |
            8 | scripts = {"a\n[evil]" = "pkg:main"}
              |                          ^^^^^^^^^^
        """,
    ),
    Case(
        "script_name_slash",
        toml(PROJECT + 'scripts = {"../evil" = "pkg:main"}\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:24: `project.scripts."../evil"`: a script name must be a file name: no `/`, `\`, `=`, control character or surrounding blanks
              |
            8 | scripts = {"../evil" = "pkg:main"}
              |                        ^^^^^^^^^^
        """,
    ),
    Case(
        "entry_point_name_equals",
        toml(PROJECT + '[project.entry-points."pkg.plugins"]\n"a=b" = "pkg:main"\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:9:9: `project.entry-points."pkg.plugins"."a=b"`: an entry point name may not hold `=` or a control character, start with `[`, or start or end with a blank
              |
            9 | "a=b" = "pkg:main"
              |         ^^^^^^^^^^
        """,
    ),
    Case(
        "entry_point_group_newline",
        toml(PROJECT + '[project.entry-points."pkg\\n[x]"]\na = "pkg:main"\n'),
        hook="prepare_metadata_for_build_wheel",
        message=r"""
            zlig: error: pyproject.toml:8:1: `project.entry-points."pkg\n[x]"`: an entry-point group name may hold only letters, digits, `_`, `.` and `-`
              |
            8 | [project.entry-points."pkg\n[x]"]
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "dynamic_version_is_an_expression",
        toml(DYNAMIC),
        files=dynamic_version('__version__ = "1.0" + ".post1"\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/__init__.py:1:15: `__version__`: expected one plain string literal, such as `__version__ = "1.0"`: zlig reads the version without running the code
              |
            1 | __version__ = "1.0" + ".post1"
              |               ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "dynamic_version_is_two_literals",
        toml(DYNAMIC),
        files=dynamic_version('__version__ = "1.0" ".post1"\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/__init__.py:1:15: `__version__`: expected one plain string literal, such as `__version__ = "1.0"`: zlig reads the version without running the code
              |
            1 | __version__ = "1.0" ".post1"
              |               ^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "dynamic_version_is_a_tuple",
        toml(DYNAMIC),
        files=dynamic_version('__version__ = "1.0",\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/__init__.py:1:15: `__version__`: expected one plain string literal, such as `__version__ = "1.0"`: zlig reads the version without running the code
              |
            1 | __version__ = "1.0",
              |               ^^^^^^
        """,
    ),
    Case(
        "dynamic_version_last_assignment_is_computed",
        toml(DYNAMIC),
        files=dynamic_version('__version__ = "1.0"\nfrom ._v import v\n__version__ = v\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/__init__.py:3:15: `__version__`: expected one plain string literal, such as `__version__ = "1.0"`: zlig reads the version without running the code
              |
            3 | __version__ = v
              |               ^
        """,
    ),
    Case(
        "dynamic_version_only_inside_a_docstring",
        toml(DYNAMIC),
        files=dynamic_version('"""Docs.\n\n__version__ = "9.9"\n"""\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/__init__.py: `__version__`: `version` is dynamic, but there is no module-level `__version__ = "..."` assignment
        """,
    ),
    Case(
        "file_name_with_a_backslash",
        toml(PROJECT, EXTENSION),
        files={"src/pkg/x\\..\\evil.py": ""},
        message=r"""
            zlig: error: package src/pkg: `src/pkg/x\\..\\evil.py` cannot be archived or built: it holds a backslash, a folder separator on Windows; rename it
        """,
    ),
    Case(
        "file_name_with_a_newline_in_the_sdist",
        toml(PROJECT, EXTENSION),
        files={"src/pkg/new\nline.py": ""},
        hook="build_sdist",
        message=r"""
            zlig: error: package src/pkg: `src/pkg/new\nline.py` cannot be archived or built: it holds a control character such as a newline; rename it
        """,
    ),
    Case(
        "file_name_not_utf8",
        toml(PROJECT, EXTENSION),
        files={"src/pkg/bad\udcff.py": ""},
        message="""
            zlig: error: package src/pkg: `src/pkg/bad�.py` cannot be archived or built: it is not valid UTF-8; rename it
        """,
    ),
    Case(
        "extension_name_not_ascii",
        toml(PROJECT, extension(name="pkg.f\u00e4st")),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.extensions[0].name`: an extension module's name must be ASCII (letters, digits and `_`): its init function `PyInit_<name>` is a C symbol
               |
            10 | name = "pkg.fäst"
               |        ^^^^^^^^^^
        """,
    ),
    Case(
        "home_unset",
        toml(PROJECT, EXTENSION),
        setup=home(None),
        message="""
            zlig: error: zig needs a folder for its cache, and none can be found: HOME is not set to an absolute path; set HOME, XDG_CACHE_HOME or ZIG_GLOBAL_CACHE_DIR
        """,
    ),
    Case(
        "home_relative",
        toml(PROJECT, EXTENSION),
        setup=home("relative-home"),
        message="""
            zlig: error: zig needs a folder for its cache, and none can be found: HOME is not set to an absolute path; set HOME, XDG_CACHE_HOME or ZIG_GLOBAL_CACHE_DIR
        """,
    ),
    Case(
        "tmpdir_missing",
        toml(PROJECT, EXTENSION),
        setup=missing_tmpdir,
        message="""
            zlig: error: TMPDIR=[TMP]/no-such-folder is not a folder; the compilers write their temporary files there: create it or unset TMPDIR
        """,
    ),
    # ------------------------------------------------------------------ second-round keys
    Case(
        "export_symbols_an_unknown_string",
        toml(PROJECT, extension('export-symbols = "everything"')),
        message="""
            zlig: error: pyproject.toml:12:18: `tool.zlig.extensions[0].export-symbols`: expected `"all"` (every global symbol) or a list of symbol names
               |
            12 | export-symbols = "everything"
               |                  ^^^^^^^^^^^^
        """,
    ),
    Case(
        "export_symbols_all_in_a_list",
        toml(PROJECT, extension('export-symbols = ["all"]')),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:12:19: `tool.zlig.extensions[0].export-symbols[0]`: `"all"` in a list would export a symbol named `all`; to export every global symbol, write `export-symbols = "all"`, without the brackets
               |
            12 | export-symbols = ["all"]
               |                   ^^^^^
        """,
    ),
    Case(
        "export_symbols_not_a_c_name",
        toml(PROJECT, extension('export-symbols = ["fast_add", "fast-sub"]')),
        message="""
            zlig: error: pyproject.toml:12:31: `tool.zlig.extensions[0].export-symbols[1]`: `fast-sub` is not a C symbol name (ASCII letters, digits and `_`)
               |
            12 | export-symbols = ["fast_add", "fast-sub"]
               |                               ^^^^^^^^^^
        """,
    ),
    Case(
        "export_symbols_misspelt",
        toml(PROJECT, extension('export_symbols = ["fast_add"]')),
        message="""
            zlig: error: pyproject.toml:12:1: `tool.zlig.extensions[0].export_symbols`: unknown key; did you mean `export-symbols`?
               |
            12 | export_symbols = ["fast_add"]
               | ^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_pattern_does_not_compile",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+"\'\n'),
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:11:11: `tool.zlig.version.pattern`: not a valid regular expression: unclosed group
               |
            11 | pattern = 'VERSION "(.+"'
               |           ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_pattern_without_a_group",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION ".+"\'\n'),
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        message="""
            zlig: error: pyproject.toml:11:11: `tool.zlig.version.pattern`: has no group: put the version in one, such as `VERSION "(.+)"`, or name it `(?P<version>...)`
               |
            11 | pattern = 'VERSION ".+"'
               |           ^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_pattern_matches_nothing",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'PKG_VERSION "(.+)"\'\n'),
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:11:11: `tool.zlig.version.pattern`: matches nothing in src/pkg/version.h, so there is no version to read
               |
            11 | pattern = 'PKG_VERSION "(.+)"'
               |           ^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_file_missing",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+)"\'\n'),
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.version.path`: version file `src/pkg/version.h` does not exist
               |
            10 | path = "src/pkg/version.h"
               |        ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_file_finds_no_pep440_version",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+)"\'\n'),
        files={"src/pkg/version.h": '#define VERSION "one-two"\n'},
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: src/pkg/version.h:1:18: `one-two` (the version `tool.zlig.version.pattern` found) is not a valid PEP 440 version: expected version to start with a number, but no leading ASCII digits were found
              |
            1 | #define VERSION "one-two"
              |                  ^^^^^^^
        """,
    ),
    Case(
        "version_file_is_a_folder",
        toml(DYNAMIC, VERSION_H),
        files={"src/pkg/version.h/x": ""},
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.version.path`: version file `src/pkg/version.h` is a folder, not a file
               |
            10 | path = "src/pkg/version.h"
               |        ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_file_is_a_fifo",
        toml(DYNAMIC, VERSION_H),
        setup=fifo("src/pkg/version.h"),
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:10:8: `tool.zlig.version.path`: version file `src/pkg/version.h` is a FIFO (a named pipe), not a file
               |
            10 | path = "src/pkg/version.h"
               |        ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "dunder_version_file_is_a_fifo",
        toml(DYNAMIC),
        setup=fifo("src/pkg/__init__.py"),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:6:8: `project.name`: `src/pkg/__init__.py` is a FIFO (a named pipe), not a file
              |
            6 | name = "pkg"
              |        ^^^^^
        """,
    ),
    Case(
        "dunder_version_module_is_a_folder",
        toml(DYNAMIC, '[tool.zlig]\npackages = ["mod"]\n'),
        files={"src/mod.py/x.txt": ""},
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:10:13: `tool.zlig.packages[0]`: `src/mod.py` is a folder, not a file
               |
            10 | packages = ["mod"]
               |             ^^^^^
        """,
    ),
    Case(
        "sdist_exclude_removes_the_version_file",
        toml(DYNAMIC, VERSION_H, '[tool.zlig.sdist]\nexclude = ["src/pkg/*.h"]\n'),
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:14:12: `tool.zlig.sdist.exclude[0]`: removes `src/pkg/version.h` from the sdist, but `tool.zlig.version.path` (pyproject.toml:10:8) reads it: a wheel could not be built from that sdist; narrow the pattern so that it keeps the file
               |
            14 | exclude = ["src/pkg/*.h"]
               |            ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "sdist_exclude_removes_the_dunder_version_file",
        toml(DYNAMIC, '[tool.zlig.sdist]\nexclude = ["src/pkg/__init__.py"]\n'),
        files={"src/pkg/__init__.py": '__version__ = "1.2"\n'},
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:10:12: `tool.zlig.sdist.exclude[0]`: removes `src/pkg/__init__.py` from the sdist, but `project.dynamic` (pyproject.toml:7:11) reads it: a wheel could not be built from that sdist; narrow the pattern so that it keeps the file
               |
            10 | exclude = ["src/pkg/__init__.py"]
               |            ^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "version_table_without_dynamic_version",
        toml(PROJECT, '[tool.zlig.version]\npath = "src/pkg/version.h"\n'),
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        message="""
            zlig: error: pyproject.toml:9:1: `tool.zlig.version`: says where to read the version, but `project.dynamic` does not list `version`
              |
            9 | [tool.zlig.version]
              | ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "../cov.pth" = "cov.pth" }\n'),
        message="""
            zlig: error: pyproject.toml:10:19: `tool.zlig.wheel.force-include."../cov.pth"`: a path must stay inside the project: no absolute path and no `..`
               |
            10 | force-include = { "../cov.pth" = "cov.pth" }
               |                   ^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_linked_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/cov.pth" = "cov.pth" }\n'),
        setup=linked_outside("extra/cov.pth"),
        message="""
            zlig: error: pyproject.toml:10:19: `tool.zlig.wheel.force-include."extra/cov.pth"`: `extra/cov.pth` resolves to [TMP]/outside/target, outside the project; zlig follows symlinks only within the project
               |
            10 | force-include = { "extra/cov.pth" = "cov.pth" }
               |                   ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_missing",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/cov.pth" = "cov.pth" }\n'),
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:10:19: `tool.zlig.wheel.force-include."extra/cov.pth"`: `extra/cov.pth` does not exist
               |
            10 | force-include = { "extra/cov.pth" = "cov.pth" }
               |                   ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_onto_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/init.py" = "pkg/__init__.py" }\n'),
        files={"extra/init.py": ""},
        message="""
            zlig: error: pyproject.toml:10:37: `tool.zlig.wheel.force-include."extra/init.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
               |
            10 | force-include = { "extra/init.py" = "pkg/__init__.py" }
               |                                     ^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_into_the_dist_info",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.txt" = "pkg-1.0.dist-info/x.txt" }\n'),
        files={"extra/x.txt": ""},
        message="""
            zlig: error: pyproject.toml:10:35: `tool.zlig.wheel.force-include."extra/x.txt"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
               |
            10 | force-include = { "extra/x.txt" = "pkg-1.0.dist-info/x.txt" }
               |                                   ^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_dot_slash",
        toml(PROJECT, FORCE_X.format("./pkg/__init__.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
               |
            10 | force-include = { "extra/x.py" = "./pkg/__init__.py" }
               |                                  ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_double_slash",
        toml(PROJECT, FORCE_X.format("pkg//__init__.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
               |
            10 | force-include = { "extra/x.py" = "pkg//__init__.py" }
               |                                  ^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_dot_part",
        toml(PROJECT, FORCE_X.format("pkg/./__init__.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
               |
            10 | force-include = { "extra/x.py" = "pkg/./__init__.py" }
               |                                  ^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_dist_info_through_dot",
        toml(PROJECT, FORCE_X.format(".//pkg-1.0.dist-info/RECORD")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
               |
            10 | force-include = { "extra/x.py" = ".//pkg-1.0.dist-info/RECORD" }
               |                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_dist_info_in_capitals",
        toml(PROJECT, FORCE_X.format("PKG-1.0.DIST-INFO/RECORD")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
               |
            10 | force-include = { "extra/x.py" = "PKG-1.0.DIST-INFO/RECORD" }
               |                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_data_folder",
        toml(PROJECT, FORCE_X.format("./pkg-1.0.data/purelib/x.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
               |
            10 | force-include = { "extra/x.py" = "./pkg-1.0.data/purelib/x.py" }
               |                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_root_itself",
        toml(PROJECT, FORCE_X.format("./.")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: names the wheel's root itself; give a path in it, such as `cov.pth`
               |
            10 | force-include = { "extra/x.py" = "./." }
               |                                  ^^^^^
        """,
    ),
    Case(
        "force_include_alias_up_and_out",
        toml(PROJECT, FORCE_X.format("pkg/../../x.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: a path in the wheel must stay inside it: no absolute path and no `..`
               |
            10 | force-include = { "extra/x.py" = "pkg/../../x.py" }
               |                                  ^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_alias_file_where_the_package_is",
        toml(PROJECT, FORCE_X.format("pkg/")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg` (a file of `tool.zlig.wheel.force-include."extra/x.py"`) would be installed as the file `pkg` in site-packages, where `pkg/__init__.py` (a file of the packages) needs a folder; choose another path
               |
            10 | force-include = { "extra/x.py" = "pkg/" }
               |                                  ^^^^^^
        """,
    ),
    Case(
        "force_include_alias_folder_where_a_file_is",
        toml(PROJECT, FORCE_X.format("pkg/__init__.py/x.py")),
        files={"extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg/__init__.py` (a file of the packages) would be installed as the file `pkg/__init__.py` in site-packages, where `pkg/__init__.py/x.py` (a file of `tool.zlig.wheel.force-include."extra/x.py"`) needs a folder; choose another path
               |
            10 | force-include = { "extra/x.py" = "pkg/__init__.py/x.py" }
               |                                  ^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "force_include_two_targets_one_path",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.py" = "x.py", "extra/y.py" = ".//x.py" }\n'),
        files={"extra/x.py": "", "extra/y.py": ""},
        message="""
            zlig: error: pyproject.toml:10:57: `tool.zlig.wheel.force-include."extra/y.py"`: `x.py` is also the path of `extra/x.py` in the wheel
               |
            10 | force-include = { "extra/x.py" = "x.py", "extra/y.py" = ".//x.py" }
               |                                                         ^^^^^^^^^
        """,
    ),
    Case(
        "force_include_a_file_where_another_target_is_a_folder",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.py" = "extra", "extra/y.py" = "extra/y.py" }\n'),
        files={"extra/x.py": "", "extra/y.py": ""},
        message="""
            zlig: error: pyproject.toml:10:58: `tool.zlig.wheel.force-include."extra/y.py"`: `extra` (a file of `tool.zlig.wheel.force-include."extra/x.py"`) would be installed as the file `extra` in site-packages, where `extra/y.py` (a file of `tool.zlig.wheel.force-include."extra/y.py"`) needs a folder; choose another path
               |
            10 | force-include = { "extra/x.py" = "extra", "extra/y.py" = "extra/y.py" }
               |                                                          ^^^^^^^^^^^^
        """,
    ),
    Case(
        "wheel_data_purelib_replaces_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { purelib = "lib" }\n'),
        files={"lib/pkg/__init__.py": ""},
        message="""
            zlig: error: pyproject.toml:10:20: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/pkg/__init__.py` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `pkg/__init__.py` in site-packages, where `pkg/__init__.py` (a file of the packages) goes already; choose another path
               |
            10 | data = { purelib = "lib" }
               |                    ^^^^^
        """,
    ),
    Case(
        "wheel_data_purelib_into_a_dist_info_folder",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { purelib = "lib" }\n'),
        files={"lib/other-2.0.dist-info/METADATA": "Name: other\n"},
        message="""
            zlig: error: pyproject.toml:10:20: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/other-2.0.dist-info/METADATA` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `other-2.0.dist-info/METADATA` in site-packages, in a `.dist-info` folder, where installers keep what they know of an installed distribution; choose another path
               |
            10 | data = { purelib = "lib" }
               |                    ^^^^^
        """,
    ),
    Case(
        "wheel_data_into_site_packages_replaces_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { data = "share" }\n'),
        files={"share/lib/python3.12/site-packages/pkg/__init__.py": ""},
        message="""
            zlig: error: pyproject.toml:10:17: `tool.zlig.wheel.data.data`: `pkg-1.0.data/data/lib/python3.12/site-packages/pkg/__init__.py` (a file of `tool.zlig.wheel.data.data`) would be installed as `pkg/__init__.py` in site-packages, where `pkg/__init__.py` (a file of the packages) goes already; choose another path
               |
            10 | data = { data = "share" }
               |                 ^^^^^^^
        """,
    ),
    Case(
        "wheel_data_platlib_and_purelib_one_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { platlib = "a", purelib = "b" }\n'),
        files={"a/extra/x.py": "", "b/extra/x.py": ""},
        message="""
            zlig: error: pyproject.toml:10:35: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/extra/x.py` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `extra/x.py` in site-packages, where `pkg-1.0.data/platlib/extra/x.py` (a file of `tool.zlig.wheel.data.platlib`) goes already; choose another path
               |
            10 | data = { platlib = "a", purelib = "b" }
               |                                   ^^^
        """,
    ),
    Case(
        "wheel_data_script_shadows_a_console_script",
        toml(PROJECT + 'scripts = { tool = "pkg:main" }\n', '[tool.zlig.wheel]\ndata = { scripts = "bin" }\n'),
        files={"bin/tool": "#!/bin/sh\n"},
        message="""
            zlig: error: pyproject.toml:11:20: `tool.zlig.wheel.data.scripts`: `pkg-1.0.data/scripts/tool` (a file of `tool.zlig.wheel.data.scripts`) would be installed as `tool` in the environment's scripts folder, where `tool` (a script of `project.scripts`) goes already; choose another path
               |
            11 | data = { scripts = "bin" }
               |                    ^^^^^
        """,
    ),
    Case(
        "wheel_data_unknown_scheme",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { script = "bin" }\n'),
        message="""
            zlig: error: pyproject.toml:10:10: `tool.zlig.wheel.data.script`: unknown key; did you mean `scripts`?
               |
            10 | data = { script = "bin" }
               |          ^^^^^^
        """,
    ),
    Case(
        "wheel_data_folder_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { scripts = "/usr/bin" }\n'),
        message="""
            zlig: error: pyproject.toml:10:20: `tool.zlig.wheel.data.scripts`: a path must stay inside the project: no absolute path and no `..`
               |
            10 | data = { scripts = "/usr/bin" }
               |                    ^^^^^^^^^^
        """,
    ),
    Case(
        "wheel_key_misspelt",
        toml(PROJECT, '[tool.zlig.wheel]\nforce_include = { "a" = "b" }\n'),
        message="""
            zlig: error: pyproject.toml:10:1: `tool.zlig.wheel.force_include`: unknown key; did you mean `force-include`?
               |
            10 | force_include = { "a" = "b" }
               | ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "import_name_not_an_identifier",
        toml(PROJECT + 'import-names = ["pkg", "pkg.2fast"]\n'),
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:8:24: `project.import-names[1]`: `pkg.2fast` is not an import name: `2fast` is not a Python identifier
              |
            8 | import-names = ["pkg", "pkg.2fast"]
              |                        ^^^^^^^^^^^
        """,
    ),
    Case(
        "import_name_a_keyword",
        toml(PROJECT + 'import-names = ["pkg.import"]\nimport-namespaces = ["pkg"]\n'),
        message="""
            zlig: error: pyproject.toml:8:17: `project.import-names[0]`: `pkg.import` cannot be imported: `import` is a Python keyword
              |
            8 | import-names = ["pkg.import"]
              |                 ^^^^^^^^^^^^
        """,
    ),
    Case(
        "import_name_not_in_the_wheel",
        toml(PROJECT + 'import-names = ["pkg", "other"]\n'),
        hook="build_sdist",
        message="""
            zlig: error: pyproject.toml:8:24: `project.import-names[1]`: the wheel has no module or package `other`: list only names that `import` finds once the project is installed
              |
            8 | import-names = ["pkg", "other"]
              |                        ^^^^^^^
        """,
    ),
    Case(
        "import_name_also_a_namespace",
        toml(PROJECT + 'import-names = ["pkg"]\nimport-namespaces = ["pkg"]\n'),
        message="""
            zlig: error: pyproject.toml:9:22: `project.import-namespaces[0]`: `pkg` is listed in `import-names` too: a name is either provided or a namespace (PEP 794)
              |
            9 | import-namespaces = ["pkg"]
              |                      ^^^^^
        """,
    ),
    Case(
        "import_names_misspelt",
        toml(PROJECT + 'import-name = ["pkg"]\n'),
        message="""
            zlig: error: pyproject.toml:8:1: `project.import-name`: unknown key; did you mean `import-names`?
              |
            8 | import-name = ["pkg"]
              | ^^^^^^^^^^^
        """,
    ),
    Case(
        "sbom_files_match_nothing",
        toml(PROJECT, '[tool.zlig]\nsbom-files = ["sbom/*.json"]\n'),
        message="""
            zlig: error: pyproject.toml:10:15: `tool.zlig.sbom-files[0]`: matches no file
               |
            10 | sbom-files = ["sbom/*.json"]
               |               ^^^^^^^^^^^^^
        """,
    ),
    Case(
        "sbom_file_named_like_zlig_s",
        toml(PROJECT, '[tool.zlig]\nsbom-files = ["zlig.cdx.json"]\n'),
        files={"zlig.cdx.json": "{}"},
        hook="prepare_metadata_for_build_wheel",
        message="""
            zlig: error: pyproject.toml:10:15: `tool.zlig.sbom-files[0]`: `zlig.cdx.json`: `.dist-info/sboms/` holds a file named `zlig.cdx.json` already; rename one of them
               |
            10 | sbom-files = ["zlig.cdx.json"]
               |               ^^^^^^^^^^^^^^^
        """,
    ),
    Case(
        "config_settings_not_a_mapping",
        toml(PROJECT, EXTENSION),
        config=["verbose"],
        message="""
            zlig: error: config_settings must be a mapping of setting names to values, not list (a bug in the frontend calling zlig)
        """,
    ),
    # ------------------------------------------------------------------ values that reach generated files
    # (tests/test_generated_files.py proves that none runs what it carries)
    Case(
        "include_dir_holding_a_nul",
        toml(PROJECT, extension('include-dirs = ["inc\\u0000"]')),
        message=r"""
            zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: `inc\0` holds a NUL character (`\0`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | include-dirs = ["inc\u0000"]
               |                 ^^^^^^^^^^^
        """,
    ),
    Case(
        "cython_directive_holding_a_tab",
        toml(PROJECT, '[tool.zlig.cython]\ndirectives = { c_string_type = "str\\tx" }\n', PYX_EXTENSION),
        setup=with_cython(),
        message=r"""
            zlig: error: pyproject.toml:10:32: `tool.zlig.cython.directives.c_string_type`: `str\tx` holds a control character (`\t`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            10 | directives = { c_string_type = "str\tx" }
               |                                ^^^^^^^^
        """,
    ),
    Case(
        "config_build_dir_holding_a_line_break",
        toml(PROJECT, EXTENSION),
        config={"build-dir": "build\nx"},
        message=r"""
            zlig: error: config_settings: `build-dir`: `build\nx` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
]

assert len({case.id for case in CASES}) == len(CASES)

# ---------------------------------------------------------------------------- running

HOOK = (
    "import json, sys, zlig\n"
    "name, out, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])\n"
    "hook = getattr(zlig, name)\n"
    "print(hook(config) if name.startswith('get_requires') else hook(out, config))"
)


def make_project(case: Case, tmp: Path) -> tuple[Path, dict]:
    """The case's project under `tmp/project`, and the environment changes it needs."""
    project = tmp / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "src" / "pkg" / "__init__.py").write_text("")
    (project / "src" / "pkg" / "fast.c").write_text(FAST_C)
    # A lone surrogate stands for a byte that is not UTF-8.
    (project / "pyproject.toml").write_bytes(case.pyproject.encode("utf-8", "surrogateescape"))
    for name, content in case.files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    env_changes = case.setup(project, tmp) if case.setup else {}
    return project, env_changes


def with_changes(env: dict, changes: dict) -> dict:
    env = dict(env)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def check_failure(case: Case, output: str, returncode: int, out: Path) -> None:
    """What every bad input must give: the case's message, once, and nothing else amiss;
    `out` is the output folder, in the test's temporary folder."""
    assert returncode != 0, f"the build succeeded:\n{output}"
    assert "Traceback" not in output, output
    assert "panicked" not in output, output
    assert "internal error" not in output.lower(), output
    assert scrubbed(error_message(output), out.parent) == case.message
    assert sorted(p.name for p in out.iterdir()) == [], "the failed build left files behind"


def params(cases) -> list:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.bug, strict=True)] if case.bug else [],
        )
        for case in cases
    ]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_through_the_hook(case, zlig_venv, frontend_env, cython_path, tmp_path):
    project, env_changes = make_project(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(
        HOOK,
        case.hook,
        str(out),
        json.dumps(case.config),
        cwd=project,
        env=with_changes(frontend_env, env_changes),
    )
    check_failure(case, proc.stdout, proc.returncode, out)


# Every spelling of a path in the wheel that aliases another entry, and the data schemes
# that would replace a file on install: through `pip wheel` and `uv build` too.
WHEEL_PATH_CASES = [
    *(c.id for c in CASES if c.id.startswith("force_include_alias_")),
    "force_include_two_targets_one_path",
    "wheel_data_purelib_replaces_a_package_file",
    "wheel_data_script_shadows_a_console_script",
]

# A few cases through `pip wheel`, the way a user meets them: pip shows zlig's message once
# (from the first hook that meets the mistake) and no traceback of its own. (Malformed TOML
# never reaches zlig through pip: pip parses pyproject.toml itself first.)
PIP_CASES = [
    "unknown_project_key",
    "invalid_spdx_license",
    "sources_match_nothing",
    "header_listed_in_sources",
    "config_sparc_target",
    "version_file_is_a_fifo",
    *WHEEL_PATH_CASES,
]


@pytest.mark.parametrize("case", params(c for c in CASES if c.id in WHEEL_PATH_CASES))
def test_bad_wheel_path_through_uv(case, frontend, tmp_path):
    """`uv build --wheel`: the sdist first, then its wheel, which meets the mistake."""
    project, env_changes = make_project(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    proc = run(
        [Path(sys.executable).parent / "uv", "build", "--wheel", "--no-index", "--find-links", frontend.wheelhouse,
         "--refresh", "--python", sys.executable, "-o", out, project],
        env=with_changes(frontend.env, env_changes),
        check=False,
    )
    # uv's own mark on an output folder it writes into.
    (out / ".gitignore").unlink(missing_ok=True)
    check_failure(case, proc.stdout, proc.returncode, out)


@pytest.mark.parametrize("case", params(c for c in CASES if c.id in PIP_CASES))
def test_bad_input_through_pip(case, frontend, tmp_path):
    project, env_changes = make_project(case, tmp_path)
    args = [arg for key, value in case.config.items() for arg in ("-C", f"{key}={value}")]
    out = tmp_path / "out"
    built = frontend.pip_wheel(
        project, out, *args, env=with_changes(frontend.env, env_changes), check=False
    )
    check_failure(case, built.output, built.returncode, out)


def test_hooks_before_build_wheel_report_pyproject_mistakes_too(zlig_venv, frontend_env, tmp_path):
    """pip meets a broken pyproject.toml first in get_requires_for_build_wheel, then in
    prepare_metadata_for_build_wheel; build_sdist reads it too."""
    case = next(c for c in CASES if c.id == "unknown_project_key")
    project, _ = make_project(case, tmp_path)
    for hook in ("get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_sdist"):
        out = tmp_path / hook
        out.mkdir()
        proc = zlig_venv.call(HOOK, hook, str(out), "{}", cwd=project, env=frontend_env)
        check_failure(case, proc.stdout, proc.returncode, out)


def test_relative_home_fails_and_puts_nothing_in_the_project(zlig_venv, frontend_env, tmp_path):
    """A relative HOME would put zig's cache and zlig's (tool answers, kept tools) in
    whatever folder the build runs in: the project."""
    case = next(c for c in CASES if c.id == "home_relative")
    project, env_changes = make_project(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(HOOK, "build_wheel", str(out), "{}", cwd=project, env=with_changes(frontend_env, env_changes))
    check_failure(case, proc.stdout, proc.returncode, out)
    assert [str(p) for p in tmp_path.rglob("relative-home")] == []


def test_project_folder_not_utf8_is_one_message_through_a_frontend(frontend, tmp_path):
    """The folder's name holds the byte 0xff. Through `python -m build`: `pip wheel` cannot
    take such a path at all (pip's own UnicodeEncodeError, before any hook runs)."""
    project = Path(os.fsdecode(os.fsencode(tmp_path) + b"/proj\xff"))
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "src" / "pkg" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(toml(PROJECT))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "-o", out, "."],
        cwd=project,
        env=frontend.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=900,
        check=False,
    )
    output = proc.stdout.decode("utf-8", "backslashreplace")
    assert proc.returncode == 1, output
    assert scrubbed(error_message(output), tmp_path) == expected(r"""
        zlig: error: the project folder [TMP]/proj\xff is not valid UTF-8; zlig needs UTF-8 paths: rename it
    """)
    assert "Traceback" not in output
    assert not out.exists() or list(out.iterdir()) == []
