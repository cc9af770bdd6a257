"""What zlig's user cache trusts, and when it steps aside (README, "What the caches trust").

Nothing another user could have put in the user cache is run, linked or read: such a cache
is left out, said once, and the build goes on. What zlig keeps is private whatever the
umask. What is kept is checked before use, and a damaged copy is replaced, so that a
damaged cache never fails a build. `zlig cache --clear` never breaks a running build. The
rule itself (`src/trust.rs`) has a twin in the editable import hook, tested here on the
cases of the Rust unit tests (test_editable.py has an editable install whose user cache is
a private folder in /tmp, which rebuilds on import).

The tests run as root, so "another user" is uid 65534 (`nobody`), given files with chown.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buildtools import fresh_user_cache, kept_tools_env, zig_cc
from conftest import BIN
from helpers import ARCH, ROOT, run, scrubbed, without_zig_on_path
from test_object_cache import (
    cache_that_cannot_be_written,
    compiles,
    parts_project,
    total,
)

BUILD = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"
LAUNCHER = ROOT / "python" / "zlig" / "object_cache.py"


def launcher_name() -> str:
    """The file name zlig gives the object cache's launcher (it changes with its text)."""
    return f"object_cache-{hashlib.sha256(LAUNCHER.read_bytes()).hexdigest()[:16]}.py"


def hook_build(venv, project: Path, out: Path, env: dict, **settings: str) -> tuple[subprocess.CompletedProcess, Path]:
    """build_wheel in `project` (ninja backend unless said): what it printed, and the wheel."""
    out.mkdir(parents=True, exist_ok=True)
    settings.setdefault("backend", "ninja")
    proc = venv.call(BUILD, str(out), json.dumps(settings), cwd=project, env=env)
    assert proc.returncode == 0, proc.stdout
    return proc, out / proc.stdout.strip().splitlines()[-1]


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "warning" in line]


def planted_tool(path: Path, marker: Path, answer: str) -> Path:
    """A program that another user could have planted: it notes that it ran, in `marker`,
    and answers `answer` (its version)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\necho {answer}\n")
    path.chmod(0o755)
    return path


def tools_on_path(tmp_path: Path, zig: Path) -> str:
    """A `PATH` whose only zig and ninja are the real ones, in a folder of the test's own."""
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "zig").symlink_to(zig)
    (tools / "ninja").symlink_to(BIN / "ninja")
    return f"{tools}{os.pathsep}{without_zig_on_path(os.environ.get('PATH', ''))}"


def loose_entries(cache: Path) -> list[str]:
    """The entries below `cache` (links aside) that someone else may write."""
    loose = []
    for folder, names, files in os.walk(cache):
        for name in names + files:
            info = os.lstat(os.path.join(folder, name))
            if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
                loose.append(f"{oct(info.st_mode & 0o7777)} {os.path.join(folder, name)}")
    return loose


# ---------------------------------------------------------------------------- another user's cache


SHARED = {
    "others may write it": (lambda cache: cache.chmod(0o757), "other users may write {cache} (mode 757)"),
    "its group may write it": (lambda cache: cache.chmod(0o775), "other users may write {cache} (mode 775)"),
    "another user owns it": (lambda cache: os.chown(cache, 65534, 65534), "{cache} belongs to another user (uid 65534)"),
}


@pytest.mark.parametrize("how", SHARED)
def test_a_user_cache_another_user_could_change_is_left_out_and_nothing_planted_there_runs(
    how, zlig_venv, venvs, frontend_env, zig, tmp_path
):
    cache, marker = tmp_path / "cache", tmp_path / "planted-ran"
    zlig = cache / "zlig"
    # What another user would plant: a kept ninja and zig, and the object cache's launcher.
    planted_tool(zlig / "ninja-1.13.1", marker, "1.13.1")
    fake_zig = planted_tool(zlig / "zig-0.17.0" / "zig", marker, "0.17.0")
    for file in ("lib/std/std.zig", "lib/compiler_rt.zig"):
        (fake_zig.parent / file).parent.mkdir(parents=True, exist_ok=True)
        (fake_zig.parent / file).write_text("")
    fake_zig.parent.rename(zlig / f"zig-0.17.0-{fake_zig.parent.joinpath('zig').stat().st_size}")
    (zlig / "objects").mkdir()
    (zlig / "objects" / launcher_name()).write_text(
        f"import subprocess, sys\nopen({str(marker)!r}, 'a').write('launcher\\n')\n"
        "sys.exit(subprocess.call(sys.argv[4:]))\n"
    )
    share, why = SHARED[how]
    share(cache)
    env = fresh_user_cache(frontend_env, cache)
    del env["ZLIG_ZIG"], env["ZLIG_REUSE_TOOLS"]  # kept tools count, as they do by default
    env["PATH"] = tools_on_path(tmp_path, zig)

    proc, wheel = hook_build(zlig_venv, parts_project(tmp_path, "p"), tmp_path / "out", env)

    assert not marker.exists(), marker.read_text()
    (warning,) = warnings(proc.stdout)
    assert scrubbed(warning, tmp_path) == (
        f"zlig: warning: the user cache [TMP]/cache cannot be used ({why.format(cache='[TMP]/cache')}); building "
        "without zlig's cache: no tool is kept and no compiled object is cached for later builds"
    )
    assert total(venvs, wheel) == "42"


