#!/usr/bin/env python3
"""zlig's benchmark suite: zlig against setuptools (gcc) and the pure-Python backends.

    python3 benchmarks/run.py                 everything, 5 runs per measurement
    python3 benchmarks/run.py --runs 9        more runs
    python3 benchmarks/run.py --only demo,pure --no-setup

One run (1) sets up `benchmarks/.work/venv`: the zlig wheel built from this checkout
(`maturin build --release`), ziglang 0.17.0, ninja, setuptools, wheel, flit_core, hatchling,
uv_build and pyproject_hooks, plus a local wheelhouse (setuptools, wheel, ninja) for the
isolated `pip wheel` runs; (2) runs itself again inside that venv and measures.

Backends are called through their PEP 517 `build_wheel` hook with `pyproject_hooks`, in the
venv (no build isolation), so a measurement is what a frontend pays for the hook: a Python
process, the backend's import and its work. zlig is measured with each of its compile
backends for C (`zlig[ninja]`, its default when ninja is installed, and `zlig[zig]`),
chosen with the `backend` config setting. Every figure is the median of `--runs` runs; zlig
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
import zipfile
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
VENV = WORK / "venv"
VENV_PYTHON = VENV / "bin" / "python"
DIST = WORK / "dist"  # the zlig wheel (and only it): find-links for isolated builds
WHEELHOUSE = WORK / "wheelhouse"  # setuptools, wheel and ninja for isolated builds
PROJECTS = WORK / "projects"
SCENARIOS = ("floor", "demo", "big", "cython", "pure", "e2e")

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
    env = {k: v for k, v in os.environ.items() if k not in SCRUB and not k.startswith("ZLIG_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if sys.prefix != sys.base_prefix:
        # As in an activated venv: uv_build finds its `uv-build` binary on PATH.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check(cmd: list[Any], **kwargs: Any) -> str:
    """Runs `cmd`; on failure prints its output and stops."""
    cmd = [str(c) for c in cmd]
    kwargs.setdefault("env", clean_env())
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode:
        say(proc.stdout)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout


# ------------------------------------------------------------------------------ setup


def zlig_source(ref: Optional[str]) -> Path:
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
    if VENV.exists() and subprocess.run([VENV_PYTHON, "-c", ""], capture_output=True).returncode:
        shutil.rmtree(VENV)
    if not VENV.exists():
        say(f"setup: creating {VENV.relative_to(ROOT)}")
        check([sys.executable, "-m", "venv", VENV])
        check([VENV_PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    pip = [VENV_PYTHON, "-m", "pip", "install", "-q"]
    check(pip + ["maturin>=1.9,<2"])

    wanted = ("setuptools", "wheel", "ninja", "cython")
    if not all(list(WHEELHOUSE.glob(f"{name}-*.whl")) for name in wanted):
        say("setup: downloading setuptools, wheel and ninja into the wheelhouse")
        check([VENV_PYTHON, "-m", "pip", "download", "-q", "--only-binary", ":all:", *wanted, "-d", WHEELHOUSE])

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
    # The same setuptools, wheel and ninja in the venv as in the wheelhouse.
    check(
        pip
        + ["--find-links", WHEELHOUSE]
        + [f"{name}=={version(name)}" for name in wanted]
        + ["ziglang==0.17.0", "flit_core", "hatchling", "uv_build", "pyproject_hooks"]
    )


def describe_source(source: Path, ref: Optional[str]) -> str:
    if ref:
        # The commit exported before the build: `ref` (HEAD, say) may have moved since.
        return f"commit {source.name.removeprefix('src-')} (exported with git archive)"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "python", "Cargo.toml", "Cargo.lock", "pyproject.toml"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"working tree at {commit}" + (" with uncommitted changes in src/, python/ or Cargo.*" if dirty else "")


# ---------------------------------------------------------------------- measurement


class BuildFailed(Exception):
    pass


def backend_module(backend: str) -> str:
    import projects

    return "zlig" if backend.startswith("zlig") else projects.BUILD_SYSTEMS[backend][1]


def hook_build_wheel(project: Path, backend: str, out: Path) -> tuple[float, Path]:
    """Calls `backend`'s `build_wheel` hook for `project` through pyproject_hooks in this
    venv; returns the wall time of the call and the wheel."""
    from pyproject_hooks import BuildBackendHookCaller

    def runner(cmd, cwd=None, extra_environ=None):  # type: ignore[no-untyped-def]
        env = clean_env(**(extra_environ or {}))
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode:
            raise BuildFailed(f"{backend} build_wheel failed for {project}:\n{proc.stdout}")

    module = "nullbackend" if backend == "null" else backend_module(backend)
    backend_path = ["."] if backend == "null" else None
    caller = BuildBackendHookCaller(str(project), module, backend_path=backend_path, runner=runner, python_executable=sys.executable)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    start = time.perf_counter()
    name = caller.build_wheel(str(out), ZLIG_C.get(backend))
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
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cmd = [sys.executable, "-c", OWN_TIME, backend_module(backend), str(out), json.dumps(ZLIG_C.get(backend))]
    proc = subprocess.run(cmd, cwd=project, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        raise BuildFailed(f"{backend} build_wheel failed for {project}:\n{proc.stdout}")
    return float(proc.stdout.split()[-1])


def timed(cmd: list[Any], cwd: Path, env: dict[str, str]) -> float:
    cmd = [str(c) for c in cmd]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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

    def fail(self, where: str, err: BuildFailed) -> None:
        say(str(err))
        self.errors.append(f"{where}: {str(err).splitlines()[0]}")

    def measure(self, scenario: str, case: str, backends: list[str], one: Callable[[str, int], float], note: str = "") -> None:
        """Runs `one(backend, i)` for i in range(runs), backends interleaved."""
        times: dict[str, list[float]] = {b: [] for b in backends}
        cpus: dict[str, list[float]] = {b: [] for b in backends}
        load_before = os.getloadavg()
        machine_before = cpu_jiffies()
        try:
            for i in range(self.runs):
                for backend in backends:
                    before = children_cpu()
                    t = one(backend, i)
                    cpu = children_cpu() - before
                    times[backend].append(t)
                    cpus[backend].append(cpu)
                    say(f"  {scenario} / {case} / {backend} run {i + 1}/{self.runs}: {t:.3f} s (CPU {cpu:.3f} s)")
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

    def get(self, scenario: str, case: str, backend: str, kind: str = "wall") -> Optional[float]:
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
    )


def make_projects(kind: str, backends: list[str]) -> dict[str, Path]:
    import projects

    maker = getattr(projects, kind)
    return {b: maker(PROJECTS / f"{kind}-{b.replace('[', '-').rstrip(']')}", "zlig" if b.startswith("zlig") else b) for b in backends}


def c_scenario(suite: Suite, kind: str, edits: list[tuple[str, Callable[[Path], None]]]) -> None:
    """cold, no-op and the given edits, zlig against setuptools, for one C project."""
    backends = [*ZLIG_C, "setuptools"]
    dirs = make_projects(kind, backends)
    wheels: dict[str, Path] = {}

    def build(backend: str) -> float:
        elapsed, wheel = hook_build_wheel(dirs[backend], backend, out_dir(kind, backend))
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

    def cold(backend: str, i: int) -> float:
        cold_clean(dirs[backend])
        return build(backend)

    suite.measure(kind, "cold build", backends, cold, note="fresh build dir; zig's global cache warm")
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
    return str(Path(list(spec.submodule_search_locations)[0]) / "zig")


def scenario_e2e(suite: Suite) -> None:
    """`pip wheel .` with build isolation, examples/demo, from local wheels only. `zlig` is
    zlig's default (with ZLIG_ZIG and no ninja: the zig backend); `zlig[ninja]` passes
    `-C backend=ninja`, so that zlig asks for ninja, which pip installs from the wheelhouse;
    `zlig[zig]` passes `-C backend=zig`."""
    import projects

    backends = ["zlig", "zlig[ninja]", "zlig[zig]", "setuptools"]
    env = clean_env(ZLIG_ZIG=zig_binary())
    # Not this venv's bin: its ninja would be found on PATH, and the isolated build would
    # not install its own (a machine with nothing but Python is the case measured).
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    base = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-index", "-q"]
    base += ["--find-links", DIST, "--find-links", WHEELHOUSE]

    def command(backend: str) -> list[Any]:
        out = out_dir("e2e", backend)
        shutil.rmtree(out, ignore_errors=True)
        extra = [f"--config-settings=backend={ZLIG_C[backend]['backend']}"] if backend in ZLIG_C else []
        return base + extra + ["-w", out]

    def project(backend: str) -> Path:
        return PROJECTS / f"e2e-{backend.replace('[', '-').rstrip(']')}"

    def fresh(backend: str, i: int) -> float:
        projects.demo(project(backend), "zlig" if backend.startswith("zlig") else backend)
        return timed(command(backend), project(backend), env)

    def again(backend: str, i: int) -> float:
        return timed(command(backend), project(backend), env)

    try:
        for backend in backends:  # warm-up, discarded
            fresh(backend, 0)
    except BuildFailed as err:
        suite.fail("e2e / warm-up", err)
        return
    suite.measure("e2e", "pip wheel . (isolated), fresh copy", backends, fresh, note="new build env and a fresh project copy each run")
    # Which compile backend zlig chose in the isolated environment: its folder in the build dir.
    suite.facts["e2e_compile_backend"] = {
        b: sorted(d.name for d in project(b).glob("build/zlig/*/*") if d.is_dir()) for b in backends if b.startswith("zlig")
    }
    suite.measure("e2e", "pip wheel . (isolated), same copy again", backends, again, note="new build env; the project's build dir from the last run")


# -------------------------------------------------------------------------- targets


def targets(suite: Suite) -> list[dict[str, Any]]:
    g = suite.get
    out = []

    def target(name: str, who: str, text: str, values: list[Optional[float]], met: Callable[..., bool], shown: Callable[..., str]) -> None:
        row = {"target": name, "zlig": who, "wanted": text}
        if any(v is None for v in values):
            row.update(measured="not measured", met=None)
        else:
            row.update(measured=shown(*values), met=bool(met(*values)))
        out.append(row)

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
    for z in ("zlig", "zlig[ninja]", "zlig[zig]"):
        target(
            "isolated pip wheel, fresh copy", z, "≤ setuptools",
            [g("e2e", "pip wheel . (isolated), fresh copy", z), g("e2e", "pip wheel . (isolated), fresh copy", "setuptools")],
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
        if entry["scenario"] == "floor":
            for name, st in wall.items():
                rows.append(f"| floor | {name} | | | | | {fmt(st)} | {cpu[name]['median']:.3f} | | | {machine} |")
            continue
        zligs = [b for b in wall if b.startswith("zlig")]
        rivals = [b for b in wall if not b.startswith("zlig")]
        for z in zligs:
            for rival in rivals:
                w = wall[z]["median"] / wall[rival]["median"]
                c = cpu[z]["median"] / cpu[rival]["median"] if cpu[rival]["median"] > 0 else float("nan")
                rows.append(
                    f"| {entry['scenario']} | {entry['case']} | {z} | {fmt(wall[z])} | {cpu[z]['median']:.3f} "
                    f"| {rival} | {fmt(wall[rival])} | {cpu[rival]['median']:.3f} | {w:.2f} | {c:.2f} | {machine} |"
                )
    return "\n".join(rows)


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
    for dist in ("zlig", "ziglang", "ninja", "cython", "setuptools", "wheel", "flit_core", "hatchling", "uv_build", "pyproject_hooks", "pip", "maturin"):
        try:
            got[dist] = version(dist)
        except PackageNotFoundError:
            got[dist] = "not installed"

    def first_line(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    import sysconfig

    got["zig"] = first_line([zig_binary(), "version"])
    got["gcc"] = first_line(["gcc", "--version"])
    got["setuptools_compiler"] = f"{sysconfig.get_config_var('CC')} {sysconfig.get_config_var('CFLAGS')}"
    got["zlig_wheel"] = ", ".join(p.name for p in DIST.glob("zlig-*.whl"))
    source = WORK / "zlig-source.txt"
    got["zlig_source"] = source.read_text().strip() if source.exists() else "unknown"
    return got


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
        "zig_global_cache": "warm (each scenario starts with a discarded warm-up build of every project)",
        "cases": suite.cases,
        "targets": targets(suite),
        "facts": suite.facts,
        "errors": suite.errors,
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    md = [table(suite), ""]
    md.append("| target | zlig | wanted | measured (medians, wall) | met |")
    md.append("|---|---|---|---|---|")
    for t in results["targets"]:
        met = {True: "met", False: "**not met**", None: "—"}[t["met"]]
        md.append(f"| {t['target']} | {t['zlig']} | {t['wanted']} | {t['measured']} | {met} |")
    md.append("")
    m = results["machine"]
    md.append(
        f"Machine: {m['nproc']} cores, {m['cpu_model']}; load average (1/5/15 min) "
        f"before {fmt_load(load_before)}, after {fmt_load(load_after)}; {args.runs} runs, medians "
        f"(min–max); {results['duration_s']:.0f} s in all. zlig: {results['versions']['zlig_source']}."
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
    return subprocess.run([VENV_PYTHON, __file__, "--in-venv"] + args.argv, env=clean_env()).returncode


if __name__ == "__main__":
    sys.exit(main())
