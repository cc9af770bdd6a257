"""No string from the configuration or the environment becomes a statement of a file zlig
generates. A line break in any value that would reach `build.ninja`, `graph.json`, a depfile
or a `.pth` line (an extension key, a config setting, `CFLAGS`/`CPPFLAGS`/`LDFLAGS`, `CC`,
the project's own path) is refused with its place, and the command it carries never runs;
values that are odd but legal (blanks, quotes, `$`, `#`) build, install and import with
every built-in backend, the object cache included; and a Cython `include` of a file whose
name holds `#` or `$` is followed by the `zig` and `ninja` backends.

Each payload, if it became statements of a ninja file, would add a rule and make its edge
the only default target, creating a marker file; of a `.pth` file, an `import` line doing
the same at every interpreter start.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
from pathlib import Path

import pytest

from buildtools import fresh_user_cache
from conftest import BIN
from helpers import ROOT, error_message, expected, run, scrubbed
from test_bad_input import (
    CYTHON_PATH,
    HOOK,
    PROJECT,
    Case,
    check_failure,
    extension,
    make_project,
    toml,
    with_changes,
)

MARKER = "zlig-marker"

# What a line break lets a value say to ninja: a rule of its own, run instead of the build;
# the spare edge takes the bindings that may follow the line the value is on.
PAYLOAD = f"\nrule evil\n  command = touch {MARKER}\nbuild zlig-evil: evil\ndefault zlig-evil\nbuild zlig-spare: phony\n#"

# What a line break lets a path say to `site`, reading a `.pth` file.
PTH_PAYLOAD = f"\nimport os; open({MARKER!r}, 'w')\n#"



def shown(value: str) -> str:
    """A value as zlig's messages show it: line breaks as `\\n`."""
    return value.replace("\n", "\\n")


def toml_string(value: str) -> str:
    """`value` as a TOML basic string (a JSON string is one)."""
    return json.dumps(value)


def folder(name: str):
    """A setup that makes the project folder `name`."""

    def setup(project: Path, tmp: Path) -> dict:
        (project / name).mkdir()
        return {}

    return setup


def environment(**changes: str):
    """A setup that gives the build these environment variables."""
    return lambda project, tmp: changes


def cython_with_python_source(name: str):
    """A setup that moves the package into the folder `name` (the python-source), puts the
    extension's `.pyx` outside it, and makes Cython importable for the hook."""

    def setup(project: Path, tmp: Path) -> dict:
        (project / "src").rename(project / name)
        (project / "cysrc").mkdir()
        (project / "cysrc" / "fast.pyx").write_text("def triple(int x):\n    return 3 * x\n")
        return {"PYTHONPATH": str(CYTHON_PATH)}

    return setup


def extension_case(id: str, key: str, value: str, message: str, setup=None) -> Case:
    """The extension's `key` holding `value`, with the ninja backend."""
    line = f"{key} = [{toml_string(value)}]"
    return Case(id, toml(PROJECT, extension(line)), message=message, setup=setup, config={"backend": "ninja"})


def env_case(id: str, var: str, first: str, word: str, message: str) -> Case:
    """`var` holding `first`, then `word` quoted as a shell user quotes a word."""
    return Case(
        id,
        toml(PROJECT, extension()),
        message=message,
        setup=environment(**{var: f"{first} {shlex.quote(word)}"}),
        config={"backend": "ninja"},
    )


