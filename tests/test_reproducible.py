"""Reproducible output: two builds of the same input give byte-identical wheels and sdists,
whatever the build dir, the project's path, the umask, and with or without
SOURCE_DATE_EPOCH; and the compiled modules carry no path of the machine that built them,
with the `ninja` and `zig` backends and in every optimize mode.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from conftest import copy_project
from helpers import EXT_SUFFIX

BUILD_BOTH = (
    "import os, sys, zlig\n"
    "os.umask(int(sys.argv[2], 8))\n"
    "print('=>', zlig.build_sdist(sys.argv[1]))\n"
    "print('=>', zlig.build_wheel(sys.argv[1]))\n"
)
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC, an even number of seconds (zip's resolution)
ZIP_1980 = (1980, 1, 1, 0, 0, 0)


@dataclasses.dataclass
class Dists:
    project: Path
    sdist: Path
    wheel: Path


def build(venv, project: Path, out: Path, env: dict, *, umask: int = 0o022, epoch=None) -> Dists:
    """build_sdist, then build_wheel, in `project`, in one process with `umask`."""
    env = dict(env)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    out.mkdir(parents=True)
    output = venv.run(BUILD_BOTH, str(out), f"{umask:o}", cwd=project, env=env)
    lines = [line[3:] for line in output.splitlines() if line.startswith("=> ")]
    sdist, wheel = out / lines[0], out / lines[1]
    assert sdist.name.endswith(".tar.gz") and wheel.name.endswith(".whl"), lines
    return Dists(project, sdist, wheel)


def zip_entries(wheel: Path) -> list[tuple]:
    with zipfile.ZipFile(wheel) as zf:
        return [
            (i.filename, i.date_time, oct(i.external_attr >> 16), i.compress_type, zf.read(i))
            for i in zf.infolist()
        ]


def tar_entries(sdist: Path) -> list[tuple]:
    with tarfile.open(sdist, "r:gz") as tf:
        return [
            (
                m.name, m.type, oct(m.mode), m.mtime, m.uid, m.gid, m.uname, m.gname,
                tf.extractfile(m).read() if m.isfile() else b"",
            )
            for m in tf.getmembers()
        ]


def differences(a: list[tuple], b: list[tuple]) -> list[str]:
    """The entries that differ between two archives, for the failure message."""
    by_name_a = {e[0]: e for e in a}
    by_name_b = {e[0]: e for e in b}
    diffs = [f"only in first: {n}" for n in by_name_a.keys() - by_name_b.keys()]
    diffs += [f"only in second: {n}" for n in by_name_b.keys() - by_name_a.keys()]
    for name in by_name_a.keys() & by_name_b.keys():
        ea, eb = by_name_a[name], by_name_b[name]
        if ea != eb:
            fields = [i for i, (x, y) in enumerate(zip(ea, eb)) if x != y]
            diffs.append(f"{name}: fields {fields} differ: {[ea[i] for i in fields if i != len(ea) - 1]} vs {[eb[i] for i in fields if i != len(eb) - 1]}")
    if not diffs and [e[0] for e in a] != [e[0] for e in b]:
        diffs.append("entry order differs")
    return diffs


def assert_identical(first: Dists, second: Dists) -> None:
    assert first.wheel.name == second.wheel.name
    assert first.sdist.name == second.sdist.name
    if first.wheel.read_bytes() != second.wheel.read_bytes():
        pytest.fail(f"wheels differ: {differences(zip_entries(first.wheel), zip_entries(second.wheel))}")
    if first.sdist.read_bytes() != second.sdist.read_bytes():
        pytest.fail(f"sdists differ: {differences(tar_entries(first.sdist), tar_entries(second.sdist))}")


def contents(dists: Dists) -> tuple[list, list]:
    """Names and data of both archives, without timestamps."""
    return (
        [(e[0], e[-1]) for e in zip_entries(dists.wheel)],
        [(e[0], e[-1]) for e in tar_entries(dists.sdist)],
    )


def restrict_tree(root: Path) -> None:
    """Makes a copy look like a checkout made under umask 077: files 0600, folders 0700."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=["demo", "multi"])
def baseline(request, zlig_venv, frontend_env, tmp_path_factory) -> Dists:
    """The example built once with the default build dir, umask 022 and no
    SOURCE_DATE_EPOCH: what every other build is compared with."""
    tmp = tmp_path_factory.mktemp(f"repro-{request.param}")
    project = copy_project(request.param, tmp)
    return build(zlig_venv, project, tmp / "out", frontend_env)


