"""Builds at once and builds cut short: four builds of one project started together all
succeed with the same wheel (two of them writing into the same folder); builds at once with
different settings each pack their own module; `zlig clean` waits for a running build; a
build killed while zig compiles leaves nothing that stops the next build; and a build
interrupted while it packs a large wheel stops at once and leaves nothing behind (or, killed,
only a temporary file that the next build removes).

(test_rebuilds.py has two builds at once into separate folders; these go further.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from buildtools import extract, section_names
from helpers import EXT_SUFFIX, run, wheel_read

BUILD_WHEEL = (
    "import json, sys, zlig\n"
    "config = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None\n"
    "print('=>', zlig.build_wheel(sys.argv[1], config))"
)


def start(venv, project: Path, out: Path, env: dict, config: dict | None = None) -> subprocess.Popen:
    """A build_wheel process (with `config` as its config_settings) in its own session (so
    that it and its zig children can be killed as a group), with Ctrl-C's default meaning
    even where the suite runs in the background (which ignores SIGINT), and without the
    object cache, so that what these tests interrupt is a real compile."""
    out.mkdir(parents=True, exist_ok=True)
    env = dict(env, ZLIG_OBJECT_CACHE="0")
    return subprocess.Popen(
        [venv.python, "-c", BUILD_WHEEL, str(out), *([json.dumps(config)] if config is not None else [])],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # Unsafe only where threads run, and the suite starts none.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )


def finish(proc: subprocess.Popen, out: Path) -> Path:
    output = proc.communicate(timeout=600)[0]
    assert proc.returncode == 0, output
    names = [line[3:] for line in output.splitlines() if line.startswith("=> ")]
    assert len(names) == 1, output
    return out / names[0]


def test_four_builds_at_once_all_succeed_with_identical_wheels(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    outs = [tmp_path / "shared", tmp_path / "shared", tmp_path / "own1", tmp_path / "own2"]
    procs = [start(zlig_venv, project, out, frontend_env) for out in outs]
    wheels = [finish(proc, out) for proc, out in zip(procs, outs)]

    assert len({w.name for w in wheels}) == 1
    assert len({w.read_bytes() for w in wheels}) == 1
    # The two builds into one folder leave one wheel there, and no temporary file.
    for out in set(outs):
        assert [p.name for p in out.iterdir()] == [wheels[0].name]
    assert wheel_read(wheels[0], "demo/__init__.py") == (project / "src/demo/__init__.py").read_bytes()


PAIRS = 4
MODULE = f"demo/demo{EXT_SUFFIX}"
DATA_SIZE = 4 * 2**20


@pytest.mark.parametrize("backend", ["zig", "ninja"])
def test_builds_at_once_with_different_settings_each_pack_their_own_module(backend, zlig_venv, copy_example, backend_env, tmp_path):
    """A Debug and a ReleaseSmall build of one project share its build dir (one per target)
    and so the file their module is built into: each must keep the build dir until its
    wheel is written, or it may pack the module the other one built after it. (Package
    data, packed before the module, makes packing take long enough for that to show.)"""
    project = copy_example("demo")
    (project / "src" / "demo" / "data.bin").write_bytes(os.urandom(DATA_SIZE))
    env = backend_env
    for pair in range(PAIRS):
        procs = {
            optimize: start(zlig_venv, project, tmp_path / f"{pair}-{optimize}", env, {"backend": backend, "optimize": optimize})
            for optimize in ("Debug", "ReleaseSmall")
        }
        for optimize, proc in procs.items():
            wheel = finish(proc, tmp_path / f"{pair}-{optimize}")
            module = extract(wheel, MODULE, tmp_path / "modules" / f"{pair}-{optimize}")
            # Debug keeps its debug info; a release build is stripped.
            kept = ".debug_info" in section_names(module)
            assert kept == (optimize == "Debug"), f"pair {pair}: the {optimize} wheel holds the other build's module"


def zlig_clean(venv, project: Path, env: dict) -> subprocess.CompletedProcess:
    return run([venv.bin("zlig"), "clean", project], env=env, check=False, split=True)


# ---------------------------------------------------------------------------- killed builds

FUNCTIONS = 1200


def slow_project(root: Path) -> Path:
    """A package whose one C file takes zig some seconds to compile: many functions with
    loops for the optimizer. `slow.total(0)` is the sum of 0..N-1, `slow.total(1)` 32 times
    that (f_i(1) = 31 * i + (0 ^ i), and the `if` holds only where it adds nothing)."""
    functions = "\n".join(
        f"static long f{i}(long x) {{ long s = {i}; for (long k = 0; k < x; k++) "
        f"{{ s = s * 31 + (k ^ {i}); if (s % 7 == {i % 7}) s += k * {i}; }} return s; }}"
        for i in range(FUNCTIONS)
    )
    table = ", ".join(f"f{i}" for i in range(FUNCTIONS))
    source = f"""\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

