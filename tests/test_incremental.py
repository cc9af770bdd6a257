"""A kept build dir makes rebuilds cheap: an unchanged project compiles nothing, and an
edited source is the only one compiled again. With `-C verbose=true` zig lists every C file
it compiles, which is what these tests read."""

from __future__ import annotations

import filecmp
from pathlib import Path

from helpers import compiled_sources

BUILD_VERBOSE = (
    "import sys, zlig\n"
    "settings = dict(verbose='true', **dict(arg.split('=', 1) for arg in sys.argv[2:]))\n"
    "print(zlig.build_wheel(sys.argv[1], settings))"
)


def verbose_build(venv, project: Path, out: Path, env, backend: str = "") -> str:
    """A verbose build with the default backend, or `backend`."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = [f"backend={backend}"] if backend else []
    return venv.call(BUILD_VERBOSE, str(out), *chosen, cwd=project, env=env, check=True).stdout


def test_unchanged_project_rebuilds_without_compiling(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("multi")
    first = verbose_build(zlig_venv, project, tmp_path / "1", frontend_env)
    assert compiled_sources(first, project) == {"_speedups.c", "alpha/_native.c", "csrc/greet.c"}
    second = verbose_build(zlig_venv, project, tmp_path / "2", frontend_env)
    assert "is up to date" in second
    assert compiled_sources(second, project) == set()


def test_editing_one_source_recompiles_only_that_source(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("multi")
    verbose_build(zlig_venv, project, tmp_path / "1", frontend_env)
    greet = project / "csrc" / "greet.c"
    greet.write_text(greet.read_text() + "\n/* edited */\n")
    again = verbose_build(zlig_venv, project, tmp_path / "2", frontend_env)
    assert compiled_sources(again, project) == {"csrc/greet.c"}


def test_a_fresh_checkout_reuses_the_zig_configure_step_compiled_once(zlig_venv, copy_example, frontend_env, tmp_path):
    # zig build compiles the build file into a 28 MB "configurer" in the build dir's zig
    # cache (2 s); zlig's build.zig is the same for every project, so it is compiled once
    # per machine and copied into each new build dir. Had zig compiled one of its own, the
    # cache would hold two.
    configurers = []
    for name in ("first", "second"):
        project = copy_example("demo", f"demo-{name}")
        out = verbose_build(zlig_venv, project, tmp_path / name, frontend_env, backend="zig")
        assert "zig's configure step copied from" in out, out
        (configurer,) = (project / "build" / "zlig").glob("*/zig/zig-cache/o/*/configurer")
        configurers.append(configurer)
    assert filecmp.cmp(*configurers, shallow=False)
