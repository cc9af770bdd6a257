#!/usr/bin/env python3
"""zlig's benchmark suite: zlig against setuptools (gcc) and the pure-Python backends.

    python3 benchmarks/run.py                 everything, 5 runs per measurement
    python3 benchmarks/run.py --runs 9        more runs
    python3 benchmarks/run.py --only demo,pure --no-setup

One run (1) sets up `benchmarks/.work/venv`: the zlig wheel built from this checkout
(`maturin build --release`), ziglang 0.17.0, ninja, setuptools, wheel, cython, flit_core,
hatchling, uv_build, uv and pyproject_hooks, plus a local wheelhouse (everything an isolated
build may install: ziglang, ninja, cython, setuptools and what the real projects' own
setuptools builds ask for), so that no isolated build needs an index; (2) runs itself again
inside that venv and measures.

The headline scenarios (`user`, `fresh`, `realworld`) run what a user runs, with nothing
preset: an isolated `pip wheel .` or `uv build --wheel`, no ZLIG_* variable, no zig or ninja
on PATH. The other C scenarios call the backends' PEP 517 `build_wheel` hook with
`pyproject_hooks`, in the venv (no build isolation), so a measurement is what a frontend
pays for the hook: a Python process, the backend's import and its work. There zlig is
measured with each of its compile backends for C (`zlig[ninja]`, its default when ninja is
installed, and `zlig[zig]`), chosen with the `backend` config setting. Every figure is the
median of `--runs` runs; zlig
and its rivals run interleaved, so that a noisy spell hits all of them. Wall time is what
the targets use; the CPU time of the build's processes is recorded beside it, since it
changes far less with the machine's load. It prints a table and writes
`benchmarks/.work/results.json` (and `results.md`). Nothing fails on timing: targets are
reported as met or not met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import types
import zipfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
VENV = WORK / "venv"
VENV_PYTHON = VENV / "bin" / "python"
DIST = WORK / "dist"  # the zlig wheel (and only it): find-links for isolated builds
WHEELHOUSE = WORK / "wheelhouse"  # everything else isolated builds may install
PROJECTS = WORK / "projects"
# Isolated builds install from those two folders only, never from an index.
LOCAL_WHEELS = ["--no-index", "--find-links", str(DIST), "--find-links", str(WHEELHOUSE)]
SCENARIOS = ("floor", "demo", "big", "cython", "pure", "e2e", "user", "fresh", "realworld")

ZIGLANG = "ziglang==0.17.0"
# In the venv and in the wheelhouse, the same versions.
BUILD_TOOLS = ("setuptools", "wheel", "ninja", "cython")
# What isolated builds may install besides zlig: zlig's tools, and what the real projects'
# own setuptools builds ask for (brotli: pkgconfig; ujson: setuptools-scm; frozenlist and
# propcache: expandvars, and Cython from their in-tree backend).
WHEELHOUSE_REQUIREMENTS = (*BUILD_TOOLS, ZIGLANG, "pkgconfig", "setuptools-scm[simple]", "expandvars")
# `import zlig` against a bare interpreter: a few ms apart, so many runs.
FLOOR_RUNS = 20

# zlig's compile backends for C, by the `backend` config setting.
ZLIG_C = {"zlig[ninja]": {"backend": "ninja"}, "zlig[zig]": {"backend": "zig"}}

# What the machine's environment must not decide (a global find-links folder, flags).
SCRUB = {
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONSTRAINT",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_NO_BUILD_ISOLATION",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
    "SOURCE_DATE_EPOCH",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "CC",
    "CXX",
    "VIRTUAL_ENV",
}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB and not k.startswith(("ZLIG_", "UV_"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if sys.prefix != sys.base_prefix:
        # As in an activated venv: uv_build finds its `uv-build` binary on PATH.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def user_env(**extra: str) -> dict[str, str]:
    """What a user's shell has: `clean_env` without this venv's bin on PATH, where the
    `ninja` package put ninja (and where uv is)."""
    env = clean_env(**extra)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    return env


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check(cmd: list[Any], **kwargs: Any) -> str:
    """Runs `cmd`; on failure prints its output and stops."""
    cmd = [str(c) for c in cmd]
    kwargs.setdefault("env", clean_env())
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs, check=False)
    if proc.returncode:
        say(proc.stdout)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout


# ------------------------------------------------------------------------------ setup


def zlig_source(ref: str | None) -> Path:
    """The tree to build zlig from: the checkout as it is, or a commit exported from git
    (for a stable build while the checkout is being edited, or to compare commits)."""
    if not ref:
        return ROOT
    commit = check(["git", "-C", ROOT, "rev-parse", "--verify", f"{ref}^{{commit}}"]).strip()
    dest = WORK / f"src-{commit[:12]}"
    if not dest.exists():
        archive = WORK / "src.tar"
        check(["git", "-C", ROOT, "archive", "--format=tar", "-o", archive, commit])
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
        archive.unlink()
    return dest


def setup(args: argparse.Namespace) -> None:
    """The venv, the zlig wheel from this checkout, the wheelhouse."""
    WORK.mkdir(parents=True, exist_ok=True)
    if VENV.exists() and subprocess.run([VENV_PYTHON, "-c", ""], capture_output=True, check=False).returncode:
        shutil.rmtree(VENV)
    if not VENV.exists():
        say(f"setup: creating {VENV.relative_to(ROOT)}")
        check([sys.executable, "-m", "venv", VENV])
        check([VENV_PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    pip = [VENV_PYTHON, "-m", "pip", "install", "-q"]
    check(pip + ["maturin>=1.9,<2"])

    stamp = WHEELHOUSE / "requirements.txt"
    if not (stamp.exists() and stamp.read_text() == "\n".join(WHEELHOUSE_REQUIREMENTS)):
        say(f"setup: downloading {', '.join(WHEELHOUSE_REQUIREMENTS)} (and their dependencies) into the wheelhouse")
        shutil.rmtree(WHEELHOUSE, ignore_errors=True)
        check([VENV_PYTHON, "-m", "pip", "download", "-q", "--only-binary", ":all:", *WHEELHOUSE_REQUIREMENTS, "-d", WHEELHOUSE])
        stamp.write_text("\n".join(WHEELHOUSE_REQUIREMENTS))

    source = zlig_source(args.zlig_ref)
    say(f"setup: building zlig from {source} (maturin build --release; the first time compiles every crate)")
    DIST.mkdir(parents=True, exist_ok=True)
    for old in DIST.glob("zlig-*.whl"):
        old.unlink()
    # A target dir of our own: cargo's lock on the shared one would make the benchmark and
    # the other builds in this checkout wait for each other.
    env = clean_env(CARGO_TARGET_DIR=str(WORK / "cargo-target"))
    check([VENV_PYTHON, "-m", "maturin", "build", "--release", "-i", VENV_PYTHON, "-o", DIST], cwd=source, env=env)
    (wheel,) = DIST.glob("zlig-*.whl")
    (WORK / "zlig-source.txt").write_text(describe_source(source, args.zlig_ref) + "\n")

    def version(prefix: str) -> str:
        names = sorted(WHEELHOUSE.glob(f"{prefix}-*.whl"))
        return names[-1].name.split("-")[1]

    say(f"setup: installing {wheel.name} and the other backends into the venv")
    check(pip + ["--force-reinstall", "--no-deps", wheel])
    check(
        pip
        + ["--find-links", WHEELHOUSE]
        + [f"{name}=={version(name)}" for name in BUILD_TOOLS]
        + [ZIGLANG, "flit_core", "hatchling", "uv_build", "uv", "pyproject_hooks"]
    )


def describe_source(source: Path, ref: str | None) -> str:
    if ref:
        # The commit exported before the build: `ref` (HEAD, say) may have moved since.
        return f"commit {source.name.removeprefix('src-')} (exported with git archive)"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "python", "Cargo.toml", "Cargo.lock", "pyproject.toml"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"working tree at {commit}" + (" with uncommitted changes in src/, python/ or Cargo.*" if dirty else "")


# ---------------------------------------------------------------------- measurement


class BuildFailed(Exception):
    pass


def backend_module(backend: str) -> str:
    import projects

    return "zlig" if backend.startswith("zlig") else projects.BUILD_SYSTEMS[backend][1]


def empty_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def hook_build_wheel(project: Path, backend: str, out: Path, settings: dict[str, str] | None = None) -> tuple[float, Path]:
    """Calls `backend`'s `build_wheel` hook for `project` through pyproject_hooks in this
    venv, with zlig's config settings for it and `settings`; returns the wall time of the
    call and the wheel."""
    from pyproject_hooks import BuildBackendHookCaller

    def runner(cmd, cwd=None, extra_environ=None):  # type: ignore[no-untyped-def]
        env = clean_env(**(extra_environ or {}))
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if proc.returncode:
            raise BuildFailed(f"{backend} build_wheel failed for {project}:\n{proc.stdout}")

    module = "nullbackend" if backend == "null" else backend_module(backend)
    backend_path = ["."] if backend == "null" else None
    caller = BuildBackendHookCaller(str(project), module, backend_path=backend_path, runner=runner, python_executable=sys.executable)
    empty_dir(out)
    start = time.perf_counter()
    config = {**ZLIG_C[backend], **(settings or {})} if backend in ZLIG_C else None
    name = caller.build_wheel(str(out), config)
    elapsed = time.perf_counter() - start
    return elapsed, out / name


OWN_TIME = """
import json, sys, time
start = time.perf_counter()
backend = __import__(sys.argv[1], fromlist=["build_wheel"])
backend.build_wheel(sys.argv[2], json.loads(sys.argv[3]))
print(time.perf_counter() - start)
"""


def hook_own_time(project: Path, backend: str, out: Path) -> float:
    """The backend's own share of a `build_wheel` hook call: from importing it until the
    hook returns, timed inside the process, so without the Python start and the frontend's
    hook runner that every backend pays alike (the floor scenario measures those)."""
    cmd = [sys.executable, "-c", OWN_TIME, backend_module(backend), str(empty_dir(out)), json.dumps(ZLIG_C.get(backend))]
    proc = subprocess.run(cmd, cwd=project, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if proc.returncode:
        raise BuildFailed(f"{backend} build_wheel failed for {project}:\n{proc.stdout}")
    return float(proc.stdout.split()[-1])


def timed(cmd: list[Any], cwd: Path, env: dict[str, str]) -> float:
    cmd = [str(c) for c in cmd]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise BuildFailed(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout}")
    return elapsed


def wheel_facts(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    return {
        "name": wheel.name,
        "bytes": wheel.stat().st_size,
        "entries": len(names),
        "extensions": sorted(n for n in names if n.endswith(".so")),
    }


def children_cpu() -> float:
    """User + system CPU seconds of every finished child process (and of the children they
    waited for): the CPU a build used, whatever else ran on the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_jiffies() -> list[int]:
    """The machine's CPU time counters (/proc/stat: user nice system idle iowait irq
    softirq steal)."""
    try:
        return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return [0] * 8