def hex_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plant_object(cache: Path, source: str, planted: bytes) -> None:
    """Makes `planted` the cached object of `source`'s compile, as a user who may write the
    cache could: the object, and its hash in the manifest that lists it (whose first line
    is the hash of the rest)."""
    objects = cache / "zlig" / "objects"
    for manifest in (objects / "manifests").glob("*/*"):
        text = manifest.read_bytes().partition(b"\n")[2].decode()
        for line in text.splitlines():
            if line.startswith("object "):
                _, result, object_hash, _ = line.split(" ", 3)
                stored = objects / "objects" / result[:2] / result
                if source in Path(f"{stored}.d").read_text():
                    Path(f"{stored}.o").write_bytes(planted)
                    body = text.replace(f"object {result} {object_hash} ", f"object {result} {hex_digest(planted)} ").encode()
                    manifest.write_bytes(b"zlig-manifest " + hex_digest(body).encode() + b"\n" + body)
                    return
    raise AssertionError(f"no cached object of {source}")


def test_objects_in_a_cache_others_may_write_are_never_linked(zlig_venv, venvs, counted, tmp_path):
    env, log = counted
    cache = Path(env["XDG_CACHE_HOME"])
    hook_build(zlig_venv, parts_project(tmp_path, "first"), tmp_path / "1", env)
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    # Another object in the place of b.c's: part_b() returns 666.
    (evil_c := tmp_path / "evil.c").write_text("int part_b(void) { return 666; }\n")
    zig_cc(["-target", f"{ARCH}-linux-gnu.2.17", "-fPIC", "-c", evil_c, "-o", tmp_path / "evil.o"], cwd=tmp_path)
    plant_object(cache, "csrc/b.c", (tmp_path / "evil.o").read_bytes())
    # The plant works: a cache no one else could change serves what is in it.
    _, wheel = hook_build(zlig_venv, parts_project(tmp_path, "second"), tmp_path / "2", env)
    assert total(venvs, wheel) == "706"
    compiles(log)

    cache.chmod(0o777)
    proc, wheel = hook_build(zlig_venv, parts_project(tmp_path, "third"), tmp_path / "3", env)
    assert total(venvs, wheel) == "42"
    assert compiles(log) == ["a.c", "b.c", "module.c"]
    assert len(warnings(proc.stdout)) == 1, proc.stdout


# ---------------------------------------------------------------------------- private modes


@pytest.mark.cold
def test_what_zlig_keeps_is_private_under_umask_000(frontend_env, tool_wheels, build_wheels, copy_example, tmp_path):
    cache = tmp_path / "cache"
    env = kept_tools_env(frontend_env, tool_wheels, cache)
    env["PIP_FIND_LINKS"] = f"{tool_wheels} {build_wheels}"
    for name, backend in (("cython", "ninja"), ("demo", "zig")):
        run(["sh", "-c", 'umask 000 && exec "$@"', "sh", sys.executable, "-m", "pip", "wheel", "--no-deps",
             "-w", tmp_path / "out", "-C", f"backend={backend}", copy_example(name)], env=env)
    kept = sorted(p.name.split("-")[0] for p in (cache / "zlig").iterdir())
    for what in ("cython", "ninja", "objects", "probes", "zig"):
        assert what in kept, kept  # each kind of kept thing is there to be judged
    assert any(p.name.startswith("zig-configure-") for p in (cache / "zlig").iterdir())
    assert loose_entries(cache) == []


