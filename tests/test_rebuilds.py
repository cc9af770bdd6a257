"""Builds in a project that was built before: the kept build dir never serves stale
modules, and two builds of one project at once both succeed (the build dir's lock)."""

from __future__ import annotations

import subprocess

from helpers import wheel_read

BUILD_WHEEL = "import sys, zlig; print(zlig.build_wheel(sys.argv[1]))"
GREETING_AND_SHOUT = "import alpha; print(alpha.greeting(), alpha.shout('AbC'))"


def build_wheel(venv, project, out, env):
    out.mkdir(parents=True, exist_ok=True)
    name = venv.run(BUILD_WHEEL, str(out), cwd=project, env=env).splitlines()[-1]
    return out / name


def test_rebuild_follows_changed_macros_and_sources(zlig_venv, venvs, copy_example, frontend_env, tmp_path):
    project = copy_example("multi")
    first = build_wheel(zlig_venv, project, tmp_path / "1", frontend_env)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('GREETING="hi"', 'GREETING="hello"'))
    second = build_wheel(zlig_venv, project, tmp_path / "2", frontend_env)
    greet = project / "csrc" / "greet.c"
    greet.write_text(greet.read_text().replace("toupper", "tolower"))
    third = build_wheel(zlig_venv, project, tmp_path / "3", frontend_env)

    results = [venvs.with_wheels(w).run(GREETING_AND_SHOUT) for w in (first, second, third)]
    assert results == ["hi ABC", "hello ABC", "hello abc"]


def test_concurrent_builds_of_one_project_both_succeed(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    procs = [
        subprocess.Popen(
            [zlig_venv.python, "-c", BUILD_WHEEL, str(tmp_path / f"out{i}")],
            cwd=project,
            env=frontend_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in (1, 2)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    wheels = [tmp_path / f"out{i}" / out.splitlines()[-1] for i, out in zip((1, 2), outputs)]
    assert wheels[0].read_bytes() == wheels[1].read_bytes()
    assert wheel_read(wheels[0], "demo/__init__.py") == (project / "src/demo/__init__.py").read_bytes()