def machine_share(before: list[int], after: list[int]) -> dict[str, float]:
    """How the whole machine spent its CPU time while a case ran: busy (anyone's work, ours
    included), idle, and stolen by the hypervisor."""
    delta = [a - b for a, b in zip(after, before)]
    total = sum(delta) or 1
    idle = delta[3] + delta[4]
    return {
        "busy": round((total - idle - delta[7]) / total, 3),
        "idle": round(idle / total, 3),
        "steal": round(delta[7] / total, 3),
    }


def stats(runs: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(runs),
        "min": min(runs),
        "max": max(runs),
        "runs": [round(r, 4) for r in runs],
    }


class Suite:
    """Collects measurements: scenario → case → backend → runs."""

    def __init__(self, runs: int):
        self.runs = runs
        self.cases: list[dict[str, Any]] = []
        self.facts: dict[str, Any] = {}
        self.errors: list[str] = []

    def fail(self, where: str, err: Exception) -> None:
        say(str(err))
        self.errors.append(f"{where}: {str(err).splitlines()[0]}")

    def measure(
        self,
        scenario: str,
        case: str,
        backends: list[str],
        one: Callable[[str, int], float],
        note: str = "",
        runs: int | None = None,
    ) -> None:
        """Runs `one(backend, i)` for i in range(runs) (default `--runs`), backends interleaved."""
        runs = runs or self.runs
        times: dict[str, list[float]] = {b: [] for b in backends}
        cpus: dict[str, list[float]] = {b: [] for b in backends}
        load_before = os.getloadavg()
        machine_before = cpu_jiffies()
        try:
            for i in range(runs):
                for backend in backends:
                    before = children_cpu()
                    t = one(backend, i)
                    cpu = children_cpu() - before
                    times[backend].append(t)
                    cpus[backend].append(cpu)
                    say(f"  {scenario} / {case} / {backend} run {i + 1}/{runs}: {t:.3f} s (CPU {cpu:.3f} s)")
        except BuildFailed as err:
            self.fail(f"{scenario} / {case}", err)
            return
        self.cases.append(
            {
                "scenario": scenario,
                "case": case,
                "note": note,
                "load_before": load_before,
                "load_after": os.getloadavg(),
                "machine_cpu": machine_share(machine_before, cpu_jiffies()),
                "wall": {b: stats(t) for b, t in times.items()},
                "cpu": {b: stats(t) for b, t in cpus.items()},
            }
        )

    def get(self, scenario: str, case: str, backend: str, kind: str = "wall") -> float | None:
        for entry in self.cases:
            if entry["scenario"] == scenario and entry["case"] == case:
                got = entry[kind].get(backend)
                return got["median"] if got else None
        return None


