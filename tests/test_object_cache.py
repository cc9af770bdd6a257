"""The object cache: a source whose compile is known (same compiler, flags, source and every
header it read) is not compiled again, whichever build dir, checkout or venv asks; an edited
header still recompiles exactly what includes it; builds filling the cache at once both get
correct modules; and the cache can be turned off."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest


BUILD = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"

MODULE_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
int part_a(void);
int part_b(void);

static PyObject *total(PyObject *self, PyObject *args) { return PyLong_FromLong(part_a() + part_b()); }
static PyMethodDef methods[] = {{"total", total, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "parts", NULL, -1, methods};
PyMODINIT_FUNC PyInit_parts(void) { return PyModule_Create(&def); }
"""


def parts_project(parent: Path, name: str) -> Path:
    """`cached.parts.total()` is part_a() + part_b(); only a.c includes `shared.h`."""
    project = parent / name
    (project / "cached").mkdir(parents=True)
    (project / "cached" / "__init__.py").write_text("")
    (project / "csrc").mkdir()
    (project / "csrc" / "module.c").write_text(MODULE_C)
    (project / "csrc" / "a.c").write_text('#include "shared.h"\nint part_a(void) { return SHARED; }\n')
    (project / "csrc" / "b.c").write_text("int part_b(void) { return 2; }\n")
    (project / "inc").mkdir()
    (project / "inc" / "shared.h").write_text("#define SHARED 40\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "cached"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "cached.parts"\nsources = ["csrc/*.c"]\ninclude-dirs = ["inc"]\n'
    )
    return project


def compiles(log: Path) -> list[str]:
    """The sources compiled since the last call."""
    if not log.exists():
        return []
    sources = sorted(line.split(" -c ")[1].split()[0].rsplit("/", 1)[-1] for line in log.read_text().splitlines())
    log.unlink()
    return sources


def build(venv, project: Path, out: Path, env: dict, **settings: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    settings.setdefault("backend", "ninja")
    proc = venv.call(BUILD, str(out), json.dumps(settings), cwd=project, env=env, check=True)
    return out / proc.stdout.strip().splitlines()[-1]


def total(venvs, wheel: Path) -> str:
    return venvs.with_wheels(wheel).run("import cached.parts as p; print(p.total())")


def test_a_fresh_checkout_compiles_nothing_known_and_a_header_edit_only_its_dependents(
    zlig_venv, venvs, counted, tmp_path
):
    env, log = counted
    first = build(zlig_venv, parts_project(tmp_path, "first"), tmp_path / "1", env)
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    copy = parts_project(tmp_path, "copy")
    wheel = build(zlig_venv, copy, tmp_path / "2", env)
    assert compiles(log) == []
    assert total(venvs, wheel) == "42"
    assert wheel.read_bytes() == first.read_bytes()

    (copy / "inc" / "shared.h").write_text("#define SHARED 50\n")
    wheel = build(zlig_venv, copy, tmp_path / "3", env)
    assert compiles(log) == ["a.c"]
    assert total(venvs, wheel) == "52"
    # The first checkout's header is unchanged: its build is served, not given 50.
    wheel = build(zlig_venv, parts_project(tmp_path, "third"), tmp_path / "4", env)
    assert compiles(log) == []
    assert total(venvs, wheel) == "42"


def test_the_object_cache_can_be_turned_off(zlig_venv, counted, tmp_path):
    env, log = counted
    build(zlig_venv, parts_project(tmp_path, "first"), tmp_path / "1", env)
    compiles(log)
    build(zlig_venv, parts_project(tmp_path, "off"), tmp_path / "2", env, **{"object-cache": "false"})
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    build(zlig_venv, parts_project(tmp_path, "env-off"), tmp_path / "3", dict(env, ZLIG_OBJECT_CACHE="0"))
    assert compiles(log) == ["a.c", "b.c", "module.c"]


def test_builds_filling_the_cache_at_once_both_get_correct_modules(zlig_venv, venvs, counted, tmp_path):
    env, _ = counted
    procs = []
    for name in ("left", "right"):
        project = parts_project(tmp_path, name)
        (tmp_path / name / "out").mkdir()
        procs.append(
            (
                tmp_path / name / "out",
                subprocess.Popen(
                    [zlig_venv.python, "-c", BUILD, str(tmp_path / name / "out"), json.dumps({"backend": "ninja"})],
                    cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                ),
            )
        )
    for out, proc in procs:
        output = proc.communicate(timeout=600)[0]
        assert proc.returncode == 0, output
        (wheel,) = out.glob("*.whl")
        assert total(venvs, wheel) == "42"


@contextlib.contextmanager
def cache_that_cannot_be_written(how: str, folder: Path):
    """`folder` as a user cache that cannot be written: a file where it would be, or a small
    file system that is full or mounted read-only (which needs root: CI runs as root)."""
    if how == "a file in the way":
        folder.write_text("a file where the cache's folder would be\n")
        yield folder
        return
    folder.mkdir()
    # Private, as a user cache is: tmpfs's root is world-writable (1777) by default.
    options = "size=1m,mode=700,ro" if how == "read-only" else "size=1m,mode=700"
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", folder], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (root with CAP_SYS_ADMIN needed): {mount.stderr.strip()}")
    try:
        if how == "full":
            with open(folder / "filler", "wb") as filler:
                with contextlib.suppress(OSError):
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
        yield folder
    finally:
        subprocess.run(["umount", folder], check=True)


@pytest.mark.parametrize("how", ["a file in the way", "full", "read-only"])
def test_a_cache_that_cannot_be_written_never_fails_a_build(how, zlig_venv, venvs, counted, tmp_path):
    env, log = counted
    with cache_that_cannot_be_written(how, tmp_path / "cache-fs") as cache:
        out = tmp_path / "out"
        out.mkdir()
        env = dict(env, XDG_CACHE_HOME=str(cache))
        proc = zlig_venv.call(BUILD, str(out), json.dumps({"backend": "ninja"}), cwd=parts_project(tmp_path, "p"), env=env, check=True)
    (warning,) = [line for line in proc.stdout.splitlines() if "warning" in line]
    if how == "a file in the way":
        assert f"the user cache {cache} cannot be used (XDG_CACHE_HOME names {cache}, a file, not a folder)" in warning
        assert "building without zlig's cache" in warning
    else:
        assert "cannot be written" in warning and "building without it" in warning, warning
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    (wheel,) = out.glob("*.whl")
    assert total(venvs, wheel) == "42"
