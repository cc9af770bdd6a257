#!/usr/bin/env python3
"""Where zlig's time goes: the phases of one `build_wheel` hook call, from process starts.

    python3 benchmarks/profile.py [--runs 5]

Needs `strace` and the venv and projects that `benchmarks/run.py` made (run it first). Each
case calls zlig's `build_wheel` hook, as the benchmark does, with each C backend
(`-C backend=ninja` and `backend=zig`), under `strace -f --seccomp-bpf -e trace=execve`
(only process starts and exits stop the tracee, so the overhead is small), and splits the
wall time at the process boundaries:

- python, pyproject_hooks, import zlig, reading the project: until the first tool probe;
- the tool probes (`zig version`, `ninja --version`, `cc --version`; zero once zlig has
  remembered their answers in `~/.cache/zlig/probes/`) and zlig's work
  between them, until the build tool starts;
- zig backend: `zig build` until it execs its build runner ("maker"); the configurer
  (build.zig compiled and run; cold builds only); the maker until the first compile;
- the compile and link processes (`zig cc`/`ld.lld` under ninja, `zig build-obj`/`build-lib`
  under the maker), first start to last exit;
- the build tool after its last compile, and zlig after the tool: audit, wheel, exit.

It also counts the system calls of the pure-Python wheel build (`strace -c`). Medians of
`--runs` runs; results go to `benchmarks/.work/profile.json` and the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
VENV_PYTHON = WORK / "venv" / "bin" / "python"
PROJECTS = WORK / "projects"

EVENT = re.compile(r'^(\d+)\s+([\d.]+)\s+(?:execve\("([^"]*)", \[(.*?)\], 0x|\+\+\+ exited with (\d+) \+\+\+)')

PHASES = [
    "python + import zlig + project",
    "tool probes (zig version, ninja/cc --version)",
    "zig build until the maker",
    "configurer compile + run",
    "build tool until the first compile",
    "compile + link",
    "build tool after the last compile",
    "audit + wheel + exit",
]


def hook_script(project: Path, out: Path, backend: str) -> str:
    return (
        "import sys\n"
        "from pyproject_hooks import BuildBackendHookCaller, quiet_subprocess_runner\n"
        f"caller = BuildBackendHookCaller({str(project)!r}, 'zlig', runner=quiet_subprocess_runner,"
        " python_executable=sys.executable)\n"
        f"print(caller.build_wheel({str(out)!r}, {({'backend': backend} if backend else None)!r}))\n"
    )


def clean_env() -> dict[str, str]:
    drop = {"PIP_FIND_LINKS", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "SOURCE_DATE_EPOCH", "CFLAGS", "CPPFLAGS", "LDFLAGS"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("ZLIG_")}
    env["PATH"] = f"{VENV_PYTHON.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def traced(project: Path, backend: str = "") -> dict[str, float]:
    """One hook call under strace; returns milliseconds per phase."""
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace"
        out = Path(tmp) / "out"
        out.mkdir()
        # The driver starts the hook process; only the hook process and its children count.
        subprocess.run(
            ["strace", "-f", "--seccomp-bpf", "-ttt", "-s", "512", "-e", "trace=execve", "-e", "signal=none", "-o", trace,
             VENV_PYTHON, "-c", hook_script(project, out, backend)],
            check=True, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        events = []
        for line in trace.read_text().splitlines():
            m = EVENT.match(line)
            if m:
                pid, t, path, args, code = m.groups()
                events.append((int(pid), float(t), path or "", args or "", code))
    return phases(events)


def phases(events: list[tuple[int, float, str, str, str]]) -> dict[str, float]:
    # Only successful execs: a PATH search shows failed attempts too, which strace prints
    # as execve lines of the same process.
    starts, seen = [], set()
    for pid, t, path, args, _code in events:
        if path and pid not in seen:
            seen.add(pid)
            starts.append((pid, t, path, args))
    # zig build execs the maker in place: same pid, later exec.
    makers = [(pid, t) for pid, t, path, args, code in events if path.endswith("/maker")]
    exits = {pid: t for pid, t, path, args, code in events if code is not None}
    hook = next((pid, t) for pid, t, path, args in starts if "_in_process" in args)
    t0, hook_end = hook[1], exits[hook[0]]
    after = [s for s in starts if s[1] > t0]

    def arg1(args: str) -> str:
        parts = args.split(", ")
        return parts[1].strip('"') if len(parts) > 1 else ""

    probes = [s for s in after if arg1(s[3]) in ("version", "--version")]
    tool = next((s for s in after if (os.path.basename(s[2]) == "zig" and arg1(s[3]) == "build") or (os.path.basename(s[2]).startswith("ninja") and arg1(s[3]) == "-C")), None)
    got = dict.fromkeys(PHASES, 0.0)
    if not tool:  # no extension: all of it is zlig
        got["audit + wheel + exit"] = hook_end - t0
        return {k: v * 1000 for k, v in got.items()}
    first = probes[0][1] if probes else tool[1]
    got["python + import zlig + project"] = first - t0
    got["tool probes (zig version, ninja/cc --version)"] = tool[1] - first
    tool_end = exits[tool[0]]
    compiles = [s for s in after if s[1] >= tool[1] and s[2].endswith("/zig") and arg1(s[3]) in ("build-obj", "build-lib", "cc", "c++", "build-exe", "ld.lld") and "configurer" not in s[3]]
    cursor = tool[1]
    maker = next((t for pid, t in makers if pid == tool[0]), None)
    if maker:
        got["zig build until the maker"] = maker - tool[1]
        cursor = maker
        cfg = [s for s in after if "configurer" in s[3] or "configurer" in s[2]]
        if cfg:
            got["configurer compile + run"] = max(exits[s[0]] for s in cfg) - min(s[1] for s in cfg)
    if compiles:
        c0 = min(s[1] for s in compiles)
        c1 = max(exits[s[0]] for s in compiles)
        got["build tool until the first compile"] = c0 - cursor - got["configurer compile + run"]
        got["compile + link"] = c1 - c0
        got["build tool after the last compile"] = tool_end - c1
    else:
        got["build tool until the first compile"] = tool_end - cursor - got["configurer compile + run"]
    got["audit + wheel + exit"] = hook_end - tool_end
    return {k: v * 1000 for k, v in got.items()}


def edit(project: Path, kind: str) -> None:
    sys.path.insert(0, str(HERE))
    import projects

    if kind == "demo":
        projects.edit_c(project / "src" / "demo" / "demo.c", "demo_bench_edit")
    else:
        projects.set_define(project / "src" / "bigext" / "part17.c", "PART_SALT")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("strace"):
        raise SystemExit("profile.py needs strace (apt-get install strace)")
    if not VENV_PYTHON.exists():
        raise SystemExit("run benchmarks/run.py first: it makes the venv and the projects")
    results: dict[str, dict[str, float]] = {}
    for backend in ("ninja", "zig"):
        demo, big = PROJECTS / f"demo-zlig-{backend}", PROJECTS / f"big-zlig-{backend}"
        if not demo.exists() or not big.exists():
            raise SystemExit(f"run benchmarks/run.py first: {demo.name} and {big.name} are missing")
        cases = {
            f"demo no-op [{backend}]": (demo, None),
            f"demo edited .c [{backend}]": (demo, lambda d=demo: edit(d, "demo")),
            f"demo cold [{backend}]": (demo, lambda d=demo: shutil.rmtree(d / "build", ignore_errors=True)),
            f"big no-op [{backend}]": (big, None),
            f"big one edited .c [{backend}]": (big, lambda b=big: edit(b, "big")),
        }
        traced(demo, backend)  # bring the projects up to date
        traced(big, backend)
        for name, (project, prepare) in cases.items():
            runs = []
            for _ in range(args.runs):
                if prepare:
                    prepare()
                runs.append(traced(project, backend))
            results[name] = {phase: statistics.median(r[phase] for r in runs) for phase in PHASES}
            results[name]["total"] = statistics.median(sum(r.values()) for r in runs)

    # Syscalls of the pure-Python build (zlig's own process only: no compiler runs).
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        counts = Path(tmp) / "counts"
        subprocess.run(
            ["strace", "-f", "-c", "-o", counts, VENV_PYTHON, "-c", hook_script(PROJECTS / "pure-zlig", out, "")],
            check=True, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        syscalls = {}
        for line in counts.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1].isidentifier() and parts[-1] != "total":
                syscalls[parts[-1]] = int(parts[3])
    top = dict(sorted(syscalls.items(), key=lambda kv: -kv[1])[:8])

    width = max(len(p) for p in PHASES) + 2
    for backend in ("ninja", "zig"):
        names = [n for n in results if n.endswith(f"[{backend}]")]
        print(f"zlig[{backend}], ms (median of {args.runs})".ljust(width) + "".join(f"{n.rsplit(' [', 1)[0]:>20}" for n in names))
        for phase in PHASES + ["total"]:
            print(phase.ljust(width) + "".join(f"{results[n][phase]:>20.1f}" for n in names))
        print()
    print("\npure-Python wheel build (2,000 modules), most frequent system calls:")
    for name, count in top.items():
        print(f"  {name:<12} {count:>7}")
    (WORK / "profile.json").write_text(
        json.dumps({"runs": args.runs, "phases_ms": results, "pure_syscalls": top, "load_average": os.getloadavg()}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