# ------------------------------------------------------------------------ scenarios


def cold_clean(project: Path) -> None:
    """A fresh build dir: zlig's build/zlig, setuptools' build/ and egg-info, and the C that
    cythonize wrote beside a Cython project's sources."""
    import projects

    shutil.rmtree(project / "build", ignore_errors=True)
    for info in project.glob("src/*.egg-info"):
        shutil.rmtree(info)
    projects.cython_clean(project)


def out_dir(scenario: str, backend: str) -> Path:
    return WORK / "out" / scenario / backend


def scenario_floor(suite: Suite) -> None:
    """What every hook call costs before any backend work: a Python start, and a
    `build_wheel` hook of a backend that writes a stub wheel."""
    project = PROJECTS / "null"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    (project / "nullbackend.py").write_text(
        "import zipfile\n\n"
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    name = 'null-0-py3-none-any.whl'\n"
        "    with zipfile.ZipFile(wheel_directory + '/' + name, 'w') as zf:\n"
        "        zf.writestr('null-0.dist-info/WHEEL', 'Wheel-Version: 1.0\\n')\n"
        "    return name\n"
    )
    env = clean_env()

    def one(what: str, i: int) -> float:
        if what == "python -c pass":
            return timed([sys.executable, "-c", "pass"], project, env)
        if what.startswith("import "):
            return timed([sys.executable, "-c", what], project, env)
        return hook_build_wheel(project, "null", out_dir("floor", "null"))[0]

    suite.measure(
        "floor",
        "fixed costs",
        ["python -c pass", "null build_wheel hook", "import zlig", "import setuptools.build_meta"],
        one,
        note="a Python start; a build_wheel hook that writes a stub wheel; importing each backend",
        runs=max(suite.runs, FLOOR_RUNS),
    )


