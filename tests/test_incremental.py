"""A kept build dir makes rebuilds cheap: an unchanged project compiles nothing, and an
edited source is the only one compiled again. With `-C verbose=true` zig lists every C file
it compiles, which is what these tests read."""

from __future__ import annotations

from pathlib import Path

from helpers import compiled_sources

BUILD_VERBOSE = "import sys, zlig; print(zlig.build_wheel(sys.argv[1], {'verbose': 'true'}))"


def verbose_build(venv, project: Path, out: Path, env) -> str:
    out.mkdir(parents=True, exist_ok=True)
    return venv.call(BUILD_VERBOSE, str(out), cwd=project, env=env, check=True).stdout


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
