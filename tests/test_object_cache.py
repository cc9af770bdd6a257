"""The object cache: a source whose compile is known (same compiler, flags, source and every
header it read) is not compiled again, whichever build dir, checkout or venv asks; an edited
header still recompiles exactly what includes it; builds filling the cache at once both get
correct modules; and the cache can be turned off.

What it serves is what compiling now would give: a header edited while its source compiles,
a header from a system include folder, a header that appears earlier on the include path, a
time macro, a damaged entry; and zig's own cache forgets a step that read a file edited
while it ran."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from buildtools import fresh_user_cache
from helpers import scrubbed

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

A_C = '#include "shared.h"\nint part_a(void) { return SHARED; }\n'


def parts_project(
    parent: Path,
    name: str,
    *,
    a_c: str = A_C,
    include_dirs: tuple[str, ...] = ("inc",),
    shared: str = "#define SHARED 40\n",
    compile_args: tuple[str, ...] = (),
) -> Path:
    """`cached.parts.total()` is part_a() + part_b() (2); only a.c includes `shared.h`, which
    is in `inc/` (`shared`) and on the include path when `include_dirs` names it."""
    project = parent / name
    (project / "cached").mkdir(parents=True)
    (project / "cached" / "__init__.py").write_text("")
    (project / "csrc").mkdir()
    (project / "csrc" / "module.c").write_text(MODULE_C)
    (project / "csrc" / "a.c").write_text(a_c)
    (project / "csrc" / "b.c").write_text("int part_b(void) { return 2; }\n")
    for folder in include_dirs:
        (project / folder).mkdir()
        (project / folder / "README").write_text("headers\n")
    (project / "inc").mkdir(exist_ok=True)
    (project / "inc" / "shared.h").write_text(shared)
    def quoted(items: tuple[str, ...]) -> str:
        return ", ".join(f'"{item}"' for item in items)

    (project / "pyproject.toml").write_text(
        '[project]\nname = "cached"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "cached.parts"\nsources = ["csrc/*.c"]\n'
        f"include-dirs = [{quoted(include_dirs)}]\nextra-compile-args = [{quoted(compile_args)}]\n"
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
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", folder], capture_output=True, text=True, check=False)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (root with CAP_SYS_ADMIN needed): {mount.stderr.strip()}")
    try:
        if how == "full":
            with open(folder / "filler", "wb") as filler, contextlib.suppress(OSError):
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
    why = {
        "a file in the way": "the user cache [TMP]/cache-fs cannot be used (XDG_CACHE_HOME names [TMP]/cache-fs, a file, "
        "not a folder); building without zlig's cache",
        "full": "zlig's cache [TMP]/cache-fs/zlig cannot be written (No space left on device (os error 28) at path "
        '"[TMP]/cache-fs/zlig/[ZLIG_TEMP]"); building without it',
        "read-only": "zlig's cache [TMP]/cache-fs/zlig cannot be written (Read-only file system (os error 30)); "
        "building without it",
    }[how]
    assert scrubbed(warning, tmp_path) == (
        f"zlig: warning: {why}: no tool is kept and no compiled object is cached for later builds"
    )
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    (wheel,) = out.glob("*.whl")
    assert total(venvs, wheel) == "42"


@pytest.mark.parametrize("backend", ["ninja", "cc"])
def test_a_header_edited_while_its_source_compiles_is_compiled_again(backend, zlig_venv, venvs, compilers, tmp_path):
    project = parts_project(tmp_path, "p")
    header = project / "inc" / "shared.h"
    mark = tmp_path / "edited"
    # Once, right after a.c compiled and before the cache reads the header: the compile read 40.
    edit = f'case "$*" in *a.c*) [ -e {mark} ] || {{ touch {mark}; echo "#define SHARED 50" > {header}; }} ;; esac'
    env, log = compilers(backend, after=edit)
    assert total(venvs, build(zlig_venv, project, tmp_path / "1", env, backend=backend)) == "42"
    assert mark.exists()
    compiles(log)
    wheel = build(zlig_venv, project, tmp_path / "2", env, backend=backend)
    assert compiles(log) == ["a.c"]
    assert total(venvs, wheel) == "52"


@pytest.mark.parametrize(
    ("backend", "variable"), [("ninja", "CPPFLAGS"), ("cc", "CPPFLAGS"), ("cc", "C_INCLUDE_PATH"), ("cc", "CPATH")]
)
def test_a_header_from_a_system_include_folder_counts_like_the_projects(
    backend, variable, zlig_venv, venvs, compilers, tmp_path
):
    system = tmp_path / "system"
    system.mkdir()
    (system / "shared.h").write_text("#define SHARED 40\n")
    env, _ = compilers(backend)
    env[variable] = f"-isystem {system}" if variable == "CPPFLAGS" else str(system)

    def checkout(name: str) -> Path:
        return parts_project(tmp_path, name, a_c=A_C.replace('"shared.h"', "<shared.h>"), include_dirs=())

    assert total(venvs, build(zlig_venv, checkout("first"), tmp_path / "1", env, backend=backend)) == "42"
    (system / "shared.h").write_text("#define SHARED 50\n")
    assert total(venvs, build(zlig_venv, checkout("second"), tmp_path / "2", env, backend=backend)) == "52"
    if variable != "CPPFLAGS":
        # Another folder on the variable: another search, so another key.
        other = tmp_path / "other"
        other.mkdir()
        (other / "shared.h").write_text("#define SHARED 60\n")
        env[variable] = str(other)
        assert total(venvs, build(zlig_venv, checkout("third"), tmp_path / "3", env, backend=backend)) == "62"


@pytest.mark.parametrize(("backend", "folder"), [("ninja", "first"), ("ninja", "csrc"), ("cc", "first")])
def test_a_header_that_appears_earlier_on_the_include_path_is_used(
    backend, folder, zlig_venv, venvs, compilers, tmp_path
):
    env, log = compilers(backend)

    def checkout(name: str) -> Path:
        return parts_project(tmp_path, name, include_dirs=("first", "inc"))

    assert total(venvs, build(zlig_venv, checkout("one"), tmp_path / "1", env, backend=backend)) == "42"
    compiles(log)
    two = checkout("two")
    # `first` comes before `inc` on the path; a quoted include looks in the source's folder first.
    (two / folder / "shared.h").write_text("#define SHARED 60\n")
    assert total(venvs, build(zlig_venv, two, tmp_path / "2", env, backend=backend)) == "62"
    assert compiles(log) == ["a.c"]


@pytest.mark.parametrize("where", ["source", "header"])
@pytest.mark.parametrize("backend", ["ninja", "cc"])
def test_time_macros_key_the_object_on_source_date_epoch(backend, where, zlig_venv, venvs, compilers, tmp_path):
    # The year's last digit: 0 for SOURCE_DATE_EPOCH=0, 1 a year later. zig cc refuses the
    # time macros unless told otherwise.
    year = "(__DATE__[10] - '0')"
    settings = {"compile_args": ("-Wno-date-time",)}
    if where == "source":
        settings["a_c"] = f"int part_a(void) {{ return 40 + {year}; }}\n"
    else:
        settings["shared"] = f"#define SHARED (40 + {year})\n"
    env, log = compilers(backend)
    for name, epoch, expected in [("one", "0", "42"), ("two", str(365 * 86400), "43")]:
        project = parts_project(tmp_path, name, **settings)
        wheel = build(zlig_venv, project, tmp_path / name, dict(env, SOURCE_DATE_EPOCH=epoch), backend=backend)
        assert total(venvs, wheel) == expected
    compiles(log)
    # Without SOURCE_DATE_EPOCH the compiler reads the clock: never served, never stored.
    for name in ("three", "four"):
        build(zlig_venv, parts_project(tmp_path, name, **settings), tmp_path / name, env, backend=backend)
        assert compiles(log) == ["a.c"]


def damage(cache: Path, what: str) -> None:
    """Damages every entry of one kind in the object cache: objects cut in half, depfiles cut
    after their source (a list that still parses, without the headers), manifests cut before
    the headers their compile read."""
    folder, suffix = {"object": ("objects", ".o"), "depfile": ("objects", ".d"), "manifest": ("manifests", "")}[what]
    files = [p for p in (cache / folder).glob(f"*/*{suffix}") if not p.name.startswith(".")]
    assert files, f"no {what} in {cache}"
    for path in files:
        data = path.read_bytes()
        if what == "object":
            data = data[: len(data) // 2]
        elif what == "depfile":
            data = data[: data.index(b".c") + 2] + b"\n"
        else:
            # Cut after the line naming the object, before the headers the compile read.
            lines = data.split(b"\n")
            data = b"\n".join(lines[: 2 if lines[0].startswith(b"zlig-manifest") else 1])
        path.write_bytes(data)


@pytest.mark.parametrize("what", ["object", "depfile", "manifest"])
def test_a_damaged_cache_entry_is_compiled_again_and_replaced(what, zlig_venv, venvs, counted, tmp_path):
    env, log = counted
    assert total(venvs, build(zlig_venv, parts_project(tmp_path, "one"), tmp_path / "1", env)) == "42"
    compiles(log)
    damage(Path(env["XDG_CACHE_HOME"]) / "zlig" / "objects", what)

    # A cut manifest lists fewer headers: an edited one must still count.
    shared = "#define SHARED 50\n" if what == "manifest" else "#define SHARED 40\n"
    two = parts_project(tmp_path, "two", shared=shared)
    wheel = build(zlig_venv, two, tmp_path / "2", env)
    # b.c reads no header: its depfile and its manifest, cut before the headers, are whole.
    assert compiles(log) == (["a.c", "b.c", "module.c"] if what == "object" else ["a.c", "module.c"])
    assert total(venvs, wheel) == ("52" if what == "manifest" else "42")
    if what == "depfile":
        # The depfile ninja got names the header: editing it rebuilds a.c.
        (two / "inc" / "shared.h").write_text("#define SHARED 50\n")
        assert total(venvs, build(zlig_venv, two, tmp_path / "3", env)) == "52"
        compiles(log)
    # Replaced: the next checkout like the second is served.
    three = parts_project(tmp_path, "three", shared=shared)
    assert total(venvs, build(zlig_venv, three, tmp_path / "4", env)) == ("52" if what == "manifest" else "42")
    assert compiles(log) == []


# A function that takes clang a few milliseconds to optimize.
SLOW_FUNCTION = (
    "int slow_{i}(int x) {{ int s = {i}; for (int k = 0; k < x; k++) "
    "{{ s = s * 31 + (k ^ {i}); if (s & 1) s += k * {m}; }} return s; }}\n"
)


def test_a_header_edited_while_zig_builds_is_compiled_again_next_time(zlig_venv, venvs, frontend_env, tmp_path):
    # a.c reads shared.h first, then takes clang seconds: the header is edited in between,
    # as soon as its access time says clang read it, and zig hashes the new bytes after the
    # compile.
    slow = "".join(SLOW_FUNCTION.format(i=i, m=i % 7 + 1) for i in range(400))
    project = parts_project(tmp_path, "p", a_c=A_C + slow)
    header = project / "inc" / "shared.h"
    os.utime(header, ns=(0, header.stat().st_mtime_ns))  # a read after this updates the access time
    env = fresh_user_cache(frontend_env, tmp_path / "cache")
    out = tmp_path / "1"
    out.mkdir()
    proc = subprocess.Popen(
        [zlig_venv.python, "-c", BUILD, str(out), json.dumps({"backend": "zig"})],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    edited = False
    while proc.poll() is None and not edited:
        if header.stat().st_atime_ns != 0:
            header.write_text("#define SHARED 50\n")
            edited = True
        time.sleep(0.001)
    output = proc.communicate(timeout=900)[0]
    assert proc.returncode == 0, output
    if not edited:
        pytest.skip("reading the header left its access time alone (a noatime mount): the edit cannot be timed")
    (wheel,) = out.glob("*.whl")
    assert total(venvs, wheel) == "42"
    assert total(venvs, build(zlig_venv, project, tmp_path / "2", env, backend="zig")) == "52"