def generated(kind: str, backend: str, suffix: str = "") -> Path:
    """Writes a new copy of project `kind` (`projects.demo`, `projects.big`, …) for
    `backend` into its folder, PROJECTS/<kind>-<backend><suffix>."""
    import projects

    dest = PROJECTS / f"{kind}-{backend.replace('[', '-').rstrip(']')}{suffix}"
    return getattr(projects, kind)(dest, "zlig" if backend.startswith("zlig") else backend)


def make_projects(kind: str, backends: list[str]) -> dict[str, Path]:
    return {b: generated(kind, b) for b in backends}


def c_scenario(suite: Suite, kind: str, edits: list[tuple[str, Callable[[Path], None]]]) -> None:
    """cold, no-op and the given edits, zlig against setuptools, for one C project."""
    backends = [*ZLIG_C, "setuptools"]
    dirs = make_projects(kind, backends)
    wheels: dict[str, Path] = {}

    def build(backend: str, settings: dict[str, str] | None = None) -> float:
        elapsed, wheel = hook_build_wheel(dirs[backend], backend, out_dir(kind, backend), settings)
        wheels[backend] = wheel
        return elapsed

    # A discarded warm-up: the page cache, bytecode, zig's global cache for this target.
    try:
        for backend in backends:
            cold_clean(dirs[backend])
            t = build(backend)
            say(f"  {kind} / warm-up / {backend}: {t:.3f} s")
            suite.facts.setdefault("wheels", {})[f"{kind} {backend}"] = wheel_facts(wheels[backend])
    except BuildFailed as err:
        suite.fail(f"{kind} / warm-up", err)
        return
    if kind == "big":
        suite.facts["big_run_12345"] = same_result(wheels)
    if kind == "cython":
        code = "import importlib; print(sum(importlib.import_module(f'cybench.m{m:02d}').run(12345) for m in range(20)))"
        suite.facts["cython_run_12345"] = same_result(wheels, code)

    # Cold means compiled: zlig's object cache, which would serve every object of a fresh
    # build dir (the `user` scenario measures that), is off for this row only.
    def cold(backend: str, i: int) -> float:
        cold_clean(dirs[backend])
        return build(backend, {"object-cache": "false"})

    suite.measure(kind, "cold build", backends, cold, note="fresh build dir, zlig's object cache off (-C object-cache=false); zig's global cache warm")
    try:
        for backend in backends:  # discarded: back to the default settings' build file
            build(backend)
    except BuildFailed as err:
        suite.fail(f"{kind} / after cold", err)
        return
    suite.measure(kind, "no-op rebuild", backends, lambda b, i: build(b), note="nothing changed since the last build")
    suite.measure(
        kind,
        "no-op rebuild, backend's own time",
        backends,
        lambda b, i: hook_own_time(dirs[b], b, out_dir(kind, b)),
        note="import the backend + build_wheel, timed in the hook's process",
    )
    for case, edit in edits:

        def edited(backend: str, i: int, edit: Callable[[Path], None] = edit) -> float:
            edit(dirs[backend])
            return build(backend)

        suite.measure(kind, case, backends, edited)


def same_result(wheels: dict[str, Path], code: str = "import bigext; print(bigext.run(12345))") -> dict[str, Any]:
    """Imports the extension from each wheel and runs it (`code`): all must agree."""
    results: dict[str, Any] = {}
    for backend, wheel in wheels.items():
        with tempfile.TemporaryDirectory() as tmp:
            zipfile.ZipFile(wheel).extractall(tmp)
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=tmp,
                env=clean_env(PYTHONPATH=tmp),
                capture_output=True,
                text=True,
                check=False,
            )
            results[backend] = out.stdout.strip() or out.stderr.strip()[-300:]
    results["agree"] = len(set(results.values())) == 1
    return results


def scenario_demo(suite: Suite) -> None:
    import projects

    c_scenario(
        suite,
        "demo",
        [("edit the .c file", lambda d: projects.edit_c(d / "src" / "demo" / "demo.c", "demo_bench_edit"))],
    )


def scenario_big(suite: Suite) -> None:
    import projects

    c_scenario(
        suite,
        "big",
        [
            ("edit one .c file", lambda d: projects.set_define(d / "src" / "bigext" / "part17.c", "PART_SALT")),
            ("edit the shared header", lambda d: projects.set_define(d / "src" / "bigext" / "common.h", "COMMON_STAMP")),
        ],
    )


def scenario_cython(suite: Suite) -> None:
    import projects

    c_scenario(
        suite,
        "cython",
        [("edit one .pyx file", lambda d: projects.set_salt(d / "src" / "cybench" / "m07.pyx"))],
    )


def scenario_pure(suite: Suite) -> None:
    backends = ["zlig", "flit_core", "hatchling", "uv_build"]
    dirs = make_projects("pure", backends)

    def one(backend: str, i: int) -> float:
        elapsed, wheel = hook_build_wheel(dirs[backend], backend, out_dir("pure", backend))
        if i == 0:
            suite.facts.setdefault("wheels", {})[f"pure {backend}"] = wheel_facts(wheel)
        return elapsed

    try:
        for backend in backends:  # warm-up, discarded
            one(backend, 0)
    except BuildFailed as err:
        suite.fail("pure / warm-up", err)
        return
    suite.measure("pure", "build_wheel, 2,000 modules", backends, one)