# ---------------------------------------------------------------------------- tests


def test_baseline_entries_are_dated_1980_with_normalized_modes(baseline):
    for name, date, mode, _, _ in zip_entries(baseline.wheel):
        assert date == ZIP_1980, name
        expected = "0o100755" if name.endswith(EXT_SUFFIX) else "0o100644"
        assert mode == expected, (name, mode)
    for name, _kind, mode, mtime, uid, gid, uname, gname, _ in tar_entries(baseline.sdist):
        assert mtime == 315532800, name  # 1980-01-01T00:00:00Z
        assert (uid, gid, uname, gname) == (0, 0, "", ""), name
        assert mode in ("0o644", "0o755"), (name, mode)


def test_copy_at_another_path_is_identical(baseline, zlig_venv, frontend_env, tmp_path):
    name = baseline.project.name
    elsewhere = copy_project(name, tmp_path / "some" / "deeper" / "place", as_name=f"{name}-checkout")
    assert_identical(baseline, build(zlig_venv, elsewhere, tmp_path / "out", frontend_env))


def test_source_date_epoch_builds_in_a_row_are_identical_and_dated_by_it(
    baseline, zlig_venv, frontend_env, tmp_path
):
    """Two builds in a row, the second with a fresh build dir, with the same
    SOURCE_DATE_EPOCH. (Two builds without it: the baseline and the copy above.)"""
    name = baseline.project.name
    project = copy_project(name, tmp_path)
    first = build(zlig_venv, project, tmp_path / "first", frontend_env, epoch=EPOCH)
    shutil.rmtree(project / "build")
    second = build(zlig_venv, project, tmp_path / "second", frontend_env, epoch=EPOCH)
    assert_identical(first, second)

    assert {e[1] for e in zip_entries(first.wheel)} == {time.gmtime(EPOCH)[:6]}
    assert {e[3] for e in tar_entries(first.sdist)} == {EPOCH}
    # Only the dates differ from the build without SOURCE_DATE_EPOCH.
    assert contents(first) == contents(baseline)


def test_build_under_umask_077_is_identical(baseline, zlig_venv, frontend_env, tmp_path):
    name = baseline.project.name
    project = copy_project(name, tmp_path)
    restrict_tree(project)
    restricted = build(zlig_venv, project, tmp_path / "out", frontend_env, umask=0o077)
    assert_identical(baseline, restricted)


def printable_runs(data: bytes) -> set[bytes]:
    """What `strings -n 4` prints."""
    return set(re.findall(rb"[\x20-\x7e]{4,}", data))


def machine_paths(project: Path) -> list[str]:
    return [
        str(project),
        str(project.resolve()),
        str(project / "build"),
        str(project.parent),
        "/root",
        str(Path.home()),
        os.path.realpath(os.environ.get("TMPDIR", "/tmp")) + "/",
        "build/zlig",
    ]


def modules(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith(EXT_SUFFIX)}


def leaked_paths(wheel: Path, project: Path) -> list[tuple[str, str, bytes]]:
    leaks = []
    for name, data in modules(wheel).items():
        for run in printable_runs(data):
            for path in machine_paths(project):
                if path.encode() in run:
                    leaks.append((name, path, run))
    return leaks


def test_compiled_modules_hold_no_build_path(baseline):
    found = modules(baseline.wheel)
    assert found, "no compiled module in the wheel"
    assert leaked_paths(baseline.wheel, baseline.project) == []


# ------------------------------------------------- every built-in backend, every mode

BACKENDS = ["ninja", "zig"]
MODES = ["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"]
# One module each: a C one that names files in every way C allows and calls compiler_rt,
# and a C++ one that links libc++.
PROBES = ["path_free", "cxx_exception"]
BEHAVIOUR = {
    "path_free": (
        (
            "import path_free as m\n"
            "print(m.source_file(), m.header_file(), m.high_quotient(10, 4), m.add(2**63 - 1, 1))"
        ),
        # __FILE__ names files through the backend's link to the project; -fwrapv
        # (CPython's flag) defines signed overflow, which wraps in every mode.
        f"project/src/path_free/probe.c project/include/path_free.h 2 {-2**63}",
    ),
    "cxx_exception": (
        (
            "import cxx_exception as m\n"
            "try:\n    m.factorial(-1)\nexcept ValueError as e:\n    print(m.factorial(5), e)"
        ),
        "120 n must not be negative: -1",
    ),
}


