"""A catalogue of bad inputs: each one fails with one message that names the key, what
was expected and, where the mistake has a place, `pyproject.toml:LINE:COL`; no traceback,
no panic, and nothing in the output folder.

Each case is a small project (`src/pkg/__init__.py`, `src/pkg/fast.c`) with one mistake,
built by calling a hook in the `zlig_venv` (tens of milliseconds when the mistake is in
pyproject.toml); a few go through `pip wheel` as well, for the frontend's view.
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

from helpers import CACHE, run, without_zig_on_path

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


def place(text: str, at: str) -> tuple[int, int]:
    """The 1-based line and column of the `^` in `at`, a snippet of `text` that occurs once."""
    snippet = at.replace("^", "")
    assert text.count(snippet) == 1, f"{snippet!r} must occur once in the test's pyproject.toml"
    offset = text.index(snippet) + at.index("^")
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


@dataclasses.dataclass
class Case:
    id: str
    pyproject: str
    key: str | None  # the key path the message names, as `key`
    expect: tuple[str, ...] = ()  # further parts the message must contain
    at: str | None = None  # a snippet of `pyproject` with `^` where the report points
    suggestion: str | None = None  # the "did you mean"
    files: dict = dataclasses.field(default_factory=dict)  # extra files: path → str or bytes
    setup: Callable[[Path, Path], dict] | None = None  # (project, tmp) → env changes
    config: dict = dataclasses.field(default_factory=dict)
    hook: str = "build_wheel"
    absent: tuple[str, ...] = ()  # parts the message must not contain
    bug: str | None = None  # a known backend bug: the case is a strict xfail


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

# Why a value holding a control character is refused (src/project/text.rs).
GENERATED_FILE_RULE = (
    "which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
)

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
        key=None,
        expect=("invalid TOML",),
        at='description = "unterminated^',
    ),
    Case(
        "malformed_toml_duplicate_key",
        toml(PROJECT + 'name = "pkg"\n'),
        key=None,
        expect=("invalid TOML", "duplicate key"),
        at='version = "1.0"\n^name = "pkg"',
    ),
    Case(
        "pyproject_not_utf8",
        toml(PROJECT + 'description = "caf\udce9"\n'),
        key=None,
        expect=("pyproject.toml", "UTF-8"),
    ),
    Case(
        "sources_is_a_string_not_a_list",
        toml(PROJECT, extension(sources='"src/pkg/fast.c"')),
        key="tool.zlig.extensions[0].sources",
        expect=("expected an array of strings, found a string",),
        at='sources = ^"src/pkg/fast.c"',
    ),
    Case(
        "extension_name_is_a_list_not_a_string",
        toml(PROJECT, '[[tool.zlig.extensions]]\nname = ["pkg.fast"]\nsources = ["src/pkg/fast.c"]\n'),
        key="tool.zlig.extensions[0].name",
        expect=("expected a string, found an array",),
        at='name = ^["pkg.fast"]',
    ),
    Case(
        "project_name_is_an_integer",
        toml('[project]\nname = 42\nversion = "1.0"\n'),
        key="project.name",
        expect=("expected a string, found an integer",),
        at="name = ^42",
    ),
    Case(
        "description_is_a_table_not_a_string",
        toml(PROJECT + 'description = {text = "x"}\n'),
        key="project.description",
        expect=("expected a string, found a table",),
        at='description = ^{text = "x"}',
    ),
    Case(
        "extensions_is_a_table_not_an_array",
        toml(PROJECT, '[tool.zlig]\nextensions = {name = "pkg.fast", sources = ["src/pkg/fast.c"]}\n'),
        key="tool.zlig.extensions",
        expect=("expected an array of tables, found a table",),
        at="extensions = ^{",
    ),
    Case(
        "optional_is_a_string_not_a_boolean",
        toml(PROJECT, extension('optional = "yes"')),
        key="tool.zlig.extensions[0].optional",
        expect=("expected a boolean, found a string",),
        at='optional = ^"yes"',
    ),
    Case(
        "authors_is_a_string_not_an_array",
        toml(PROJECT + 'authors = "me"\n'),
        key="project.authors",
        expect=("expected an array of tables, found a string",),
        at='authors = ^"me"',
    ),
    Case(
        "urls_is_an_array_not_a_table",
        toml(PROJECT + 'urls = ["https://example.org"]\n'),
        key="project.urls",
        expect=("expected a table, found an array",),
        at='urls = ^["https://example.org"]',
    ),
    Case(
        "tool_zlig_is_a_string_not_a_table",
        toml(PROJECT, '[tool]\nzlig = "yes"\n'),
        key="tool.zlig",
        expect=("expected a table, found a string",),
        at='zlig = ^"yes"',
    ),
    Case(
        "build_dir_is_an_integer",
        toml(PROJECT, "[tool.zlig]\nbuild-dir = 3\n"),
        key="tool.zlig.build-dir",
        expect=("expected a string, found an integer",),
        at="build-dir = ^3",
    ),
    # ------------------------------------------------------------------ unknown keys
    Case(
        "unknown_tool_zlig_key",
        toml(PROJECT, '[tool.zlig]\noptimze = "Debug"\n'),
        key="tool.zlig.optimze",
        expect=("unknown key",),
        at='^optimze = "Debug"',
        suggestion="optimize",
    ),
    Case(
        "unknown_extension_key_with_underscore",
        toml(PROJECT, extension('include_dirs = ["src"]')),
        key="tool.zlig.extensions[0].include_dirs",
        expect=("unknown key",),
        at='^include_dirs = ["src"]',
        suggestion="include-dirs",
    ),
    Case(
        "unknown_project_key",
        toml(PROJECT + 'dependecies = ["attrs"]\n'),
        key="project.dependecies",
        expect=("unknown key",),
        at="^dependecies",
        suggestion="dependencies",
    ),
    # ------------------------------------------------------------------ [project]
    Case(
        "missing_project_table",
        toml('[tool.zlig]\npackages = ["pkg"]\n'),
        key=None,
        expect=("pyproject.toml", "missing `[project]` table", "name and version"),
    ),
    Case(
        "missing_project_name",
        toml('[project]\nversion = "1.0"\n'),
        key="project",
        expect=("missing required key `name`",),
        at="^[project]",
    ),
    Case(
        "missing_version_without_dynamic",
        toml('[project]\nname = "pkg"\n'),
        key="project",
        expect=("missing required key `version`", "dynamic"),
        at="^[project]",
    ),
    Case(
        "invalid_pep440_version",
        toml('[project]\nname = "pkg"\nversion = "1.0-banana"\n'),
        key="project.version",
        expect=("not a valid PEP 440 version",),
        at='version = ^"1.0-banana"',
    ),
    Case(
        "invalid_project_name",
        toml('[project]\nname = "-pkg-"\nversion = "1.0"\n', '[tool.zlig]\npackages = ["pkg"]\n'),
        key="project.name",
        expect=("not a valid project name",),
        at='name = ^"-pkg-"',
    ),
    Case(
        "invalid_project_name_without_its_package",
        toml('[project]\nname = "-pkg-"\nversion = "1.0"\n'),
        key="project.name",
        expect=("not a valid project name",),
        at='name = ^"-pkg-"',
    ),
    Case(
        "invalid_pep508_dependency",
        toml(PROJECT + 'dependencies = ["attrs", "requests >>= 2"]\n'),
        key="project.dependencies[1]",
        expect=("not a valid PEP 508 requirement", ">>="),
        at='"attrs", ^"requests >>= 2"',
    ),
    Case(
        "invalid_pep508_optional_dependency",
        toml(PROJECT, '[project.optional-dependencies]\ntest = ["pytest["]\n'),
        key="project.optional-dependencies.test[0]",
        expect=("not a valid PEP 508 requirement",),
        at='test = [^"pytest["]',
    ),
    Case(
        "invalid_extra_name",
        toml(PROJECT, '[project.optional-dependencies]\n"bad extra!" = ["attrs"]\n'),
        key='project.optional-dependencies."bad extra!"',
        expect=("not a valid extra name",),
        at='"bad extra!" = ^["attrs"]',
    ),
    Case(
        "invalid_spdx_license",
        toml(PROJECT + 'license = "MIT-ish"\n'),
        key="project.license",
        expect=("not a valid SPDX license expression",),
        at='license = ^"MIT-ish"',
    ),
    Case(
        "invalid_requires_python",
        toml(PROJECT + 'requires-python = ">=3.9,,"\n'),
        key="project.requires-python",
        expect=("not a valid PEP 440 version specifier",),
        at='requires-python = ^">=3.9,,"',
    ),
    Case(
        "invalid_requires_python_quoted_once",
        toml(PROJECT + 'requires-python = ">=3.9,,"\n'),
        key="project.requires-python",
        at='requires-python = ^">=3.9,,"',
        # The parser's own rendering (the value on a line of its own, then a pointer line of
        # blanks) comes before zlig's snippet.
        absent=("expected operator:\n>=3.9,,\n",),
    ),
    Case(
        "missing_readme_file",
        toml(PROJECT + 'readme = "README.md"\n'),
        key="project.readme",
        expect=("`README.md` does not exist",),
        at='readme = ^"README.md"',
    ),
    Case(
        "unknown_readme_type",
        toml(PROJECT + 'readme = "README.adoc"\n'),
        key="project.readme",
        expect=("unknown readme type", ".md", "content-type"),
        at='readme = ^"README.adoc"',
        files={"README.adoc": "= pkg\n"},
    ),
    Case(
        "readme_table_without_content_type",
        toml(PROJECT + 'readme = {file = "README.adoc"}\n'),
        key="project.readme",
        expect=("missing `content-type`",),
        at='readme = ^{file = "README.adoc"}',
        files={"README.adoc": "= pkg\n"},
    ),
    Case(
        "missing_license_file",
        toml(PROJECT + 'license = {file = "LICENSE.txt"}\n'),
        key="project.license.file",
        expect=("`LICENSE.txt` does not exist",),
        at='license = {file = ^"LICENSE.txt"}',
    ),
    Case(
        "license_files_glob_matches_nothing",
        toml(PROJECT + 'license-files = ["LICENSES/*.txt"]\n'),
        key="project.license-files[0]",
        expect=("matches no file",),
        at='license-files = [^"LICENSES/*.txt"]',
    ),
    Case(
        "console_scripts_in_entry_points",
        toml(PROJECT, '[project.entry-points.console_scripts]\npkg = "pkg:main"\n'),
        key="project.entry-points.console_scripts",
        expect=("use `[project.scripts]`",),
        at="^[project.entry-points.console_scripts]",
    ),
    Case(
        "script_reference_without_function",
        toml(PROJECT, '[project.scripts]\npkg = "pkg:"\n'),
        key="project.scripts.pkg",
        expect=("expected an object reference such as `package.module:function`",),
        at='pkg = ^"pkg:"',
    ),
    Case(
        "dynamic_lists_an_unsupported_field",
        toml('[project]\nname = "pkg"\nversion = "1.0"\ndynamic = ["dependencies"]\n'),
        key="project.dynamic[0]",
        expect=("only `version` and `description`", "not `dependencies`"),
        at='dynamic = [^"dependencies"]',
    ),
    Case(
        "dynamic_version_without_dunder_version",
        toml('[project]\nname = "pkg"\ndynamic = ["version"]\n'),
        key=None,
        expect=("`version` is dynamic", "src/pkg/__init__.py", '`__version__ = "..."`'),
    ),
    Case(
        "version_both_dynamic_and_given",
        toml('[project]\nname = "pkg"\nversion = "1.0"\ndynamic = ["version"]\n'),
        key="project.version",
        expect=("listed in `dynamic` and also given",),
        at='version = ^"1.0"',
    ),
    # ------------------------------------------------------------------ extensions
    Case(
        "invalid_extension_name",
        toml(PROJECT, extension(name="pkg.fast-mod")),
        key="tool.zlig.extensions[0].name",
        expect=("expected a dotted module name",),
        at='name = ^"pkg.fast-mod"',
    ),
    Case(
        "duplicate_extension_name",
        toml(PROJECT, EXTENSION, extension(sources='["src/pkg/*.c"]')),
        key="tool.zlig.extensions[1].name",
        expect=("another extension has the same name",),
        at='^"pkg.fast"\nsources = ["src/pkg/*.c"]',
    ),
    Case(
        "extension_clashes_with_py_module",
        toml(PROJECT, EXTENSION),
        key="tool.zlig.extensions[0].name",
        expect=("clashes with the Python module src/pkg/fast.py",),
        at='name = ^"pkg.fast"',
        files={"src/pkg/fast.py": ""},
    ),
    Case(
        "extension_named_like_a_package",
        toml(
            '[project]\nname = "proj"\nversion = "1.0"\n',
            '[tool.zlig]\npackages = ["pkg"]\n',
            extension(name="pkg"),
        ),
        key="tool.zlig.extensions[0].name",
        expect=("clashes with the package src/pkg",),
        at='name = ^"pkg"',
    ),
    Case(
        "extension_under_a_module",
        toml(PROJECT, '[tool.zlig]\npackages = ["pkg", "mod"]\n', extension(name="mod.fast")),
        key="tool.zlig.extensions[0].name",
        expect=("`mod`",),
        at='name = ^"mod.fast"',
        files={"src/mod.py": ""},
        absent=("add it to `tool.zlig.packages`",),
    ),
    Case(
        "extension_outside_shipped_packages",
        toml(PROJECT, extension(name="other.fast")),
        key="tool.zlig.extensions[0].name",
        expect=("package `other`", "not one of the packages shipped", "tool.zlig.packages"),
        at='name = ^"other.fast"',
    ),
    Case(
        "sources_match_nothing",
        toml(PROJECT, extension(sources='["src/pkg/*.cpp"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("matches no file",),
        at='sources = [^"src/pkg/*.cpp"]',
    ),
    Case(
        "sources_match_nothing_in_sdist",
        toml(PROJECT, extension(sources='["src/pkg/*.cpp"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("matches no file",),
        at='sources = [^"src/pkg/*.cpp"]',
        hook="build_sdist",
    ),
    Case(
        "sources_empty_list",
        toml(PROJECT, extension(sources="[]")),
        key="tool.zlig.extensions[0].sources",
        at="sources = ^[]",
        absent=("missing required key",),
    ),
    Case(
        "header_listed_in_sources",
        toml(PROJECT, extension(sources='["src/pkg/fast.h", "src/pkg/fast.c"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("`src/pkg/fast.h` is not a C", "list headers in `depends`"),
        at='sources = [^"src/pkg/fast.h"',
        files={"src/pkg/fast.h": ""},
    ),
    Case(
        "header_listed_in_second_source",
        toml(PROJECT, extension(sources='["src/pkg/fast.c", "src/pkg/fast.h"]')),
        key="tool.zlig.extensions[0].sources[1]",
        expect=("`src/pkg/fast.h` is not a C", "list headers in `depends`"),
        at='"src/pkg/fast.c", ^"src/pkg/fast.h"',
        files={"src/pkg/fast.h": ""},
    ),
    Case(
        "several_zig_roots",
        toml(PROJECT, extension(sources='["src/pkg/*.zig"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("`src/pkg/b.zig` is a second .zig file", "only the root .zig file"),
        at='sources = [^"src/pkg/*.zig"]',
        files={"src/pkg/a.zig": "", "src/pkg/b.zig": ""},
    ),
    Case(
        "missing_include_dir",
        toml(PROJECT, extension('include-dirs = ["include"]')),
        key="tool.zlig.extensions[0].include-dirs[0]",
        expect=("include directory `include` does not exist",),
        at='include-dirs = [^"include"]',
    ),
    Case(
        "missing_library_dir",
        toml(PROJECT, extension('library-dirs = ["lib"]')),
        key="tool.zlig.extensions[0].library-dirs[0]",
        expect=("library directory `lib` does not exist",),
        at='library-dirs = [^"lib"]',
    ),
    Case(
        "invalid_macro_name",
        toml(PROJECT, extension('define-macros = ["1BAD=2"]')),
        key="tool.zlig.extensions[0].define-macros[0]",
        expect=("`1BAD` is not a valid C macro name",),
        at='define-macros = [^"1BAD=2"]',
    ),
    Case(
        "unknown_language",
        toml(PROJECT, extension('language = "fortran"')),
        key="tool.zlig.extensions[0].language",
        expect=("expected `c`, `c++` or `zig`",),
        at='language = ^"fortran"',
    ),
    Case(
        "when_without_marker",
        toml(PROJECT, EXTENSION, '[[tool.zlig.extensions.when]]\ndefine-macros = ["X"]\n'),
        key="tool.zlig.extensions[0].when[0]",
        expect=("missing required key `marker`", "PEP 508 marker"),
        at="^[[tool.zlig.extensions.when]]",
    ),
    Case(
        "when_with_invalid_marker",
        toml(PROJECT, EXTENSION, "[[tool.zlig.extensions.when]]\nmarker = \"platform_machine = 'x86_64'\"\n"),
        key="tool.zlig.extensions[0].when[0].marker",
        expect=("not a valid PEP 508 marker",),
        at='marker = ^"platform_machine',
    ),
    Case(
        "unsupported_extra_link_arg",
        toml(PROJECT, extension('extra-link-args = ["-lm", "-Wl,-Bsymbolic-functions"]')),
        key="tool.zlig.extensions[0].extra-link-args[1]",
        expect=("`-Wl,-Bsymbolic-functions` is not a link argument zlig can pass on", "zlig links it with a version script", "-lNAME"),
        at='"-lm", ^"-Wl,-Bsymbolic-functions"',
    ),
    Case(
        "py_limited_api_as_a_version_number",
        toml(PROJECT, '[tool.zlig]\npy-limited-api = "3.8"\n', EXTENSION),
        key="tool.zlig.py-limited-api",
        expect=("expected a CPython version tag such as `cp38`",),
        at='py-limited-api = ^"3.8"',
    ),
    Case(
        "py_limited_api_newer_than_the_interpreter",
        toml(PROJECT, extension(f'py-limited-api = "{NEXT_PY_TAG}"')),
        key="tool.zlig.extensions[0].py-limited-api",
        expect=("newer than the interpreter",),
        at=f'py-limited-api = ^"{NEXT_PY_TAG}"',
    ),
    Case(
        "source_glob_with_dotdot",
        toml(PROJECT, extension(sources='["src/../../elsewhere/*.c"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("must stay inside the project", "`..`"),
        at='sources = [^"src/../',
    ),
    Case(
        "source_glob_absolute",
        toml(PROJECT, extension(sources='["/usr/include/*.h"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("must stay inside the project", "absolute"),
        at='sources = [^"/usr/include/*.h"]',
    ),
    Case(
        "source_symlink_to_a_file_outside",
        toml(PROJECT, extension(sources='["src/pkg/*.c"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("`src/pkg/evil.c` resolves to", "outside the project"),
        at='sources = [^"src/pkg/*.c"]',
        setup=outside_file("evil.c"),
    ),
    # ------------------------------------------------------------------ [tool.zlig]
    Case(
        "package_does_not_exist",
        toml(PROJECT, '[tool.zlig]\npackages = ["pkg", "nope"]\n'),
        key="tool.zlig.packages[1]",
        expect=("no package or module `nope`", "nope/__init__.py"),
        at='"pkg", ^"nope"',
    ),
    Case(
        "default_package_does_not_exist",
        toml('[project]\nname = "pkg2"\nversion = "1.0"\n'),
        key="project.name",
        expect=("no package or module `pkg2`", "tool.zlig.packages"),
        at='name = ^"pkg2"',
    ),
    Case(
        "python_source_does_not_exist",
        toml(PROJECT, '[tool.zlig]\npython-source = "lib"\n'),
        key="tool.zlig.python-source",
        expect=("folder `lib` does not exist",),
        at='python-source = ^"lib"',
    ),
    Case(
        "unknown_backend",
        toml(PROJECT, '[tool.zlig]\nbackend = "ninja2"\n', EXTENSION),
        key="tool.zlig.backend",
        expect=("unknown backend `ninja2`", "available: ", "zig"),
        at='backend = ^"ninja2"',
        suggestion="ninja",
    ),
    Case(
        "bad_optimize_in_pyproject",
        toml(PROJECT, '[tool.zlig]\noptimize = "release"\n', EXTENSION),
        key="tool.zlig.optimize",
        expect=("unknown optimize mode `release`", "Debug, ReleaseSafe, ReleaseFast, ReleaseSmall"),
        at='optimize = ^"release"',
        suggestion="ReleaseFast",
    ),
    Case(
        "windows_target_in_pyproject",
        toml(PROJECT, '[tool.zlig]\ntarget = "x86_64-windows-gnu"\n', EXTENSION),
        key="tool.zlig.target",
        expect=("unsupported operating system `windows`", "<arch>-linux-gnu"),
        at='target = ^"x86_64-windows-gnu"',
    ),
    # ------------------------------------------------------------------ config_settings
    Case(
        "config_optimise_misspelt",
        toml(PROJECT, EXTENSION),
        key="optimise",
        expect=("config_settings", "unknown config setting"),
        suggestion="optimize",
        config={"optimise": "Debug"},
    ),
    Case(
        "config_bad_optimize_mode",
        toml(PROJECT, EXTENSION),
        key="optimize",
        expect=("config_settings", "unknown optimize mode `Fast`", "ReleaseFast"),
        config={"optimize": "Fast"},
    ),
    Case(
        "config_windows_target",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=("config_settings", "unsupported operating system `windows`", "<arch>-linux-gnu"),
        config={"target": "x86_64-windows-gnu"},
    ),
    Case(
        "config_sparc_target",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=("config_settings", "unknown architecture `sparc`", "x86_64, aarch64"),
        config={"target": "sparc-linux-gnu"},
    ),
    Case(
        "config_bad_glibc_in_target",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=("config_settings", "bad glibc version `2.x`"),
        config={"target": "x86_64-linux-gnu.2.x"},
    ),
    # ------------------------------------------------------------------ targets zlig cannot prove
    Case(
        "config_musl_cross_target",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=(
            "config_settings",
            "zlig cannot prove that modules built for x86_64-linux-musl work",
            "no musl interpreter",
            "aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu",
        ),
        config={"target": "x86_64-linux-musl"},
    ),
    Case(
        "riscv64_target_in_pyproject",
        toml(PROJECT, '[tool.zlig]\ntarget = "riscv64-linux-gnu"\n', EXTENSION),
        key="tool.zlig.target",
        expect=("zlig cannot prove that modules built for riscv64-linux-gnu.2.31 work", "no riscv64 interpreter"),
        at='target = ^"riscv64-linux-gnu"',
    ),
    Case(
        "config_glibc_older_than_zig_provides",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=("config_settings", "glibc 2.17 is older than zig provides for ppc64le: 2.19 is the oldest"),
        config={"target": "ppc64le-linux-gnu.2.17"},
    ),
    Case(
        "config_glibc_newer_than_zig_knows",
        toml(PROJECT, EXTENSION),
        key="target",
        expect=("config_settings", "glibc 2.45 is newer than zig knows: 2.44 is the newest"),
        config={"target": "x86_64-linux-gnu.2.45"},
    ),
    Case(
        "config_python_include_empty",
        toml(PROJECT, EXTENSION),
        key="python-include",
        expect=("config_settings", "expected a folder"),
        config={"target": "s390x-linux-gnu", "python-include": ""},
    ),
    Case(
        "config_python_include_without_python_h",
        toml(PROJECT, EXTENSION),
        key="python-include",
        expect=("config_settings", "expected the folder holding the target interpreter's Python.h"),
        files={"inc/README": "not headers"},
        config={"target": "s390x-linux-gnu", "python-include": "inc"},
    ),
    Case(
        "config_python_include_of_another_version",
        toml(PROJECT, EXTENSION),
        key="python-include",
        expect=(
            "config_settings",
            f"these headers are Python 3.2's, and the build is for Python 3.{sys.version_info[1]}",
        ),
        files={"inc/Python.h": "", "inc/patchlevel.h": "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 2\n"},
        config={"target": "s390x-linux-gnu", "python-include": "inc"},
    ),
    Case(
        "config_python_include_of_another_platform",
        toml(PROJECT, EXTENSION),
        key="python-include",
        expect=(
            "config_settings",
            "is of a platform with 8-byte pointers, 8-byte long, little-endian, and x86-linux-gnu.2.17 has 4-byte pointers, 4-byte long, little-endian: these are another platform's headers",
        ),
        files={
            "inc/Python.h": "",
            "inc/patchlevel.h": f"#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {sys.version_info[1]}\n",
            "inc/pyconfig.h": "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n",
        },
        config={"target": "i686-linux-gnu", "python-include": "inc"},
    ),
    Case(
        "config_python_include_debian_switch_without_the_platform",
        toml(PROJECT, EXTENSION),
        key="python-include",
        expect=("config_settings", "has no pyconfig.h for s390x-linux-gnu", "s390x-linux-gnu/python3.11/pyconfig.h"),
        files={
            "inc/python3.11/Python.h": "",
            "inc/python3.11/patchlevel.h": f"#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION {sys.version_info[1]}\n",
            "inc/python3.11/pyconfig.h": "#if defined(__x86_64__)\n#  include <x86_64-linux-gnu/python3.11/pyconfig.h>\n#endif\n",
            "inc/x86_64-linux-gnu/python3.11/pyconfig.h": "#define SIZEOF_VOID_P 8\n",
        },
        config={"target": "s390x-linux-gnu", "python-include": "inc/python3.11"},
    ),
    Case(
        "config_build_details_missing",
        toml(PROJECT, EXTENSION),
        key="build-details",
        expect=("config_settings", "cannot read", "nothere.json"),
        config={"target": "s390x-linux-gnu", "build-details": "nothere.json"},
    ),
    Case(
        "config_build_details_not_json",
        toml(PROJECT, EXTENSION),
        key="build-details",
        expect=("config_settings", "is not a PEP 739 build-details.json", "missing field `schema_version`"),
        files={"bd.json": '{"platform": "linux-s390x"}'},
        config={"target": "s390x-linux-gnu", "build-details": "bd.json"},
    ),
    Case(
        "config_build_details_and_python_include",
        toml(PROJECT, EXTENSION),
        key="build-details",
        expect=("config_settings", "`build-details` or `python-include`, not both"),
        files={"bd.json": "{}"},
        config={"target": "s390x-linux-gnu", "build-details": "bd.json", "python-include": "inc"},
    ),
    Case(
        "march_native_in_extra_compile_args",
        toml(PROJECT, extension('extra-compile-args = ["-O3", "-march=native"]')),
        key="tool.zlig.extensions[0].extra-compile-args[1]",
        expect=("`-march=native` builds for the CPU of the machine running the build", "-march=x86-64-v3"),
        at='"-O3", ^"-march=native"',
    ),
    Case(
        "mcpu_native_in_cflags",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("CFLAGS", "`-mcpu=native` builds for the CPU of the machine running the build"),
        setup=lambda project, tmp: {"CFLAGS": "-O2 -mcpu=native"},
    ),
    Case(
        "config_verbose_not_a_boolean",
        toml(PROJECT, EXTENSION),
        key="verbose",
        expect=("config_settings", "expected true or false, found `maybe`"),
        config={"verbose": "maybe"},
    ),
    Case(
        "config_py_limited_api_as_a_version_number",
        toml(PROJECT, EXTENSION),
        key="py-limited-api",
        expect=("config_settings", "expected a CPython version tag such as `cp38`"),
        config={"py-limited-api": "3.8"},
    ),
    Case(
        "config_empty_build_dir",
        toml(PROJECT, EXTENSION),
        key="build-dir",
        expect=("config_settings",),
        config={"build-dir": ""},
    ),
    # ------------------------------------------------------------------ toolchain
    Case(
        "zig_missing_at_ZLIG_ZIG",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("ZLIG_ZIG=/nonexistent/zig", "cannot run it", 'pip install "ziglang'),
        setup=zig_env("/nonexistent/zig"),
    ),
    Case(
        "zig_found_nowhere",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("ziglang package: not installed", "zig on PATH: not found", 'pip install "ziglang', "ZLIG_ZIG"),
        setup=zig_env(None),
    ),
    Case(
        "zig_of_the_wrong_version",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("version 0.13.0", "needs 0.17", 'pip install "ziglang', "ZLIG_ZIG"),
        setup=old_zig,
    ),
    # ------------------------------------------------------------------ the compiler
    Case(
        "c_compile_error",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=(
            "compiling the extensions failed",
            f"src/pkg/fast.c:{BROKEN_LINE_NO}:",
            "error: expected ';'",
            BROKEN_LINE,
            "command:",
        ),
        setup=broken_source,
    ),
    # ------------------------------------------------------------------ Cython
    Case(
        "cython_syntax_error",
        toml(PROJECT, PYX_EXTENSION),
        key=None,
        expect=("compiling the extensions failed", "src/pkg/fast.pyx:3:11:", "Expected ')'", "def broken(:"),
        setup=with_cython("def triple(int x):\n    return 3 * x\ndef broken(:\n    pass\n"),
    ),
    Case(
        "cython_missing_cimport",
        toml(PROJECT, PYX_EXTENSION),
        key=None,
        expect=("compiling the extensions failed", "src/pkg/fast.pyx:1:", "pkg/nothere.pxd' not found"),
        setup=with_cython("from pkg.nothere cimport helper\n"),
    ),
    Case(
        "cython_unknown_directive",
        toml(PROJECT, "[tool.zlig.cython]\ndirectives = { language_level = 3, boundcheck = false }\n", PYX_EXTENSION),
        key="tool.zlig.cython.directives.boundcheck",
        expect=("has no directive `boundcheck`",),
        at="language_level = 3, ^boundcheck",
        suggestion="boundscheck",
        setup=with_cython(),
    ),
    Case(
        "cython_unknown_directive_of_an_extension",
        toml(PROJECT, extension("cython-directives = { wraparoud = false }", sources='["src/pkg/fast.pyx"]')),
        key="tool.zlig.extensions[0].cython-directives.wraparoud",
        expect=("has no directive `wraparoud`",),
        at="cython-directives = { ^wraparoud",
        suggestion="wraparound",
        setup=with_cython(),
    ),
    Case(
        "cython_older_than_requires",
        toml(PROJECT, '[tool.zlig.cython]\nrequires = "cython>=99"\n', PYX_EXTENSION),
        key="tool.zlig.cython.requires",
        expect=("Cython 3.3.1", "does not satisfy `cython>=99`", 'pip install "cython>=99"'),
        at='requires = ^"cython>=99"',
        setup=with_cython(),
    ),
    Case(
        "cython_requires_names_another_package",
        toml(PROJECT, '[tool.zlig.cython]\nrequires = "numpy>=2"\n'),
        key="tool.zlig.cython.requires",
        expect=("expected a requirement on Cython", "cython>=3.0"),
        at='requires = ^"numpy>=2"',
    ),
    Case(
        "cython_table_unknown_key",
        toml(PROJECT, "[tool.zlig.cython]\nanotate = true\n"),
        key="tool.zlig.cython.anotate",
        expect=("unknown key",),
        at="^anotate = true",
        suggestion="annotate",
    ),
    Case(
        "cython_include_dir_missing",
        toml(PROJECT, '[tool.zlig.cython]\ninclude-dirs = ["pxd"]\n', PYX_EXTENSION),
        key="tool.zlig.cython.include-dirs[0]",
        expect=("Cython include directory `pxd` does not exist",),
        at='include-dirs = [^"pxd"]',
        setup=with_cython(),
    ),
    Case(
        "pyx_in_a_zig_extension",
        toml(PROJECT, extension('language = "zig"', sources='["src/pkg/fast.pyx"]')),
        key="tool.zlig.extensions[0].language",
        expect=("`src/pkg/fast.pyx` is a Cython source", 'write `language = "c"`'),
        at='language = ^"zig"',
        setup=with_cython(),
    ),
    Case(
        "two_pyx_in_one_extension",
        toml(PROJECT, extension(sources='["src/pkg/*.pyx"]')),
        key="tool.zlig.extensions[0].sources[0]",
        expect=("`src/pkg/more.pyx` is a second Cython source", "an extension of its own"),
        at='sources = [^"src/pkg/*.pyx"]',
        files={"src/pkg/more.pyx": "x = 1\n"},
        setup=with_cython(),
    ),
    # ------------------------------------------------------------------ headers of Python packages
    Case(
        "include_dir_package_not_importable",
        toml(PROJECT, extension('include-dirs = [{ package = "nosuchpkg" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].package",
        expect=("`nosuchpkg` is not importable in the build environment", "add it to `build-system.requires`", '"nosuchpkg"]'),
        at='{ package = ^"nosuchpkg" }',
    ),
    Case(
        "include_dir_package_attr_missing",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "get_headers" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=("`json` has no `get_headers`: name the function or attribute that gives its include folder",),
        at='attr = ^"get_headers"',
    ),
    Case(
        "include_dir_package_attr_raises",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "dumps" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=("`json.dumps` failed: TypeError:",),
        at='attr = ^"dumps"',
    ),
    Case(
        "include_dir_package_is_a_module_inside_a_module",
        toml(PROJECT, extension('include-dirs = [{ package = "os.sep" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].package",
        expect=("`os` is a module, not a package, so there is no `os.sep` to import",),
        absent=("build-system.requires",),
        at='{ package = ^"os.sep" }',
    ),
    Case(
        "include_dir_package_attr_is_the_root_folder",
        toml(PROJECT, extension('include-dirs = [{ package = "os", attr = "sep" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=('`os.sep` gives "/", the file system\'s root, not a folder of headers',),
        at='attr = ^"sep"',
    ),
    Case(
        "include_dir_package_attr_is_long_text",
        toml(PROJECT, extension('include-dirs = [{ package = "json", attr = "__doc__" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=("`json.__doc__` is 'JSON (JavaScript Object Notation)", "'..., not an absolute path of a folder of headers"),
        absent=("File name too long",),
        at='attr = ^"__doc__"',
    ),
    Case(
        "include_dir_package_attr_is_a_number",
        toml(PROJECT, extension('include-dirs = [{ package = "sys", attr = "maxsize" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=("`sys.maxsize` is int, not the path of a folder of headers",),
        at='attr = ^"maxsize"',
    ),
    Case(
        "include_dir_package_attr_is_the_project",
        toml(PROJECT, extension('include-dirs = [{ package = "os", attr = "getcwd" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].attr",
        expect=("`os.getcwd` gives", "a folder that holds the project's build dir, not a folder of headers"),
        at='attr = ^"getcwd"',
    ),
    Case(
        "include_dir_package_unknown_key",
        toml(PROJECT, extension('include-dirs = [{ pakage = "numpy" }]')),
        key="tool.zlig.extensions[0].include-dirs[0].pakage",
        expect=("unknown key",),
        suggestion="package",
    ),
    Case(
        "init_function_missing",
        toml(PROJECT, extension(name="pkg.other")),
        key=None,
        expect=("pkg.other defines neither PyInit_other nor PyModExport_other",),
    ),
    Case(
        "link_error_unknown_library",
        toml(PROJECT, extension('libraries = ["doesnotexist"]')),
        key=None,
        expect=("compiling the extensions failed", '"doesnotexist"'),
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


INJECTIONS = [
    ("author_name", 'authors = [{name = "A\\nRequires-Dist: evil"}]', "project.authors[0].name"),
    ("author_email", 'authors = [{email = "a@x.org\\nRequires-Dist: evil"}]', "project.authors[0].email"),
    ("maintainer_name", 'maintainers = [{name = "A\\rRequires-Dist: evil"}]', "project.maintainers[0].name"),
    ("keyword", 'keywords = ["fast\\nRequires-Dist: evil"]', "project.keywords[0]"),
    ("classifier", 'classifiers = ["Topic :: X\\nRequires-Dist: evil"]', "project.classifiers[0]"),
    ("url_value", 'urls = {Home = "https://x.org\\nRequires-Dist: evil"}', "project.urls.Home"),
    ("url_label", 'urls = {"Home\\nRequires-Dist: evil" = "https://x.org"}', 'project.urls."Home\\nRequires-Dist: evil"'),
    ("description_cr", 'description = "fast\\rRequires-Dist: evil"', "project.description"),
]

ENTRY_POINT_NAMES = [
    ("script_name_newline", 'scripts = {"a\\n[evil]" = "pkg:main"}', "a script name must be a file name"),
    ("script_name_slash", 'scripts = {"../evil" = "pkg:main"}', "a script name must be a file name"),
    ("entry_point_name_equals", '[project.entry-points."pkg.plugins"]\n"a=b" = "pkg:main"', "an entry point name may not hold `=`"),
    ("entry_point_group_newline", '[project.entry-points."pkg\\n[x]"]\na = "pkg:main"', "an entry-point group name may hold only"),
]

CASES += [
    Case(
        "build_dir_above_the_project",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = ".."\n', EXTENSION),
        key="tool.zlig.build-dir",
        expect=("must stay inside the project",),
        at='build-dir = ^".."',
    ),
    Case(
        "build_dir_absolute_in_pyproject",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "/tmp/zlig-hostile-build"\n', EXTENSION),
        key="tool.zlig.build-dir",
        expect=("must stay inside the project",),
        at='build-dir = ^"/tmp/zlig-hostile-build"',
    ),
    Case(
        "build_dir_empty_in_pyproject",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = ""\n', EXTENSION),
        key="tool.zlig.build-dir",
        expect=("expected a non-empty path",),
    ),
    Case(
        "build_dir_is_the_project",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "."\n', EXTENSION),
        key="tool.zlig.build-dir",
        expect=("would hold the whole project",),
        at='build-dir = ^"."',
    ),
    Case(
        "build_dir_is_the_project_for_the_sdist",
        toml(PROJECT, '[tool.zlig]\nbuild-dir = "."\n', EXTENSION),
        key="tool.zlig.build-dir",
        expect=("would hold the whole project",),
        hook="build_sdist",
    ),
    Case(
        "config_build_dir_is_the_source_folder",
        toml(PROJECT, EXTENSION),
        key="build-dir",
        expect=("would hold the Python source folder `src`",),
        config={"build-dir": "src"},
    ),
    Case(
        "config_build_dir_inside_a_package",
        toml(PROJECT, EXTENSION),
        key="build-dir",
        expect=("lie inside the package `src/pkg`",),
        config={"build-dir": "src/pkg/build"},
    ),
    Case(
        "config_build_dir_zlig_did_not_make",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("docs already holds files and is not a build dir zlig made",),
        files={"docs/index.md": "# Docs\n"},
        config={"build-dir": "docs"},
    ),
    *[
        Case(
            f"metadata_injection_{name}",
            toml(PROJECT + line + "\n"),
            key=key,
            expect=("must be one line of text" if name != "description_cr" else "single line",),
            hook="prepare_metadata_for_build_wheel",
        )
        for name, line, key in INJECTIONS
    ],
    *[
        Case(
            name,
            toml(PROJECT + line + "\n"),
            key=None,
            expect=(message,),
            hook="prepare_metadata_for_build_wheel",
        )
        for name, line, message in ENTRY_POINT_NAMES
    ],
    Case(
        "dynamic_version_is_an_expression",
        toml(DYNAMIC),
        key="__version__",
        expect=("src/pkg/__init__.py:1:15:", "expected one plain string literal"),
        files=dynamic_version('__version__ = "1.0" + ".post1"\n'),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "dynamic_version_is_two_literals",
        toml(DYNAMIC),
        key="__version__",
        expect=("src/pkg/__init__.py:1:15:", "expected one plain string literal"),
        files=dynamic_version('__version__ = "1.0" ".post1"\n'),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "dynamic_version_is_a_tuple",
        toml(DYNAMIC),
        key="__version__",
        expect=("src/pkg/__init__.py:1:15:", "expected one plain string literal"),
        files=dynamic_version('__version__ = "1.0",\n'),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "dynamic_version_last_assignment_is_computed",
        toml(DYNAMIC),
        key="__version__",
        expect=("src/pkg/__init__.py:3:15:", "expected one plain string literal"),
        files=dynamic_version('__version__ = "1.0"\nfrom ._v import v\n__version__ = v\n'),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "dynamic_version_only_inside_a_docstring",
        toml(DYNAMIC),
        key="__version__",
        expect=("no module-level `__version__",),
        files=dynamic_version('"""Docs.\n\n__version__ = "9.9"\n"""\n'),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "file_name_with_a_backslash",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("x\\\\..\\\\evil.py", "it holds a backslash"),
        files={"src/pkg/x\\..\\evil.py": ""},
    ),
    Case(
        "file_name_with_a_newline_in_the_sdist",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("new\\nline.py", "control character"),
        files={"src/pkg/new\nline.py": ""},
        hook="build_sdist",
    ),
    Case(
        "file_name_not_utf8",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("is not valid UTF-8",),
        files={"src/pkg/bad\udcff.py": ""},
    ),
    Case(
        "extension_name_not_ascii",
        toml(PROJECT, extension(name="pkg.f\u00e4st")),
        key="tool.zlig.extensions[0].name",
        expect=("must be ASCII",),
    ),
    Case(
        "home_unset",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("zig needs a folder for its cache", "HOME"),
        setup=home(None),
    ),
    Case(
        "home_relative",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("zig needs a folder for its cache", "HOME"),
        setup=home("relative-home"),
    ),
    Case(
        "tmpdir_missing",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("TMPDIR=", "is not a folder"),
        setup=missing_tmpdir,
    ),
    # ------------------------------------------------------------------ second-round keys
    Case(
        "export_symbols_an_unknown_string",
        toml(PROJECT, extension('export-symbols = "everything"')),
        key="tool.zlig.extensions[0].export-symbols",
        expect=('expected `"all"`',),
        at='export-symbols = ^"everything"',
    ),
    Case(
        "export_symbols_all_in_a_list",
        toml(PROJECT, extension('export-symbols = ["all"]')),
        key="tool.zlig.extensions[0].export-symbols[0]",
        expect=('to export every global symbol, write `export-symbols = "all"`, without the brackets',),
        at='export-symbols = [^"all"]',
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "export_symbols_not_a_c_name",
        toml(PROJECT, extension('export-symbols = ["fast_add", "fast-sub"]')),
        key="tool.zlig.extensions[0].export-symbols[1]",
        expect=("`fast-sub` is not a C symbol name",),
        at='"fast_add", ^"fast-sub"',
    ),
    Case(
        "export_symbols_misspelt",
        toml(PROJECT, extension('export_symbols = ["fast_add"]')),
        key="tool.zlig.extensions[0].export_symbols",
        expect=("unknown key",),
        at="^export_symbols",
        suggestion="export-symbols",
    ),
    Case(
        "version_pattern_does_not_compile",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+"\'\n'),
        key="tool.zlig.version.pattern",
        expect=("not a valid regular expression",),
        at="pattern = ^'VERSION",
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "version_pattern_without_a_group",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION ".+"\'\n'),
        key="tool.zlig.version.pattern",
        expect=("has no group",),
        at="pattern = ^'VERSION",
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
    ),
    Case(
        "version_pattern_matches_nothing",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'PKG_VERSION "(.+)"\'\n'),
        key="tool.zlig.version.pattern",
        expect=("matches nothing in src/pkg/version.h",),
        at="pattern = ^'PKG_VERSION",
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="build_sdist",
    ),
    Case(
        "version_file_missing",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+)"\'\n'),
        key="tool.zlig.version.path",
        expect=("version file `src/pkg/version.h` does not exist",),
        at='path = ^"src/pkg/version.h"',
    ),
    Case(
        "version_file_finds_no_pep440_version",
        toml(DYNAMIC, '[tool.zlig.version]\npath = "src/pkg/version.h"\npattern = \'VERSION "(.+)"\'\n'),
        key=None,
        expect=("src/pkg/version.h:1:18:", "`one-two` (the version `tool.zlig.version.pattern` found) is not a valid PEP 440 version"),
        files={"src/pkg/version.h": '#define VERSION "one-two"\n'},
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "version_file_is_a_folder",
        toml(DYNAMIC, VERSION_H),
        key="tool.zlig.version.path",
        expect=("version file `src/pkg/version.h` is a folder, not a file",),
        at='path = ^"src/pkg/version.h"',
        files={"src/pkg/version.h/x": ""},
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "version_file_is_a_fifo",
        toml(DYNAMIC, VERSION_H),
        key="tool.zlig.version.path",
        expect=("version file `src/pkg/version.h` is a FIFO (a named pipe), not a file",),
        at='path = ^"src/pkg/version.h"',
        setup=fifo("src/pkg/version.h"),
        hook="build_sdist",
    ),
    Case(
        "dunder_version_file_is_a_fifo",
        toml(DYNAMIC),
        key="project.name",
        expect=("`src/pkg/__init__.py` is a FIFO (a named pipe), not a file",),
        setup=fifo("src/pkg/__init__.py"),
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "dunder_version_module_is_a_folder",
        toml(DYNAMIC, '[tool.zlig]\npackages = ["mod"]\n'),
        key="tool.zlig.packages[0]",
        expect=("`src/mod.py` is a folder, not a file",),
        files={"src/mod.py/x.txt": ""},
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "sdist_exclude_removes_the_version_file",
        toml(DYNAMIC, VERSION_H, '[tool.zlig.sdist]\nexclude = ["src/pkg/*.h"]\n'),
        key="tool.zlig.sdist.exclude[0]",
        expect=("removes `src/pkg/version.h` from the sdist, but `tool.zlig.version.path` (pyproject.toml:10:8) reads it: a wheel could not be built from that sdist",),
        at='exclude = [^"src/pkg/*.h"]',
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
        hook="build_sdist",
    ),
    Case(
        "sdist_exclude_removes_the_dunder_version_file",
        toml(DYNAMIC, '[tool.zlig.sdist]\nexclude = ["src/pkg/__init__.py"]\n'),
        key="tool.zlig.sdist.exclude[0]",
        expect=("removes `src/pkg/__init__.py` from the sdist, but `project.dynamic` (pyproject.toml:7:11) reads it",),
        files={"src/pkg/__init__.py": '__version__ = "1.2"\n'},
        hook="build_sdist",
    ),
    Case(
        "version_table_without_dynamic_version",
        toml(PROJECT, '[tool.zlig.version]\npath = "src/pkg/version.h"\n'),
        key="tool.zlig.version",
        expect=("`project.dynamic` does not list `version`",),
        at="^[tool.zlig.version]",
        files={"src/pkg/version.h": '#define VERSION "1.2"\n'},
    ),
    Case(
        "force_include_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "../cov.pth" = "cov.pth" }\n'),
        key='tool.zlig.wheel.force-include."../cov.pth"',
        expect=("must stay inside the project",),
        at='force-include = { ^"../cov.pth"',
    ),
    Case(
        "force_include_linked_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/cov.pth" = "cov.pth" }\n'),
        key='tool.zlig.wheel.force-include."extra/cov.pth"',
        expect=("`extra/cov.pth` resolves to", "outside the project"),
        setup=linked_outside("extra/cov.pth"),
    ),
    Case(
        "force_include_missing",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/cov.pth" = "cov.pth" }\n'),
        key='tool.zlig.wheel.force-include."extra/cov.pth"',
        expect=("`extra/cov.pth` does not exist",),
        at='force-include = { ^"extra/cov.pth"',
        hook="build_sdist",
    ),
    Case(
        "force_include_onto_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/init.py" = "pkg/__init__.py" }\n'),
        key='tool.zlig.wheel.force-include."extra/init.py"',
        expect=("`pkg/__init__.py` in the wheel is a file of the packages already",),
        at='= ^"pkg/__init__.py"',
        files={"extra/init.py": ""},
    ),
    Case(
        "force_include_into_the_dist_info",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.txt" = "pkg-1.0.dist-info/x.txt" }\n'),
        key='tool.zlig.wheel.force-include."extra/x.txt"',
        expect=("written by zlig",),
        at='= ^"pkg-1.0.dist-info/x.txt"',
        files={"extra/x.txt": ""},
    ),
    *[
        Case(
            f"force_include_alias_{name}",
            toml(PROJECT, FORCE_X.format(target)),
            key='tool.zlig.wheel.force-include."extra/x.py"',
            expect=(message,),
            at=f'= ^"{target}"',
            files={"extra/x.py": ""},
        )
        for name, target, message in [
            ("dot_slash", "./pkg/__init__.py", "`pkg/__init__.py` in the wheel is a file of the packages already"),
            ("double_slash", "pkg//__init__.py", "`pkg/__init__.py` in the wheel is a file of the packages already"),
            ("dot_part", "pkg/./__init__.py", "`pkg/__init__.py` in the wheel is a file of the packages already"),
            ("dist_info_through_dot", ".//pkg-1.0.dist-info/RECORD", "written by zlig"),
            ("dist_info_in_capitals", "PKG-1.0.DIST-INFO/RECORD", "written by zlig"),
            ("data_folder", "./pkg-1.0.data/purelib/x.py", "written by zlig"),
            ("root_itself", "./.", "names the wheel's root itself"),
            ("up_and_out", "pkg/../../x.py", "a path in the wheel must stay inside it"),
            ("file_where_the_package_is", "pkg/", "would be installed as the file `pkg` in site-packages, where `pkg/__init__.py` (a file of the packages) needs a folder"),
            ("folder_where_a_file_is", "pkg/__init__.py/x.py", "would be installed as the file `pkg/__init__.py` in site-packages, where `pkg/__init__.py/x.py`"),
        ]
    ],
    Case(
        "force_include_two_targets_one_path",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.py" = "x.py", "extra/y.py" = ".//x.py" }\n'),
        key='tool.zlig.wheel.force-include."extra/y.py"',
        expect=("`x.py` is also the path of `extra/x.py` in the wheel",),
        at='= ^".//x.py"',
        files={"extra/x.py": "", "extra/y.py": ""},
    ),
    Case(
        "force_include_a_file_where_another_target_is_a_folder",
        toml(PROJECT, '[tool.zlig.wheel]\nforce-include = { "extra/x.py" = "extra", "extra/y.py" = "extra/y.py" }\n'),
        key='tool.zlig.wheel.force-include."extra/y.py"',
        expect=("`extra` (a file of `tool.zlig.wheel.force-include.\"extra/x.py\"`) would be installed as the file `extra` in site-packages",),
        files={"extra/x.py": "", "extra/y.py": ""},
    ),
    Case(
        "wheel_data_purelib_replaces_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { purelib = "lib" }\n'),
        key="tool.zlig.wheel.data.purelib",
        expect=("`pkg-1.0.data/purelib/pkg/__init__.py` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `pkg/__init__.py` in site-packages, where `pkg/__init__.py` (a file of the packages) goes already",),
        at='purelib = ^"lib"',
        files={"lib/pkg/__init__.py": ""},
    ),
    Case(
        "wheel_data_purelib_into_a_dist_info_folder",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { purelib = "lib" }\n'),
        key="tool.zlig.wheel.data.purelib",
        expect=("would be installed as `other-2.0.dist-info/METADATA` in site-packages, in a `.dist-info` folder",),
        at='purelib = ^"lib"',
        files={"lib/other-2.0.dist-info/METADATA": "Name: other\n"},
    ),
    Case(
        "wheel_data_into_site_packages_replaces_a_package_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { data = "share" }\n'),
        key="tool.zlig.wheel.data.data",
        expect=("would be installed as `pkg/__init__.py` in site-packages",),
        at='data = ^"share"',
        files={"share/lib/python3.12/site-packages/pkg/__init__.py": ""},
    ),
    Case(
        "wheel_data_platlib_and_purelib_one_file",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { platlib = "a", purelib = "b" }\n'),
        key="tool.zlig.wheel.data.purelib",
        expect=("would be installed as `extra/x.py` in site-packages, where `pkg-1.0.data/platlib/extra/x.py`",),
        files={"a/extra/x.py": "", "b/extra/x.py": ""},
    ),
    Case(
        "wheel_data_script_shadows_a_console_script",
        toml(PROJECT + 'scripts = { tool = "pkg:main" }\n', '[tool.zlig.wheel]\ndata = { scripts = "bin" }\n'),
        key="tool.zlig.wheel.data.scripts",
        expect=("would be installed as `tool` in the environment's scripts folder, where `tool` (a script of `project.scripts`) goes already",),
        at='scripts = ^"bin"',
        files={"bin/tool": "#!/bin/sh\n"},
    ),
    Case(
        "wheel_data_unknown_scheme",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { script = "bin" }\n'),
        key="tool.zlig.wheel.data.script",
        expect=("unknown key",),
        at='data = { ^script',
        suggestion="scripts",
    ),
    Case(
        "wheel_data_folder_outside_the_project",
        toml(PROJECT, '[tool.zlig.wheel]\ndata = { scripts = "/usr/bin" }\n'),
        key="tool.zlig.wheel.data.scripts",
        expect=("must stay inside the project",),
        at='scripts = ^"/usr/bin"',
    ),
    Case(
        "wheel_key_misspelt",
        toml(PROJECT, '[tool.zlig.wheel]\nforce_include = { "a" = "b" }\n'),
        key="tool.zlig.wheel.force_include",
        expect=("unknown key",),
        suggestion="force-include",
    ),
    Case(
        "import_name_not_an_identifier",
        toml(PROJECT + 'import-names = ["pkg", "pkg.2fast"]\n'),
        key="project.import-names[1]",
        expect=("`2fast` is not a Python identifier",),
        at='"pkg", ^"pkg.2fast"',
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "import_name_a_keyword",
        toml(PROJECT + 'import-names = ["pkg.import"]\nimport-namespaces = ["pkg"]\n'),
        key="project.import-names[0]",
        expect=("`import` is a Python keyword",),
        at='import-names = [^"pkg.import"]',
    ),
    Case(
        "import_name_not_in_the_wheel",
        toml(PROJECT + 'import-names = ["pkg", "other"]\n'),
        key="project.import-names[1]",
        expect=("the wheel has no module or package `other`",),
        at='"pkg", ^"other"',
        hook="build_sdist",
    ),
    Case(
        "import_name_also_a_namespace",
        toml(PROJECT + 'import-names = ["pkg"]\nimport-namespaces = ["pkg"]\n'),
        key="project.import-namespaces[0]",
        expect=("is listed in `import-names` too",),
        at='import-namespaces = [^"pkg"]',
    ),
    Case(
        "import_names_misspelt",
        toml(PROJECT + 'import-name = ["pkg"]\n'),
        key="project.import-name",
        expect=("unknown key",),
        at="^import-name =",
        suggestion="import-names",
    ),
    Case(
        "sbom_files_match_nothing",
        toml(PROJECT, '[tool.zlig]\nsbom-files = ["sbom/*.json"]\n'),
        key="tool.zlig.sbom-files[0]",
        expect=("matches no file",),
        at='sbom-files = [^"sbom/*.json"]',
    ),
    Case(
        "sbom_file_named_like_zlig_s",
        toml(PROJECT, '[tool.zlig]\nsbom-files = ["zlig.cdx.json"]\n'),
        key="tool.zlig.sbom-files[0]",
        expect=("holds a file named `zlig.cdx.json` already",),
        files={"zlig.cdx.json": "{}"},
        hook="prepare_metadata_for_build_wheel",
    ),
    Case(
        "config_settings_not_a_mapping",
        toml(PROJECT, EXTENSION),
        key=None,
        expect=("config_settings must be a mapping",),
        config=["verbose"],
    ),
    # ------------------------------------------------------------------ values that reach generated files
    # (tests/test_generated_files.py proves that none runs what it carries)
    Case(
        "include_dir_holding_a_nul",
        toml(PROJECT, extension('include-dirs = ["inc\\u0000"]')),
        key="tool.zlig.extensions[0].include-dirs[0]",
        expect=(f"`inc\\0` holds a NUL character (`\\0`), {GENERATED_FILE_RULE}",),
        at='include-dirs = [^"inc',
    ),
    Case(
        "cython_directive_holding_a_tab",
        toml(PROJECT, '[tool.zlig.cython]\ndirectives = { c_string_type = "str\\tx" }\n', PYX_EXTENSION),
        key="tool.zlig.cython.directives.c_string_type",
        expect=(f"`str\\tx` holds a control character (`\\t`), {GENERATED_FILE_RULE}",),
        at='c_string_type = ^"str',
        setup=with_cython(),
    ),
    Case(
        "config_build_dir_holding_a_line_break",
        toml(PROJECT, EXTENSION),
        key="build-dir",
        expect=(f"config_settings: `build-dir`: `build\\nx` holds a line break (`\\n`), {GENERATED_FILE_RULE}",),
        config={"build-dir": "build\nx"},
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
    """What every bad input must give."""
    assert returncode != 0, f"the build succeeded:\n{output}"
    assert "Traceback" not in output, output
    assert "panicked" not in output, output
    assert "internal error" not in output.lower(), output
    assert output.count("zlig: error:") == 1, f"reported not exactly once:\n{output}"
    if case.key is not None:
        assert f"`{case.key}`" in output, output
    for part in case.expect:
        assert part in output, f"{part!r} is not in:\n{output}"
    for part in case.absent:
        assert part not in output, f"{part!r} is in:\n{output}"
    if case.at is not None:
        line, col = place(case.pyproject, case.at)
        assert f"pyproject.toml:{line}:{col}:" in output, f"no pyproject.toml:{line}:{col}: in:\n{output}"
    if case.suggestion is not None:
        assert f"did you mean `{case.suggestion}`" in output, output
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
    assert output.count("zlig: error:") == 1, output
    assert f"the project folder {tmp_path}/proj\\xff is not valid UTF-8" in output, output
    assert "Traceback" not in output
    assert not out.exists() or list(out.iterdir()) == []