def zig_binary() -> str:
    import importlib.util

    spec = importlib.util.find_spec("ziglang")
    assert spec and spec.submodule_search_locations
    return str(Path(next(iter(spec.submodule_search_locations))) / "zig")


def pip_wheel(out: Path, *options: str) -> list[Any]:
    """An isolated `pip wheel .` into `out` (emptied first), from local wheels only."""
    return [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", *LOCAL_WHEELS, *options, "-w", empty_dir(out)]


def uv_binary() -> Path:
    return Path(sys.executable).parent / "uv"


def uv_build(out: Path) -> list[Any]:
    """An isolated `uv build --wheel` into `out` (emptied first), from local wheels only,
    for this venv's interpreter."""
    return [uv_binary(), "build", "--wheel", "--no-config", "-q", *LOCAL_WHEELS, "--python", sys.executable, "--out-dir", empty_dir(out)]


def scenario_e2e(suite: Suite) -> None:
    """`pip wheel .` with build isolation, examples/demo, from local wheels only, with
    ZLIG_ZIG set to the venv's zig: not a headline figure (a user sets nothing; see `user`).
    `zlig` is zlig's default (ninja when zlig keeps a ninja from an earlier build, else
    zig); `zlig[ninja]` passes `-C backend=ninja`, `zlig[zig]` `-C backend=zig`."""
    backends = ["zlig", "zlig[ninja]", "zlig[zig]", "setuptools"]
    env = user_env(ZLIG_ZIG=zig_binary())
    dirs: dict[str, Path] = {}

    def command(backend: str) -> list[Any]:
        options = [f"--config-settings=backend={ZLIG_C[backend]['backend']}"] if backend in ZLIG_C else []
        return pip_wheel(out_dir("e2e", backend), *options)

    def fresh(backend: str, i: int) -> float:
        dirs[backend] = generated("demo", backend, "-e2e")
        return timed(command(backend), dirs[backend], env)

    def again(backend: str, i: int) -> float:
        return timed(command(backend), dirs[backend], env)

    try:
        for backend in backends:  # warm-up, discarded
            fresh(backend, 0)
    except BuildFailed as err:
        suite.fail("e2e / warm-up", err)
        return
    suite.measure("e2e", "pip wheel . (isolated, ZLIG_ZIG set), fresh copy", backends, fresh, note="new build env and a fresh project copy each run")
    # Which compile backend zlig chose in the isolated environment: its folder in the build dir.
    suite.facts["e2e_compile_backend"] = {
        b: sorted(d.name for d in dirs[b].glob("build/zlig/*/*") if d.is_dir()) for b in backends if b.startswith("zlig")
    }
    suite.measure("e2e", "pip wheel . (isolated, ZLIG_ZIG set), same copy again", backends, again, note="new build env; the project's build dir from the last run")


def scenario_user(suite: Suite) -> None:
    """What a user runs, with nothing preset (no ZLIG_* variable, no zig or ninja on PATH):
    an isolated build of a fresh copy by pip or uv, on a machine where zlig built before.
    The warm-up builds the same sources in another folder, so that zlig's kept zig and
    ninja, zig's cache, zlig's object cache and uv's cache are warm."""
    env = user_env()
    backends = ["zlig", "setuptools"]
    # uv may know a zlig wheel by its name alone, and setup's new one has the old one's name.
    check([uv_binary(), "cache", "clean", "zlig"], env=env)
    cases: list[tuple[str, str, Callable[[Path], list[Any]]]] = [
        ("demo", "demo: pip wheel . (isolated), fresh copy", pip_wheel),
        ("demo", "demo: uv build --wheel (isolated), fresh copy", uv_build),
        ("big", "big: pip wheel . (isolated), fresh copy built once elsewhere", pip_wheel),
    ]
    for kind, case, frontend in cases:

        def build(backend: str, i: int, kind: str = kind, frontend: Callable[[Path], list[Any]] = frontend, folder: str = "-user") -> float:
            project = generated(kind, backend, folder)
            return timed(frontend(out_dir("user", backend)), project, env)

        try:
            for backend in backends:
                build(backend, 0, folder="-user-warm-up")
        except BuildFailed as err:
            suite.fail(f"user / {case} / warm-up", err)
            continue
        suite.measure("user", case, backends, build, note="new build env and a fresh project copy each run; nothing preset")


def scenario_fresh(suite: Suite) -> None:
    """The first isolated `pip wheel .` of examples/demo on a fresh machine: HOME and
    XDG_CACHE_HOME point at a new, empty folder each run, so zig's, zlig's and pip's caches
    are empty, and zlig asks for ziglang and ninja. No warm-up. Beside it, the part of that
    build spent installing ziglang: pip installing the ziglang wheel alone into an empty
    prefix, as pip fills an isolated build environment."""
    home = WORK / "fresh-home"

    def empty_home() -> dict[str, str]:
        empty_dir(home)
        return user_env(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))

    def first_build(backend: str, i: int) -> float:
        project = generated("demo", backend, "-fresh")
        return timed(pip_wheel(out_dir("fresh", backend)), project, empty_home())

    def install_ziglang(what: str, i: int) -> float:
        pip = [sys.executable, "-m", "pip", "install", "-q", "--ignore-installed", "--no-user", "--no-deps"]
        command = pip + ["--no-index", "--find-links", WHEELHOUSE, "--prefix", home / "prefix", ZIGLANG]
        return timed(command, WORK, empty_home())

    suite.measure(
        "fresh",
        "pip wheel . (isolated), fresh copy, empty caches",
        ["zlig", "setuptools"],
        first_build,
        note="HOME and XDG_CACHE_HOME: a new empty folder each run",
    )
    suite.measure(
        "fresh",
        "pip install ziglang (empty prefix, empty caches)",
        ["pip install ziglang"],
        install_ziglang,
        note=f"pip install --prefix <empty folder> --no-deps {ZIGLANG} from the wheelhouse",
    )
    shutil.rmtree(home, ignore_errors=True)