def test_with_only_home_set_zigs_cache_is_the_one_in_the_user_cache(frontend, frontend_env, copy_example, venvs, tmp_path):
    """What a user's machine has: no XDG_CACHE_HOME, no ZIG_GLOBAL_CACHE_DIR, a private
    HOME. zig's cache is ~/.cache/zig (a hard-linked copy of the warm one, so that nothing
    is compiled cold, less zlig's markers of zig's one-time costs, which the build writes
    again there), used as it is, with no warning."""
    home = tmp_path / "home"
    (home / ".cache").mkdir(parents=True, mode=0o700)
    home.chmod(0o700)
    warm = frontend_env["ZIG_GLOBAL_CACHE_DIR"]
    run(["cp", "-al", warm, home / ".cache" / "zig"])
    (home / ".cache" / "zig").chmod(0o700)
    env = {k: v for k, v in frontend_env.items() if k not in {"XDG_CACHE_HOME", "ZIG_GLOBAL_CACHE_DIR"}}
    env["HOME"] = str(home)
    markers = home / ".cache" / "zig" / "zlig-warm"
    shutil.rmtree(markers, ignore_errors=True)
    built = frontend.pip_wheel(copy_example("demo"), tmp_path / "out", "-v", "-C", "backend=zig", env=env)
    assert "warning" not in built.output, built.output
    assert list(markers.iterdir()), "the build used another zig cache"
    venv = venvs.with_wheels(built.wheel)
    assert venv.run("import demo.demo as m; print(m.add(2, 3))") == "5"


# ---------------------------------------------------------------------------- damage


def test_a_truncated_or_missing_launcher_is_written_again(zlig_venv, venvs, counted, tmp_path):
    env, _ = counted
    hook_build(zlig_venv, parts_project(tmp_path, "first"), tmp_path / "1", env)
    launcher = Path(env["XDG_CACHE_HOME"]) / "zlig" / "objects" / launcher_name()
    launcher.write_bytes(LAUNCHER.read_bytes()[:20])
    _, wheel = hook_build(zlig_venv, parts_project(tmp_path, "truncated"), tmp_path / "2", env)
    assert total(venvs, wheel) == "42"
    assert launcher.read_bytes() == LAUNCHER.read_bytes()
    launcher.unlink()
    _, wheel = hook_build(zlig_venv, parts_project(tmp_path, "missing"), tmp_path / "3", env)
    assert total(venvs, wheel) == "42"
    assert launcher.read_bytes() == LAUNCHER.read_bytes()


@pytest.mark.cold
def test_a_truncated_kept_ninja_is_replaced(frontend_env, tool_wheels, copy_example, venvs, tmp_path):
    cache = tmp_path / "cache"
    env = kept_tools_env(frontend_env, tool_wheels, cache)

    def pip_wheel(name: str) -> None:
        out = tmp_path / f"out-{name}"
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, "-C", "backend=ninja",
             copy_example("demo", f"demo-{name}")], env=env)
        (wheel,) = out.glob("*.whl")
        assert venvs.with_wheels(wheel).run("import demo; print(demo.add(2, 3))") == "5"

    pip_wheel("first")
    (ninja,) = (cache / "zlig").glob("ninja-*")
    whole = ninja.read_bytes()
    ninja.write_bytes(whole[:4096])
    pip_wheel("second")
    assert ninja.read_bytes() == whole


CYTHON_PROJECT = {
    "pyproject.toml": '[project]\nname = "cyfast"\nversion = "1.0"\n\n'
    '[[tool.zlig.extensions]]\nname = "cyfast"\nsources = ["cyfast.pyx"]\n',
    "cyfast.pyx": "def add(int a, int b):\n    return a + b\n",
}