# The messages name the payload `[PAYLOAD]` (`named_payloads`).
INJECTIONS = [
    extension_case(
        "define_macros",
        "define-macros",
        "X=1" + PAYLOAD,
        message=r"""
            zlig: error: pyproject.toml:12:18: `tool.zlig.extensions[0].define-macros[0]`: `X=1[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | define-macros = ["X=1[PAYLOAD]"]
               |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    extension_case(
        "extra_compile_args",
        "extra-compile-args",
        "-DX=1" + PAYLOAD,
        message=r"""
            zlig: error: pyproject.toml:12:23: `tool.zlig.extensions[0].extra-compile-args[0]`: `-DX=1[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | extra-compile-args = ["-DX=1[PAYLOAD]"]
               |                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    extension_case(
        "libraries",
        "libraries",
        "m" + PAYLOAD,
        message=r"""
            zlig: error: pyproject.toml:12:14: `tool.zlig.extensions[0].libraries[0]`: `m[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | libraries = ["m[PAYLOAD]"]
               |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    extension_case(
        "extra_link_args",
        "extra-link-args",
        "-lm" + PAYLOAD,
        message=r"""
            zlig: error: pyproject.toml:12:20: `tool.zlig.extensions[0].extra-link-args[0]`: `-lm[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | extra-link-args = ["-lm[PAYLOAD]"]
               |                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    extension_case(
        "include_dirs",
        "include-dirs",
        "inc" + PAYLOAD,
        setup=folder("inc" + PAYLOAD),
        message=r"""
            zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: `inc[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | include-dirs = ["inc[PAYLOAD]"]
               |                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    extension_case(
        "library_dirs",
        "library-dirs",
        "lib" + PAYLOAD,
        setup=folder("lib" + PAYLOAD),
        message=r"""
            zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].library-dirs[0]`: `lib[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
               |
            12 | library-dirs = ["lib[PAYLOAD]"]
               |                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    env_case(
        "cflags",
        "CFLAGS",
        "-O2",
        "-DX=1" + PAYLOAD,
        message=r"""
            zlig: error: CFLAGS: `-DX=1[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
    env_case(
        "cppflags",
        "CPPFLAGS",
        "-DA",
        "-Iinc" + PAYLOAD,
        message=r"""
            zlig: error: CPPFLAGS: `-Iinc[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
    env_case(
        "ldflags",
        "LDFLAGS",
        "-lm",
        "-lz" + PAYLOAD,
        message=r"""
            zlig: error: LDFLAGS: `-lz[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
    Case(
        "cc",
        toml(PROJECT, extension()),
        setup=environment(CC="cc " + shlex.quote("-O0" + PAYLOAD)),
        config={"backend": "cc"},
        message=r"""
            zlig: error: config_settings: `backend`: backend `cc` cannot be used: the platform compiler: zlig cannot write it into a build file: CC: `-O0[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
    Case(
        "config_python_source",
        toml(PROJECT, extension(sources='["cysrc/fast.pyx"]')),
        setup=cython_with_python_source("src" + PAYLOAD),
        config={"backend": "ninja", "python-source": "src" + PAYLOAD},
        message=r"""
            zlig: error: config_settings: `python-source`: `src[PAYLOAD]` holds a line break (`\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)
        """,
    ),
]


def named_payloads(output: str) -> str:
    """`output` with each payload, as zlig's messages show it, named `[PAYLOAD]`."""
    return output.replace(shown(PAYLOAD), "[PAYLOAD]")


@pytest.mark.parametrize("case", INJECTIONS, ids=[case.id for case in INJECTIONS])
def test_a_line_break_in_a_value_is_refused_with_its_place_and_runs_nothing(
    case, zlig_venv, backend_env, cython_path, tmp_path
):
    project, env_changes = make_project(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(
        HOOK, "build_wheel", str(out), json.dumps(case.config), cwd=project, env=with_changes(backend_env, env_changes)
    )
    assert list(tmp_path.rglob(MARKER)) == [], f"the payload ran:\n{proc.stdout}"
    check_failure(case, named_payloads(proc.stdout), proc.returncode, out)


def test_a_line_break_in_cflags_is_refused_through_pip(frontend, tmp_path):
    """The frontend's view: one message, no traceback, nothing run, nothing built."""
    case = next(c for c in INJECTIONS if c.id == "cflags")
    project, env_changes = make_project(case, tmp_path)
    env = with_changes(dict(frontend.env, ZLIG_NINJA=str(BIN / "ninja")), env_changes)
    built = frontend.pip_wheel(project, tmp_path / "out", "-C", "backend=ninja", env=env, check=False)
    assert list(tmp_path.rglob(MARKER)) == [], built.output
    check_failure(case, named_payloads(built.output), built.returncode, built.out)


def test_an_editable_install_refuses_a_project_path_that_would_add_a_pth_line(zlig_venv, venvs, frontend_env, tmp_path):
    """The `.pth` file names the project's folder on a line of its own; Python runs a line
    that starts with `import`."""
    project = tmp_path / ("proj" + PTH_PAYLOAD)
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(toml(PROJECT))
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(HOOK, "build_editable", str(out), "{}", cwd=project, env=frontend_env)
    for wheel in out.glob("*.whl"):
        venvs.with_wheels(wheel).run("print('started')", cwd=tmp_path)
    assert list(tmp_path.rglob(MARKER)) == [], proc.stdout
    assert proc.returncode != 0, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected(r"""
        zlig: error: an editable install cannot name `[TMP]/proj\nimport os; open('zlig-marker', 'w')\n#/` on a line of its `.pth` file: it holds a line break (`\n`). Python reads a `.pth` file line by line and runs a line that starts with `import`, so zlig writes only a path that reads back unchanged: move the project to another folder
    """)
    assert list(out.iterdir()) == []


def test_a_user_cache_whose_path_holds_a_line_break_is_left_out(zlig_venv, venvs, backend_env, tmp_path):
    """The object cache's launcher and kept tools are named in `build.ninja`: zlig builds
    without its cache rather than name them."""
    project = odd_project(tmp_path)
    env = fresh_user_cache(backend_env, tmp_path / ("cache" + PAYLOAD))
    wheel = build(zlig_venv, project, tmp_path / "out", dict(env, CFLAGS=ODD_CFLAGS), backend="ninja")
    assert list(tmp_path.rglob(MARKER)) == []
    assert json.loads(venvs.with_wheels(wheel).run(CHECK)) == EXPECTED
    assert not (tmp_path / ("cache" + PAYLOAD) / "zlig").exists()


# ---------------------------------------------------------------------------- odd but legal

ODD_INCLUDE = "inc dir $x #1"
ODD_LIBS = "lib dir $y #2"
GREETING = "hello, world: it's $5 # each \\\"quoted\\\""

NATIVE_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "odd.h"

static PyObject *values(PyObject *self, PyObject *args) {
#ifdef PLAIN
    return Py_BuildValue("(ssssi)", GREETING, FROM_ENV, SPACED, EMPTY "", ODD_VALUE);
#else
    return NULL;
#endif
}
static PyMethodDef methods[] = {{"values", values, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};
PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&def); }
"""

ODD_PYPROJECT = f"""\
[build-system]
requires = ["zlig"]
build-backend = "zlig"

[project]
name = "oddvalues"
version = "1.0"

[[tool.zlig.extensions]]
name = "oddvalues._native"
sources = ["csrc/native.c"]
include-dirs = [{toml_string(ODD_INCLUDE)}]
library-dirs = [{toml_string(ODD_LIBS)}]
libraries = ["m"]
define-macros = [{toml_string(f'GREETING="{GREETING}"')}, "PLAIN", "EMPTY="]
extra-compile-args = ['-DSPACED="a  b\\tc"']
"""

# A word with blanks, quotes, `$` and `#`, as a shell user writes it.
ODD_CFLAGS = """-O2 -DFROM_ENV='"env $z #3"'"""

EXPECTED = ["hello, world: it's $5 # each \"quoted\"", "env $z #3", "a  b\tc", "", 7]


def odd_project(parent: Path, name: str = "oddvalues") -> Path:
    """`oddvalues._native.values()`: macros from pyproject.toml and CFLAGS, and a value from a
    header in a folder whose name holds blanks, `$` and `#`."""
    project = parent / name
    (project / "oddvalues").mkdir(parents=True)
    (project / "oddvalues" / "__init__.py").write_text("")
    (project / "csrc").mkdir()
    (project / "csrc" / "native.c").write_text(NATIVE_C)
    (project / ODD_INCLUDE).mkdir()
    (project / ODD_INCLUDE / "odd.h").write_text("#define ODD_VALUE 7\n")
    (project / ODD_LIBS).mkdir()
    (project / "pyproject.toml").write_text(ODD_PYPROJECT)
    return project


def build(venv, project: Path, out: Path, env: dict, **settings: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    proc = venv.call(HOOK, "build_wheel", str(out), json.dumps(settings), cwd=project, env=env)
    assert proc.returncode == 0, proc.stdout
    return out / proc.stdout.strip().splitlines()[-1]


CHECK = "import json, oddvalues._native as n; print(json.dumps(n.values()))"


@pytest.mark.parametrize("backend", ["zig", "ninja", "cc"])
def test_odd_but_legal_values_build_install_and_import_with_every_backend(
    backend, zlig_venv, venvs, backend_env, tmp_path
):
    project = odd_project(tmp_path)
    wheel = build(zlig_venv, project, tmp_path / "out", dict(backend_env, CFLAGS=ODD_CFLAGS), backend=backend)
    assert json.loads(venvs.with_wheels(wheel).run(CHECK)) == EXPECTED


def test_odd_but_legal_values_build_through_pip(frontend, venvs, tmp_path):
    project = odd_project(tmp_path)
    built = frontend.pip_wheel(project, tmp_path / "out", env=dict(frontend.env, CFLAGS=ODD_CFLAGS))
    assert json.loads(venvs.with_wheels(built.wheel).run(CHECK)) == EXPECTED


def test_the_object_cache_serves_a_source_whose_header_is_in_an_odd_folder(zlig_venv, zig, frontend_env, tmp_path):
    """The cache's key holds the headers the compiler's depfile names, where `$` is `$$`: a
    second checkout compiles nothing."""
    log = tmp_path / "compiles.log"
    wrapper = tmp_path / "zig-wrapper" / "zig"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\ncase " $* " in *" -c "*) echo "$@" >> {log} ;; esac\nexec {zig} "$@"\n')
    wrapper.chmod(0o755)
    env = fresh_user_cache(frontend_env, tmp_path / "cache")
    env.update(ZLIG_ZIG=str(wrapper), ZLIG_NINJA=str(BIN / "ninja"), CFLAGS=ODD_CFLAGS)
    build(zlig_venv, odd_project(tmp_path, "first"), tmp_path / "1", env, backend="ninja")
    assert len(log.read_text().splitlines()) == 1
    log.unlink()
    build(zlig_venv, odd_project(tmp_path, "second"), tmp_path / "2", env, backend="ninja")
    assert not log.exists(), log.read_text()


# ---------------------------------------------------------------------------- Cython


def cython_step():
    """zlig's Cython step as a module (it imports nothing of zlig's)."""
    spec = importlib.util.spec_from_file_location("zlig_cython_step", ROOT / "python" / "zlig" / "_cython_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cython_step_names_a_file_in_each_readers_syntax(tmp_path):
    """ninja's: a blank after a backslash (those before it doubled), `\\#`, `$$`; ninja reads
    the name back (a second run has nothing to do). zig's: in double quotes, verbatim. A
    name neither can hold is refused."""
    step = cython_step()
    assert step.make_name("project/src/a b#c$d.pxi") == "project/src/a\\ b\\#c$$d.pxi"
    assert step.make_name("/x/back\\ slash") == "/x/back\\\\\\ slash"
    assert step.zig_name("project/src/a b#c$d:e.pxi") == '"project/src/a b#c$d:e.pxi"'
    assert step.unwritable("project/src/a b#c$d.pxi", zig=True) is None
    assert step.unwritable('a"b.pxi', zig=False) is None
    assert step.unwritable('a"b.pxi', zig=True) == "holds a double quote, which zig's depfile syntax cannot escape"
    assert step.unwritable("a\nb.pxi", zig=False) == "holds a control character such as a line break ('\\n')"
    assert step.unwritable("a\u2028b.pxi", zig=True) == "holds a control character such as a line break ('\\u2028')"

    name = "a b#c$d.pxi"
    (tmp_path / name).write_text("")
    (tmp_path / "dep.txt").write_text(f"out: {step.make_name(name)}\n")
    (tmp_path / "build.ninja").write_text(
        "rule step\n  command = touch $out && cp dep.txt $out.d\n  depfile = $out.d\n  deps = gcc\nbuild out: step\n"
    )
    ninja = [BIN / "ninja", "-C", tmp_path]
    run(ninja)
    assert "no work to do" in run(ninja).stdout
    (tmp_path / name).write_text("edited")
    assert "no work to do" not in run(ninja).stdout

ODD_PXI = "odd #name $1.pxi"


def cython_project(parent: Path) -> Path:
    """`cyodd.fast.value()` is VALUE from a `.pxi` whose name holds a blank, `#` and `$`."""
    project = parent / "cyodd"
    (project / "src" / "cyodd").mkdir(parents=True)
    (project / "src" / "cyodd" / "__init__.py").write_text("")
    (project / "src" / "cyodd" / "fast.pyx").write_text(f'include "{ODD_PXI}"\n\ndef value():\n    return VALUE\n')
    (project / "src" / "cyodd" / ODD_PXI).write_text("DEF_VALUE = 1\nVALUE = DEF_VALUE\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "cyodd"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "cyodd.fast"\nsources = ["src/cyodd/fast.pyx"]\n'
    )
    return project


def generated(project: Path) -> set[tuple[str, int]]:
    """The C files Cython wrote, with when."""
    found = set()
    for pattern in ["*/*/cython/*/*.c", "*/zig/zig-cache/o/*/*.c"]:
        found |= {(str(p), p.stat().st_mtime_ns) for p in (project / "build" / "zlig").glob(pattern)}
    return found


@pytest.mark.parametrize("backend", ["zig", "ninja"])
def test_a_cython_include_whose_name_holds_a_hash_is_followed(
    backend, zlig_venv, venvs, frontend_env, cython_path, tmp_path
):
    env = dict(frontend_env, PYTHONPATH=str(cython_path), ZLIG_NINJA=str(BIN / "ninja"))
    project = cython_project(tmp_path)
    wheel = build(zlig_venv, project, tmp_path / "1", env, backend=backend)
    assert venvs.with_wheels(wheel).run("import cyodd.fast as f; print(f.value())") == "1"
    first = generated(project)
    build(zlig_venv, project, tmp_path / "2", env, backend=backend)
    assert generated(project) == first, "a second build translates nothing"
    (project / "src" / "cyodd" / ODD_PXI).write_text("VALUE = 2\n")
    wheel = build(zlig_venv, project, tmp_path / "3", env, backend=backend)
    assert generated(project) != first, "an edited .pxi translates again"
    assert venvs.with_wheels(wheel).run("import cyodd.fast as f; print(f.value())") == "2"