def load_realworld() -> Any:
    """tests/realworld/run.py: the real projects, their sdist pins, zlig's rewrite of them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("realworld", ROOT / "tests" / "realworld" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["realworld"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def scenario_realworld(suite: Suite) -> None:
    """The real projects of tests/realworld from their pinned PyPI sdists: an isolated
    `pip wheel` of a newly unpacked sdist each run, nothing preset. zlig builds it as
    tests/realworld rewrites it (zlig's tables spliced into pyproject.toml, setup.py
    deleted); setuptools builds the sdist as published, with its own build system. The
    warm-up builds each project once, in another folder."""
    try:
        realworld = load_realworld()
    except ModuleNotFoundError as err:  # tomllib: Python < 3.11
        suite.fail("realworld", err)
        return
    env = user_env()
    backends = ["zlig", "setuptools"]
    pip_runner = types.SimpleNamespace(python=sys.executable)  # all that realworld.fetch uses
    for project in realworld.PROJECTS.values():
        try:
            sdist = realworld.fetch(project, pip_runner, WORK, WORK / "logs")
        except realworld.Failure as err:
            suite.fail(f"realworld / {project.key} / download", err)
            continue

        def build(backend: str, i: int, project: Any = project, sdist: Path = sdist, folder: str = "") -> float:
            tree = realworld.unpack(sdist, PROJECTS / f"realworld-{project.key}-{backend}{folder}")
            if backend == "zlig":
                realworld.rewrite(project, tree, tree.parent / "pyproject.orig.toml")
            return timed(pip_wheel(out_dir(f"realworld/{project.key}", backend)), tree, env)

        try:
            for backend in backends:
                build(backend, 0, folder="-warm-up")
        except (BuildFailed, realworld.Failure) as err:
            suite.fail(f"realworld / {project.key} / warm-up", err)
            continue
        case = f"{project.name} {project.version}: pip wheel (isolated), newly unpacked sdist"
        suite.measure("realworld", case, backends, build, note="zlig: the sdist rewritten as tests/realworld does")
        for backend in backends:
            for wheel in out_dir(f"realworld/{project.key}", backend).glob("*.whl"):
                suite.facts.setdefault("wheels", {})[f"realworld {project.key} {backend}"] = wheel_facts(wheel)


# -------------------------------------------------------------------------- targets


def targets(suite: Suite) -> list[dict[str, Any]]:
    """Each target with its medians and whether they meet it; `headline` marks what a user
    runs (a figure to report has `met` None)."""
    g = suite.get
    out = []

    def target(
        name: str,
        who: str,
        text: str,
        values: list[float | None],
        met: Callable[..., bool] | None,
        shown: Callable[..., str],
        headline: bool = False,
    ) -> None:
        row = {"target": name, "zlig": who, "wanted": text, "headline": headline}
        if any(v is None for v in values):
            row.update(measured="not measured", met=None)
        else:
            row.update(measured=shown(*values), met=bool(met(*values)) if met else None)
        out.append(row)

    for case, share in [("demo: pip wheel . (isolated), fresh copy", 0.8), ("demo: uv build --wheel (isolated), fresh copy", 0.5)]:
        target(
            f"{case}, caches warm", "zlig", f"≤ {share} × setuptools",
            [g("user", case, "zlig"), g("user", case, "setuptools")],
            lambda a, s, share=share: a <= share * s,
            lambda a, s: f"{a:.2f} s = {a / s:.2f} × setuptools ({s:.2f} s)",
            headline=True,
        )
    case = "big: pip wheel . (isolated), fresh copy built once elsewhere"
    target(
        case, "zlig", "≤ 0.15 × setuptools' cold build",
        [g("user", case, "zlig"), g("user", case, "setuptools")],
        lambda a, s: a <= 0.15 * s,
        lambda a, s: f"{a:.2f} s = {a / s:.3f} × setuptools' cold build ({s:.2f} s)",
        headline=True,
    )
    first, install = "pip wheel . (isolated), fresh copy, empty caches", "pip install ziglang (empty prefix, empty caches)"
    target(
        "demo: first pip wheel . on a fresh machine", "zlig", "reported, with the share installing ziglang",
        [g("fresh", first, "zlig"), g("fresh", first, "setuptools"), g("fresh", install, "pip install ziglang")],
        None,
        lambda a, s, z: f"{a:.2f} s = {a / s:.2f} × setuptools ({s:.2f} s); installing ziglang {z:.2f} s of it ({z / a:.0%})",
        headline=True,
    )
    target(
        "import zlig, over a bare interpreter", "zlig", "≤ 10 ms",
        [g("floor", "fixed costs", "import zlig"), g("floor", "fixed costs", "python -c pass")],
        lambda z, p: z - p <= 0.010,
        lambda z, p: f"{(z - p) * 1000:.1f} ms ({z * 1000:.1f} ms against python -c pass {p * 1000:.1f} ms)",
        headline=True,
    )
    own = "no-op rebuild, backend's own time"
    target(
        "demo no-op hook call, backend's own time", "zlig[ninja] (the default)", "≤ 0.15 × setuptools",
        [g("demo", own, "zlig[ninja]"), g("demo", own, "setuptools")],
        lambda a, s: a <= 0.15 * s,
        lambda a, s: f"{a:.3f} s = {a / s:.2f} × setuptools ({s:.3f} s)",
        headline=True,
    )
    for z in ZLIG_C:
        target(
            "demo no-op rebuild, hook call", z, "≤ 0.1 s and ≤ 0.2 × setuptools",
            [g("demo", "no-op rebuild", z), g("demo", "no-op rebuild", "setuptools")],
            lambda a, s: a <= 0.1 and a <= 0.2 * s,
            lambda a, s: f"{a:.3f} s = {a / s:.2f} × setuptools ({s:.3f} s)",
        )
        own = "no-op rebuild, backend's own time"
        target(
            "demo no-op rebuild, backend's own time", z, "≤ 0.1 s and ≤ 0.2 × setuptools",
            [g("demo", own, z), g("demo", own, "setuptools")],
            lambda a, s: a <= 0.1 and a <= 0.2 * s,
            lambda a, s: f"{a:.3f} s = {a / s:.2f} × setuptools ({s:.3f} s)",
        )
    for z in ZLIG_C:
        target(
            "big cold build", z, "≤ 0.6 × setuptools",
            [g("big", "cold build", z), g("big", "cold build", "setuptools")],
            lambda a, s: a <= 0.6 * s,
            lambda a, s: f"{a:.2f} s = {a / s:.2f} × setuptools ({s:.2f} s)",
        )
    for z in ZLIG_C:
        target(
            "big one edited .c file", z, "≤ 0.15 × its own cold build",
            [g("big", "edit one .c file", z), g("big", "cold build", z)],
            lambda e, c: e <= 0.15 * c,
            lambda e, c: f"{e:.3f} s = {e / c:.3f} × its cold build ({c:.2f} s)",
        )
    for z in ZLIG_C:
        target(
            "cython cold build", z, "≤ 0.6 × setuptools + cythonize(nthreads)",
            [g("cython", "cold build", z), g("cython", "cold build", "setuptools")],
            lambda a, s: a <= 0.6 * s,
            lambda a, s: f"{a:.2f} s = {a / s:.2f} × setuptools ({s:.2f} s)",
        )
    for z in ZLIG_C:
        target(
            "cython one edited .pyx", z, "≤ 0.15 × its own cold build",
            [g("cython", "edit one .pyx file", z), g("cython", "cold build", z)],
            lambda e, c: e <= 0.15 * c,
            lambda e, c: f"{e:.3f} s = {e / c:.3f} × its cold build ({c:.2f} s)",
        )
    target(
        "pure 2,000 modules", "zlig", "≤ uv_build",
        [g("pure", "build_wheel, 2,000 modules", "zlig"), g("pure", "build_wheel, 2,000 modules", "uv_build")],
        lambda a, u: a <= u,
        lambda a, u: f"{a:.3f} s = {a / u:.2f} × uv_build ({u:.3f} s)",
    )
    e2e = "pip wheel . (isolated, ZLIG_ZIG set), fresh copy"
    for z in ("zlig", "zlig[ninja]", "zlig[zig]"):
        target(
            "isolated pip wheel with ZLIG_ZIG set, fresh copy", z, "≤ setuptools",
            [g("e2e", e2e, z), g("e2e", e2e, "setuptools")],
            lambda a, s: a <= s,
            lambda a, s: f"{a:.2f} s = {a / s:.2f} × setuptools ({s:.2f} s)",
        )
    return out


# ---------------------------------------------------------------------------- report


def fmt(st: dict[str, Any]) -> str:
    return f"{st['median']:.3f} ({st['min']:.3f}–{st['max']:.3f})"


def table(suite: Suite) -> str:
    """A markdown table: per case, each zlig variant against each rival."""
    rows = [
        "| scenario | case | zlig | wall s | CPU s | rival | wall s | CPU s | zlig / rival, wall | zlig / rival, CPU | machine idle / steal |",
        "|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for entry in suite.cases:
        wall, cpu, share = entry["wall"], entry["cpu"], entry["machine_cpu"]
        machine = f"{share['idle']:.0%} / {share['steal']:.0%}"
        zligs = [b for b in wall if b.startswith("zlig")]
        rivals = [b for b in wall if not b.startswith("zlig")]
        if not zligs:  # fixed costs, measured alone: in the rival columns
            for name, st in wall.items():
                rows.append(f"| {entry['scenario']} | {entry['case']} | | | | {name} | {fmt(st)} | {cpu[name]['median']:.3f} | | | {machine} |")
            continue
        for z in zligs:
            for rival in rivals:
                w = wall[z]["median"] / wall[rival]["median"]
                c = cpu[z]["median"] / cpu[rival]["median"] if cpu[rival]["median"] > 0 else float("nan")
                rows.append(
                    f"| {entry['scenario']} | {entry['case']} | {z} | {fmt(wall[z])} | {cpu[z]['median']:.3f} "
                    f"| {rival} | {fmt(wall[rival])} | {cpu[rival]['median']:.3f} | {w:.2f} | {c:.2f} | {machine} |"
                )
    return "\n".join(rows)


def targets_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| target | zlig | wanted | measured (medians, wall) | met |", "|---|---|---|---|---|"]
    for t in rows:
        met = {True: "met", False: "**not met**", None: "—"}[t["met"]]
        lines.append(f"| {t['target']} | {t['zlig']} | {t['wanted']} | {t['measured']} | {met} |")
    return lines


def machine() -> dict[str, Any]:
    cpu, mem = "", ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    autogroup = ""
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "platform": platform.platform(),
        "sched_autogroup_enabled": autogroup,
    }


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    got = {"python": platform.python_version()}
    for dist in ("zlig", "ziglang", "ninja", "cython", "setuptools", "wheel", "flit_core", "hatchling", "uv_build", "uv", "pyproject_hooks", "pip", "maturin"):
        try:
            got[dist] = version(dist)
        except PackageNotFoundError:
            got[dist] = "not installed"

    def first_line(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    import sysconfig

    got["zig"] = first_line([zig_binary(), "version"])
    # Found by the headline builds if there were any: a user with nothing preset has none.
    for tool in ("zig", "ninja"):
        got[f"{tool}_on_user_path"] = shutil.which(tool, path=user_env()["PATH"]) or "none"
    got["zlig_kept_tools"] = ", ".join(kept_tools())
    got["gcc"] = first_line(["gcc", "--version"])
    got["setuptools_compiler"] = f"{sysconfig.get_config_var('CC')} {sysconfig.get_config_var('CFLAGS')}"
    got["zlig_wheel"] = ", ".join(p.name for p in DIST.glob("zlig-*.whl"))
    source = WORK / "zlig-source.txt"
    got["zlig_source"] = source.read_text().strip() if source.exists() else "unknown"
    return got


def kept_tools() -> list[str]:
    """The zig and ninja copies in zlig's user cache, which the headline builds run (the
    newest zig 0.17.x among them), found as src/compile/tool_home.rs finds that cache."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    cache = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return sorted(p.name for p in (cache / "zlig").glob("*") if p.name.startswith(("zig-0", "ninja-")))


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