def write_project(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_cython_is_kept_whole_and_a_damaged_copy_is_replaced(zlig_venv, venvs, backend_env, cython_path, tmp_path):
    # A Cython installed with a folder that is a link (as some distributions install it):
    # its copy holds what the link points to.
    installed = tmp_path / "site"
    shutil.copytree(cython_path, installed, symlinks=True)
    utility = installed / "Cython" / "Utility"
    utility.rename(tmp_path / "Utility")
    utility.symlink_to(tmp_path / "Utility")
    cache = tmp_path / "cache"
    env = dict(fresh_user_cache(backend_env, cache), PYTHONPATH=str(installed))

    def build(name: str) -> str:
        project = write_project(tmp_path / name, CYTHON_PROJECT)
        proc, wheel = hook_build(zlig_venv, project, tmp_path / f"out-{name}", env)
        assert venvs.with_wheels(wheel).run("import cyfast; print(cyfast.add(2, 3))") == "5"
        return proc.stdout

    build("first")
    (kept,) = (cache / "zlig").glob("cython-*")
    kept_utility = kept / "Cython" / "Utility"
    assert kept_utility.is_dir() and not kept_utility.is_symlink()
    # A file gone, then a file that is a link to a place that is gone: each is replaced.
    setup_code = kept_utility / "ModuleSetupCode.c"
    whole = setup_code.read_bytes()
    setup_code.unlink()
    assert "replacing the Cython kept in" in build("missing")
    assert setup_code.read_bytes() == whole
    (tmp_path / "gone").mkdir()
    shutil.copy(setup_code, tmp_path / "gone" / "ModuleSetupCode.c")
    setup_code.unlink()
    setup_code.symlink_to(tmp_path / "gone" / "ModuleSetupCode.c")
    shutil.rmtree(tmp_path / "gone")
    assert "replacing the Cython kept in" in build("linked")
    assert not setup_code.is_symlink() and setup_code.read_bytes() == whole


def test_a_truncated_seed_of_zigs_configure_step_is_made_again(zlig_venv, venvs, counted, tmp_path):
    env, _ = counted
    hook_build(zlig_venv, parts_project(tmp_path, "first"), tmp_path / "1", env, backend="zig")
    (seed,) = (Path(env["XDG_CACHE_HOME"]) / "zlig").glob("zig-configure-*")
    configurer = max((p for p in (seed / "cache").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    configurer.write_bytes(configurer.read_bytes()[:4096])
    _, wheel = hook_build(zlig_venv, parts_project(tmp_path, "second"), tmp_path / "2", env, backend="zig")
    assert total(venvs, wheel) == "42"
    assert configurer.stat().st_size > 4096


def test_package_headers_that_are_links_are_copied_as_what_they_point_to(zlig_venv, venvs, backend_env, tmp_path):
    # A package whose include folder holds a header that is a link, as conda's and
    # distributions' packages do.
    site = tmp_path / "site"
    (site / "fakeinc" / "real").mkdir(parents=True)
    (site / "fakeinc" / "include").mkdir()
    (site / "fakeinc" / "real" / "answer.h").write_text("#define ANSWER 42\n")
    (site / "fakeinc" / "include" / "answer.h").symlink_to("../real/answer.h")
    (site / "fakeinc" / "__init__.py").write_text(
        "import os\ndef get_include():\n    return os.path.join(os.path.dirname(__file__), 'include')\n"
    )
    project = write_project(tmp_path / "p", {
        "pyproject.toml": '[build-system]\nrequires = ["zlig", "fakeinc"]\nbuild-backend = "zlig"\n\n'
        '[project]\nname = "answer"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "answer"\nsources = ["answer.c"]\n'
        'include-dirs = [{ package = "fakeinc" }]\n',
        "answer.c": '#include <Python.h>\n#include "answer.h"\n'
        "static PyObject *get(PyObject *s, PyObject *a) { return PyLong_FromLong(ANSWER); }\n"
        'static PyMethodDef m[] = {{"get", get, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};\n'
        'static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "answer", NULL, -1, m};\n'
        "PyMODINIT_FUNC PyInit_answer(void) { return PyModule_Create(&d); }\n",
    })
    env = dict(backend_env, PYTHONPATH=str(site))
    _, wheel = hook_build(zlig_venv, project, tmp_path / "out", env)
    assert venvs.with_wheels(wheel).run("import answer; print(answer.get())") == "42"


def dead_pid() -> int:
    """A process id that no running process has."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_what_stopped_writers_left_is_removed_and_the_build_succeeds_on_that_disk(zlig_venv, venvs, counted, tmp_path):
    """A disk that killed writers filled: the cache, the project and its build dir are on
    it. The leftovers go before the build needs the room."""
    env, _ = counted
    with cache_that_cannot_be_written("full", tmp_path / "disk") as disk:
        for filler in disk.iterdir():
            filler.unlink()  # the disk is filled with leftovers instead, after the project
        project = parts_project(disk, "p")
        zlig = disk / "cache" / "zlig"
        (zlig / "objects" / "objects" / "ab").mkdir(parents=True)
        old = time.time() - 7200
        for leftover in (zlig / ".removing-1-zig-0.16.0", zlig / "objects" / "objects" / "ab" / ".tmp-x1"):
            leftover.write_bytes(b"\0" * 65536)
            os.utime(leftover, (old, old))
        half_copy = zlig / f".zlig-{dead_pid()}-zig"
        half_copy.mkdir()
        with open(half_copy / "zig", "wb") as filler, contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        env = dict(env, XDG_CACHE_HOME=str(disk / "cache"))
        proc, wheel = hook_build(zlig_venv, project, tmp_path / "out", env)
        left = sorted(p.name for p in zlig.rglob(".*") if p.name != ".trimmed")
    assert warnings(proc.stdout) == [], proc.stdout
    assert left == []
    assert total(venvs, wheel) == "42"


# ---------------------------------------------------------------------------- messages


def test_zlig_cache_clear_during_a_build_removes_nothing_and_the_build_succeeds(zlig_venv, venvs, zig, frontend_env, tmp_path):
    """The build's compiles wait at a gate; `zlig cache --clear` runs meanwhile. One job
    (taskset), so that compiles still start after the clear."""
    gate, started = tmp_path / "gate", tmp_path / "started"
    wrapper = tmp_path / "zig-wrapper" / "zig"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" -c "*) touch {started}; while [ ! -e {gate} ]; do sleep 0.1; done ;; esac\n'
        f'exec {zig} "$@"\n'
    )
    wrapper.chmod(0o755)
    env = fresh_user_cache(frontend_env, tmp_path / "cache")
    env.update(ZLIG_ZIG=str(wrapper), ZLIG_NINJA=str(BIN / "ninja"))
    out = tmp_path / "out"
    out.mkdir()
    build = subprocess.Popen(
        ["taskset", "-c", "0", zlig_venv.python, "-c", BUILD, str(out), json.dumps({"backend": "ninja"})],
        cwd=parts_project(tmp_path, "p"), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for _ in range(600):
            if started.exists() or build.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), build.communicate()[0]
        clear = zlig_venv.call("import sys, zlig.cli; sys.exit(zlig.cli.main(['cache', '--clear']))", env=env)
    finally:
        gate.touch()
        output = build.communicate(timeout=600)[0]
    assert clear.returncode == 1, clear.stdout
    assert "a build is using it right now, so nothing was removed" in clear.stdout, clear.stdout
    assert build.returncode == 0, output
    (wheel,) = out.glob("*.whl")
    assert total(venvs, wheel) == "42"
    # Once the build is done, clearing works.
    clear = zlig_venv.call("import sys, zlig.cli; sys.exit(zlig.cli.main(['cache', '--clear']))", env=env)
    assert clear.returncode == 0, clear.stdout
    assert not (tmp_path / "cache" / "zlig" / "objects").exists()


# ---------------------------------------------------------------------------- the rule's Python twin


@pytest.fixture(scope="module")
def why_unsafe():
    """The editable hook's rule, loaded from the source tree (the hook imports nothing)."""
    spec = importlib.util.spec_from_file_location("editable_hook", ROOT / "python" / "zlig" / "editable_hook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.why_unsafe


def test_the_hooks_rule_takes_a_private_folder_below_sticky_tmp_as_safe_and_tmp_not(why_unsafe, tmp_path):
    tool = tmp_path / "zig"
    tool.write_text("")
    tool.chmod(0o700)
    assert why_unsafe(str(tool)) is None
    assert why_unsafe("/tmp") == "other users may write /tmp (mode 1777)"


def test_the_hooks_rule_names_a_folder_or_file_others_may_write(why_unsafe, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    tool = shared / "ninja"
    tool.write_text("")
    assert why_unsafe(str(tool)) is None
    for mode in (0o777, 0o775, 0o757):
        shared.chmod(mode)
        assert why_unsafe(str(tool)) == f"other users may write {shared} (mode {mode:o})"
    shared.chmod(0o700)
    tool.chmod(0o666)
    assert why_unsafe(str(tool)) == f"other users may write {tool} (mode 666)"
    assert why_unsafe(str(shared / "gone")) == f"{shared / 'gone'} is missing"
    os.chown(shared, 65534, 65534)
    assert why_unsafe(str(tool)) == f"{shared} belongs to another user (uid 65534)"


def test_the_hooks_rule_judges_links_where_they_lie_and_where_they_lead(why_unsafe, tmp_path):
    shared, private = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    private.mkdir(mode=0o700)
    (private / "zig").write_text("")
    (shared / "zig").write_text("")
    shared.chmod(0o777)
    (private / "to-shared").symlink_to("../shared/zig")
    assert why_unsafe(str(private / "to-shared")) == f"other users may write {shared} (mode 777)"
    (shared / "to-private").symlink_to(private / "zig")
    assert why_unsafe(str(shared / "to-private")) is not None
    (private / "alias").symlink_to("zig")
    assert why_unsafe(str(private / "alias")) is None
    (private / "loop").symlink_to("loop")
    assert why_unsafe(str(private / "loop")) == f"{private / 'loop'} goes through too many links"
