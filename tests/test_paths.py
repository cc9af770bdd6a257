"""Projects live where their users put them: every backend builds a project whose path
holds characters that shells, ninja, depfiles and linkers treat specially, and rebuilds it
exactly as it would anywhere else; a link with more objects than one command line can
carry still works; a file name a backend cannot track is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import compiled_sources, error_message, expected, scrubbed

BUILD = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"

# Every character the red team found trouble with, in one folder name (a newline too).
ODD = "a b|c;d'e\"f$g#h*i%j&k<l>m^n`o\\p:q\nr-ü"

VALUE_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "value.h"

static PyObject *value(PyObject *self, PyObject *args) { return PyLong_FromLong(VALUE); }
static PyMethodDef methods[] = {{"value", value, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&def); }
"""


def value_project(parent: Path) -> Path:
    """`pathy.fast.value()` returns VALUE from `inc/value.h`, a header only the depfile
    knows about."""
    project = parent / "pathy"
    (project / "pathy").mkdir(parents=True)
    (project / "pathy" / "__init__.py").write_text("")
    (project / "csrc").mkdir()
    (project / "csrc" / "fast.c").write_text(VALUE_C)
    (project / "inc").mkdir()
    (project / "inc" / "value.h").write_text("#define VALUE 1\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "pathy"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "pathy.fast"\nsources = ["csrc/*.c"]\ninclude-dirs = ["inc"]\n'
    )
    return project


def build(venv, project: Path, out: Path, env, **settings: str) -> tuple[Path, str]:
    out.mkdir(parents=True, exist_ok=True)
    proc = venv.call(BUILD, str(out), json.dumps(settings), cwd=project, env=env, check=True)
    return out / proc.stdout.strip().splitlines()[-1], proc.stdout


@pytest.mark.parametrize("backend", ["ninja", "zig"])
def test_a_project_at_an_odd_path_builds_and_rebuilds_what_an_edit_touches(
    backend, zlig_venv, venvs, backend_env, tmp_path
):
    project = value_project(tmp_path / ODD)
    wheel, _ = build(zlig_venv, project, tmp_path / "1", backend_env, backend=backend, verbose="true")
    assert venvs.with_wheels(wheel).run("import pathy.fast as f; print(f.value())") == "1"

    _, noop = build(zlig_venv, project, tmp_path / "2", backend_env, backend=backend, verbose="true")
    assert compiled_sources(noop, project) == set(), noop

    (project / "inc" / "value.h").write_text("#define VALUE 2\n")
    wheel, edited = build(zlig_venv, project, tmp_path / "3", backend_env, backend=backend, verbose="true")
    assert compiled_sources(edited, project) == {"csrc/fast.c"}, edited
    assert venvs.with_wheels(wheel).run("import pathy.fast as f; print(f.value())") == "2"


# A long extension name makes each object's path long (`obj/<extension>/<n>-<file>.o`), so
# that a few hundred objects exceed the kernel's limit on one argument (128 KiB), which the
# link command is, given to the shell.
PARTS = 600
LEAF = "m" * 200


def many_objects_project(parent: Path) -> Path:
    project = parent / "many"
    (project / "many").mkdir(parents=True)
    (project / "many" / "__init__.py").write_text("")
    (project / "csrc").mkdir()
    for i in range(PARTS):
        (project / "csrc" / f"part{i:04}.c").write_text(f"long part{i}(void) {{ return {i}; }}\n")
    declarations = "\n".join(f"long part{i}(void);" for i in range(PARTS))
    calls = " + ".join(f"part{i}()" for i in range(PARTS))
    (project / "csrc" / "main.c").write_text(
        "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n"
        f"{declarations}\n"
        f"static PyObject *total(PyObject *s, PyObject *a) {{ return PyLong_FromLong({calls}); }}\n"
        'static PyMethodDef m[] = {{"total", total, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};\n'
        f'static struct PyModuleDef d = {{PyModuleDef_HEAD_INIT, "{LEAF}", NULL, -1, m}};\n'
        f"PyMODINIT_FUNC PyInit_{LEAF}(void) {{ return PyModule_Create(&d); }}\n"
    )
    (project / "pyproject.toml").write_text(
        '[project]\nname = "many"\nversion = "1.0"\n\n'
        f'[[tool.zlig.extensions]]\nname = "many.{LEAF}"\nsources = ["csrc/*.c"]\n'
    )
    return project


def test_ninja_links_more_objects_than_one_command_line_holds(zlig_venv, venvs, backend_env, tmp_path):
    project = many_objects_project(tmp_path)
    wheel, _ = build(zlig_venv, project, tmp_path / "out", backend_env, backend="ninja")
    code = f"import many.{LEAF} as m; print(m.total())"
    assert venvs.with_wheels(wheel).run(code) == str(sum(range(PARTS)))


@pytest.mark.parametrize(
    ("backend", "name", "message"),
    [
        ("ninja", "a|b.c", """
            zlig: error: config_settings: `backend`: backend `ninja` cannot be used: the ninja backend cannot build `csrc/a|b.c`: rename the file, or use another backend
        """),
        ("ninja", "it's.c", """
            zlig: error: config_settings: `backend`: backend `ninja` cannot be used: the ninja backend cannot build `csrc/it's.c`: rename the file, or use another backend
        """),
        ("zig", "a:b.c", """
            zlig: error: config_settings: `backend`: backend `zig` cannot be used: the zig backend cannot build `csrc/a:b.c`: rename the file, or use another backend
        """),
    ],
    ids=["ninja-a|b.c", "ninja-it's.c", "zig-a:b.c"],
)
def test_a_source_name_a_backend_cannot_track_is_refused_by_name(backend, name, message, zlig_venv, backend_env, tmp_path):
    project = value_project(tmp_path)
    (project / "csrc" / "fast.c").rename(project / "csrc" / name)
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(BUILD, str(out), json.dumps({"backend": backend}), cwd=project, env=backend_env)
    assert proc.returncode == 1, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected(message)
    assert list(out.iterdir()) == []


def test_the_default_backend_passes_over_one_that_cannot_track_a_name(zlig_venv, venvs, backend_env, tmp_path):
    project = value_project(tmp_path)
    (project / "csrc" / "fast.c").rename(project / "csrc" / "a|b.c")
    wheel, output = build(zlig_venv, project, tmp_path / "out", backend_env)
    assert "with the zig backend (zig 0.17" in output and "the ninja backend" not in output, output
    assert venvs.with_wheels(wheel).run("import pathy.fast as f; print(f.value())") == "1"