def measure(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(HERE))
    only = args.only.split(",") if args.only else list(SCENARIOS)
    suite = Suite(args.runs)
    started = time.time()
    load_before = os.getloadavg()
    say(f"measuring {', '.join(only)}: {args.runs} runs each, load average {fmt_load(load_before)}")
    for name in SCENARIOS:
        if name in only:
            say(f"scenario {name}")
            globals()[f"scenario_{name}"](suite)
    load_after = os.getloadavg()
    results = {
        "command": " ".join(["python3", "benchmarks/run.py"] + args.argv),
        "runs": args.runs,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "versions": versions(),
        "zig_global_cache": "warm (each scenario starts with a discarded warm-up build), except in `fresh` (empty each run)",
        "cases": suite.cases,
        "targets": targets(suite),
        "facts": suite.facts,
        "errors": suite.errors,
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    md = ["## Headline: what a user runs, nothing preset", "", *targets_table([t for t in results["targets"] if t["headline"]])]
    md += ["", "## Every case", "", table(suite)]
    md += ["", "## Other targets", "", *targets_table([t for t in results["targets"] if not t["headline"]]), ""]
    m = results["machine"]
    md.append(
        f"Machine: {m['nproc']} cores, {m['cpu_model']}; load average (1/5/15 min) "
        f"before {fmt_load(load_before)}, after {fmt_load(load_after)}; {args.runs} runs, medians "
        f"(min–max); {results['duration_s']:.0f} s in all. zlig: {results['versions']['zlig_source']}; "
        f"the tools it keeps (which the headline builds run): {results['versions']['zlig_kept_tools'] or 'none'}."
    )
    text = "\n".join(md)
    (WORK / "results.md").write_text(text + "\n")
    print(text)
    for error in suite.errors:
        say(f"error: {error}")
    say(f"wrote {(WORK / 'results.json').relative_to(ROOT)}")
    return 1 if suite.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5); the median is reported")
    parser.add_argument("--only", default="", help=f"comma-separated scenarios: {','.join(SCENARIOS)}")
    parser.add_argument("--no-setup", action="store_true", help="reuse the venv and the zlig wheel as they are")
    parser.add_argument("--zlig-ref", default="", help="build zlig from this git commit instead of the working tree")
    parser.add_argument("--in-venv", action="store_true", help=argparse.SUPPRESS)
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    args.argv = [a for a in argv if a != "--in-venv"]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.only and not set(args.only.split(",")) <= set(SCENARIOS):
        parser.error(f"--only takes {','.join(SCENARIOS)}")
    if args.in_venv:
        return measure(args)
    if not (args.no_setup and VENV_PYTHON.exists() and list(DIST.glob("zlig-*.whl"))):
        setup(args)
    return subprocess.run([VENV_PYTHON, __file__, "--in-venv"] + args.argv, env=clean_env(), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