{functions}

static long (*const table[])(long) = {{{table}}};

static PyObject *total(PyObject *self, PyObject *arg) {{
    long x = PyLong_AsLong(arg), sum = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) sum += table[i](x);
    return PyLong_FromLong(sum);
}}

static PyMethodDef methods[] = {{{{"total", total, METH_O, NULL}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef slow_module = {{PyModuleDef_HEAD_INIT, "slow", NULL, -1, methods}};

PyMODINIT_FUNC PyInit_slow(void) {{ return PyModule_Create(&slow_module); }}
"""
    project = root / "slow"
    (project / "src" / "slow").mkdir(parents=True)
    (project / "src" / "slow" / "__init__.py").write_text("")
    (project / "src" / "slow" / "slow.c").write_text(source)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "slow"\nversion = "1.0"\n\n'
        '[[tool.zlig.extensions]]\nname = "slow.slow"\nsources = ["src/slow/*.c"]\n'
    )
    return project


def group_processes(sid: int) -> dict[int, str]:
    """The live processes of a session (a build this test started, and every process group
    it made for its tools): pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # Fields after the command name, which is in parentheses: state, ppid, pgrp, session, ...
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found[int(entry.name)] = cmdline
    return found


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def start_compiling(venv, project: Path, out: Path, env: dict) -> subprocess.Popen:
    """Starts a build of the slow project and returns once zig is compiling slow.c
    (`zig build-lib ...` runs `zig clang ...`), a moment into that compile."""
    proc = start(venv, project, out, env)
    try:
        wait_for(
            lambda: [c for c in group_processes(proc.pid).values() if " clang " in c and "slow.c" in c],
            timeout=120,
            what="zig to compile slow.c",
        )
        time.sleep(0.3)
        assert proc.poll() is None, "the build ended before it could be interrupted"
    except BaseException:
        end_group(proc)
        raise
    return proc


def end_group(proc: subprocess.Popen) -> None:
    """Kills what is left of a build this test started (its own session)."""
    for pid in group_processes(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=60)


def test_build_killed_mid_compile_then_built_again(zlig_venv, venvs, frontend_env, tmp_path):
    project = slow_project(tmp_path)
    out = tmp_path / "out"
    proc = start_compiling(zlig_venv, project, out, frontend_env)
    os.killpg(proc.pid, signal.SIGKILL)
    end_group(proc)
    assert proc.returncode == -signal.SIGKILL
    wait_for(lambda: not group_processes(proc.pid), timeout=30, what="the killed build's processes to end")
    assert list(out.iterdir()) == [], "the killed build left files in the output dir"

    # The same project, the same build dir (its lock, zig's half-written cache), the same
    # output dir.
    again = start(zlig_venv, project, out, frontend_env)
    wheel = finish(again, out)
    assert [p.name for p in out.iterdir()] == [wheel.name], "a temporary file was left beside the wheel"
    expected = sum(range(FUNCTIONS))
    code = "import slow.slow as s; print(s.total(0), s.total(1))"
    assert venvs.with_wheels(wheel).run(code) == f"{expected} {32 * expected}"


def test_clean_during_a_build_waits_for_it_then_removes_the_build_dir(zlig_venv, venvs, frontend_env, tmp_path):
    project = slow_project(tmp_path)
    out = tmp_path / "out"
    proc = start_compiling(zlig_venv, project, out, frontend_env)
    try:
        cleaned = zlig_clean(zlig_venv, project, frontend_env)
        # The build holds its build dir until its wheel is written.
        written_before_clean_ended = [p.name for p in out.glob("*.whl")]
    except BaseException:
        end_group(proc)
        raise
    wheel = finish(proc, out)

    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert f"zlig: waiting for another build (process {proc.pid})" in cleaned.stderr, cleaned.stderr
    # `build/` too: the build made it.
    assert cleaned.stdout.splitlines() == [f"removed {project / 'build'}"]
    assert not (project / "build").exists()
    assert written_before_clean_ended == [wheel.name]
    expected = sum(range(FUNCTIONS))
    assert venvs.with_wheels(wheel).run("import slow.slow as s; print(s.total(0))") == str(expected)


def interrupt(venv, project: Path, out: Path, env: dict, how) -> tuple[subprocess.Popen, str, float]:
    """Interrupts a compiling build with `how(proc)`; returns the process, its output and
    how long it took to end."""
    proc = start_compiling(venv, project, out, env)
    try:
        sent = time.monotonic()
        how(proc)
        output = proc.communicate(timeout=120)[0]
        took = time.monotonic() - sent
        # What a build left running, given a moment to notice its parent is gone.
        time.sleep(0.5)
        left = group_processes(proc.pid)
    finally:
        end_group(proc)
    assert not left, f"processes outlived the interrupted build: {sorted(left.values())}"
    return proc, output, took


def ctrl_c(proc: subprocess.Popen) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(proc.pid, signal.SIGINT)


def test_ctrl_c_mid_compile_stops_the_build_and_leaves_nothing(zlig_venv, frontend_env, tmp_path):
    project = slow_project(tmp_path)
    out = tmp_path / "out"
    proc, output, took = interrupt(zlig_venv, project, out, frontend_env, ctrl_c)
    assert proc.returncode != 0, output
    assert took < 10, f"the build took {took:.1f} s to stop"
    assert list(out.iterdir()) == [], output


def test_ctrl_c_mid_compile_prints_no_traceback(zlig_venv, frontend_env, tmp_path):
    project = slow_project(tmp_path)
    proc, output, _ = interrupt(zlig_venv, project, tmp_path / "out", frontend_env, ctrl_c)
    assert proc.returncode == 130, output
    assert output.splitlines()[-1] == "zlig: interrupted", output
    assert "Traceback" not in output, output


def test_sigterm_to_the_build_ends_zig_too(zlig_venv, frontend_env, tmp_path):
    """A frontend's or CI's timeout: SIGTERM to the process running the hook ends zig's
    build runner, `zig build-lib` and `zig clang` with it, and the process still dies of
    SIGTERM."""
    project = slow_project(tmp_path)
    out = tmp_path / "out"
    proc, output, took = interrupt(
        zlig_venv, project, out, frontend_env, lambda p: p.send_signal(signal.SIGTERM)
    )
    assert proc.returncode == -signal.SIGTERM, output
    assert took < 10, f"the build took {took:.1f} s to stop"
    assert list(out.iterdir()) == [], output


# ---------------------------------------------------------------------------- interrupted packing

BLOBS = 40
BLOB_SIZE = 8 * 2**20


@pytest.fixture(scope="module")
def bulky_project(tmp_path_factory) -> Path:
    """A pure-Python package (no extension, so no compiler) with 320 MB of random bytes,
    which deflate cannot shrink: packing its wheel takes seconds. Builds leave the project
    as it was, so the tests share it."""
    project = tmp_path_factory.mktemp("bulky") / "bulky"
    package = project / "src" / "bulky"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for i in range(BLOBS):
        (package / f"blob{i:02}.bin").write_bytes(os.urandom(BLOB_SIZE))
    (project / "pyproject.toml").write_text('[project]\nname = "bulky"\nversion = "1.0"\n')
    return project


def start_packing(venv, project: Path, out: Path, env: dict) -> subprocess.Popen:
    """Starts a build of the bulky project and returns once its wheel is being written
    (the build's `.zlig-<pid>-*.tmp` is in the output dir), a moment into that."""
    proc = start(venv, project, out, env)
    try:
        wait_for(lambda: list(out.glob(f".zlig-{proc.pid}-*.tmp")), timeout=60, what="the wheel's temporary file")
        time.sleep(0.3)
        assert proc.poll() is None, "the build ended before it could be interrupted"
    except BaseException:
        end_group(proc)
        raise
    return proc


def test_ctrl_c_while_packing_stops_at_once_and_leaves_nothing(zlig_venv, frontend_env, bulky_project, tmp_path):
    out = tmp_path / "out"
    proc = start_packing(zlig_venv, bulky_project, out, frontend_env)
    try:
        sent = time.monotonic()
        ctrl_c(proc)
        output = proc.communicate(timeout=60)[0]
        took = time.monotonic() - sent
    finally:
        end_group(proc)
    assert proc.returncode == 130, output
    assert took < 2, f"the build took {took:.1f} s to stop"
    assert list(out.iterdir()) == [], output


def test_build_killed_while_packing_leaves_a_temporary_file_the_next_build_removes(zlig_venv, frontend_env, bulky_project, copy_example, tmp_path):
    out = tmp_path / "out"
    proc = start_packing(zlig_venv, bulky_project, out, frontend_env)
    os.killpg(proc.pid, signal.SIGKILL)
    end_group(proc)
    assert proc.returncode == -signal.SIGKILL
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".zlig-{proc.pid}-") and left[0].endswith(".tmp"), left

    # Any next build into that folder (a small one here: packing the bulky project whole
    # takes a minute with a debug build of zlig).
    wheel = finish(start(zlig_venv, copy_example("pure"), out, frontend_env), out)
    assert [p.name for p in out.iterdir()] == [wheel.name]


def test_sigterm_while_packing_ends_the_build_by_sigterm_and_leaves_nothing(zlig_venv, frontend_env, bulky_project, tmp_path):
    out = tmp_path / "out"
    proc = start_packing(zlig_venv, bulky_project, out, frontend_env)
    try:
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
        took = time.monotonic() - sent
    finally:
        end_group(proc)
    assert proc.returncode == -signal.SIGTERM, output
    assert took < 2, f"the build took {took:.1f} s to stop"
    assert list(out.iterdir()) == [], output