@dataclasses.dataclass
class Checkouts:
    """One example built by one backend in one mode, from two checkouts."""

    optimize: str
    example: str
    wheels: tuple[Path, Path]
    machine_paths: list[str]
    """Every folder of either build that no module may name."""


def build_wheel(venv, project: Path, out: Path, env: dict, settings: dict) -> Path:
    out.mkdir(parents=True)
    code = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"
    return out / venv.run(code, str(out), json.dumps(settings), cwd=project, env=env).splitlines()[-1]


def zig_global_cache(env: dict) -> Path:
    """zig's global cache, as zlig chooses it for builds in `env` (tool_home.rs)."""
    if env.get("ZIG_GLOBAL_CACHE_DIR"):
        return Path(env["ZIG_GLOBAL_CACHE_DIR"]).absolute()
    return Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME", Path.home())) / ".cache") / "zig"


@pytest.fixture(
    scope="module",
    params=list(itertools.product(BACKENDS, MODES, PROBES)),
    ids=lambda p: "-".join(p),
)
def checkouts(request, zlig_venv, backend_env, zig, tmp_path_factory) -> Checkouts:
    """The example copied to two paths of different lengths and built there, the first
    with its default build dir (inside it), the second with one outside it."""
    backend, optimize, example = request.param
    env = backend_env
    tmp = tmp_path_factory.mktemp(f"{example}-{backend}-{optimize}")
    first = copy_project(example, tmp)
    second = copy_project(example, tmp / "some" / "deeper" / "place", as_name=f"{example}-checkout")
    second_build = tmp / "elsewhere" / "build-dir"
    settings = {"backend": backend, "optimize": optimize}
    wheels = (
        build_wheel(zlig_venv, first, tmp / "out1", env, settings),
        build_wheel(zlig_venv, second, tmp / "out2", env, dict(settings, **{"build-dir": str(second_build)})),
    )
    paths = [
        *(str(p) for project in (first, second) for p in (project, project.resolve())),
        str(first / "build"),
        str(second_build),
        sysconfig.get_paths()["include"],
        str(zig.parent / "lib"),
        str(zig_global_cache(env)),
        str(Path.home()),
        os.path.realpath(os.environ.get("TMPDIR", "/tmp")) + "/",
    ]
    return Checkouts(optimize, example, wheels, paths)


def run_module(wheel: Path, code: str, tmp: Path) -> subprocess.CompletedProcess:
    """`python -c code` with the wheel's contents importable."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp / "site")
    env = dict(os.environ, PYTHONPATH=str(tmp / "site"))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp, check=False)


def elf_sections(data: bytes) -> set[str]:
    return {section.name for section in ELFFile(io.BytesIO(data)).iter_sections()}


def test_every_backend_and_mode_builds_identical_wheels_from_two_checkouts(checkouts):
    first, second = checkouts.wheels
    assert first.name == second.name
    if first.read_bytes() != second.read_bytes():
        pytest.fail(f"wheels differ: {differences(zip_entries(first), zip_entries(second))}")


def test_every_backend_and_mode_leaves_no_machine_path_in_modules(checkouts):
    leaks = []
    for wheel in checkouts.wheels:
        found = modules(wheel)
        assert found, "no compiled module in the wheel"
        for name, data in found.items():
            for path in checkouts.machine_paths:
                at = data.find(path.encode())
                if at >= 0:
                    leaks.append((name, path, data[max(0, at - 40) : at + len(path) + 40]))
    assert leaks == []


def test_every_backend_and_mode_builds_working_modules_that_name_files_relative_to_the_project(
    checkouts, tmp_path
):
    code, expected = BEHAVIOUR[checkouts.example]
    result = run_module(checkouts.wheels[0], code, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr


def test_debug_modules_trap_undefined_behaviour_and_keep_debug_info(checkouts, tmp_path):
    """Debug: UBSan in trap mode (SIGILL), debug info kept; release modes: neither."""
    debug = checkouts.optimize == "Debug"
    for module in modules(checkouts.wheels[0]).values():
        assert (".debug_info" in elf_sections(module)) == debug
    if checkouts.example == "path_free":
        shifted = run_module(checkouts.wheels[0], "import path_free; path_free.shift(1, 40)", tmp_path)
        assert shifted.returncode == (-signal.SIGILL if debug else 0), shifted.stderr
