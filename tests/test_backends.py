"""Every built-in backend builds working, correctly tagged wheels; each rebuilds what an edit
touches and nothing more; a third-party backend plugs in through entry points; and a
backend that cannot be chosen is explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BIN
from helpers import (
    LINUX_TAG,
    MANYLINUX_TAG,
    compiled_sources,
    error_message,
    expected,
    run,
    scrubbed,
    wheel_tag,
    without_zig_on_path,
)

BACKENDS = ["zig", "ninja", "cc"]

BUILD = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"

CHECKS = {
    "demo": ("import demo; print(demo.add(2, 3))", "5"),
    "multi": ("import alpha, _speedups; print(alpha.greeting(), alpha.shout('AbC'))", "hi ABC"),
}


def build(venv, project: Path, out: Path, env, **settings: str):
    """Calls the build_wheel hook with `settings`; returns the CompletedProcess."""
    out.mkdir(parents=True, exist_ok=True)
    return venv.call(BUILD, str(out), json.dumps(settings), cwd=project, env=env)


def built_wheel(proc, out: Path) -> Path:
    assert proc.returncode == 0, proc.stdout
    return out / proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("example", sorted(CHECKS))
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_builds_a_working_wheel(backend, example, zlig_venv, venvs, copy_example, backend_env, tmp_path):
    project = copy_example(example)
    wheel = built_wheel(build(zlig_venv, project, tmp_path / "out", backend_env, backend=backend), tmp_path / "out")
    code, expected = CHECKS[example]
    assert venvs.with_wheels(wheel).run(code) == expected
    python, abi, platform = wheel_tag(wheel)
    assert abi.startswith("cp3") and python == abi
    if backend == "cc":
        # The machine's own compiler may pull in newer glibc symbols: the audit decides.
        assert platform in (LINUX_TAG, MANYLINUX_TAG)
    else:
        assert platform == MANYLINUX_TAG
    if platform.startswith("manylinux"):
        shown = run([BIN / "auditwheel", "show", wheel]).stdout
        assert "manylinux_2_5" in shown or "manylinux_2_17" in shown, shown
    assert (project / "build" / "zlig").is_dir()
    build_dirs = {p.name for p in (project / "build" / "zlig").iterdir()}
    assert len(build_dirs) == 1
    (tag_dir,) = (project / "build" / "zlig").iterdir()
    assert (tag_dir / backend / ("build.zig" if backend == "zig" else "build.ninja")).is_file()


@pytest.mark.parametrize("backend", BACKENDS)
def test_edits_rebuild_exactly_what_they_touch(backend, zlig_venv, copy_example, backend_env, tmp_path):
    project = copy_example("multi")
    settings = {"backend": backend, "verbose": "true"}
    first = build(zlig_venv, project, tmp_path / "1", backend_env, **settings)
    assert compiled_sources(first.stdout, project) == {"_speedups.c", "alpha/_native.c", "csrc/greet.c"}

    header = project / "include" / "greet.h"
    header.write_text(header.read_text() + "\n/* edited */\n")
    after_header = build(zlig_venv, project, tmp_path / "2", backend_env, **settings)
    assert compiled_sources(after_header.stdout, project) == {"alpha/_native.c", "csrc/greet.c"}

    (project / "beta" / "data.txt").write_text("unrelated edit\n")
    after_unrelated = build(zlig_venv, project, tmp_path / "3", backend_env, **settings)
    assert compiled_sources(after_unrelated.stdout, project) == set()
    assert "is up to date" in after_unrelated.stdout

    pyproject = project / "pyproject.toml"
    # The zig backend's build.zig is the same for every project; graph.json holds the project.
    described_in = "graph.json" if backend == "zig" else "build.ninja"
    build_file = next((project / "build" / "zlig").glob(f"*/{backend}/{described_in}"))
    before = build_file.read_text()
    pyproject.write_text(pyproject.read_text().replace('"ALPHA_LEVEL=3"', '"ALPHA_LEVEL=4"'))
    after_config = build(zlig_venv, project, tmp_path / "4", backend_env, **settings)
    assert "is up to date" not in after_config.stdout
    assert build_file.read_text() != before
    assert "ALPHA_LEVEL=4" in build_file.read_text()
    assert compiled_sources(after_config.stdout, project) == {"alpha/_native.c", "csrc/greet.c"}


def test_switching_backend_never_reuses_another_build_file(zlig_venv, copy_example, backend_env, tmp_path):
    project = copy_example("demo")
    for backend in ("zig", "ninja", "zig"):
        built_wheel(build(zlig_venv, project, tmp_path / backend, backend_env, backend=backend), tmp_path / backend)
    (tag_dir,) = (project / "build" / "zlig").iterdir()
    assert sorted(p.name for p in tag_dir.iterdir() if p.is_dir()) == ["ninja", "zig"]
    assert not (tag_dir / "zig" / "build.ninja").exists()
    assert not (tag_dir / "ninja" / "build.zig").exists()


def test_third_party_backend_from_entry_points_builds_a_working_wheel(plugin_venv, venvs, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    proc = build(plugin_venv, project, tmp_path / "out", frontend_env, backend="script")
    wheel = built_wheel(proc, tmp_path / "out")
    assert "with the script backend (1.0)" in proc.stdout
    (tag_dir,) = (project / "build" / "zlig").iterdir()
    assert "cc -target" in (tag_dir / "script" / "build.sh").read_text()
    assert venvs.with_wheels(wheel).run(CHECKS["demo"][0]) == "5"


def test_unknown_backend_name_lists_the_available_ones(plugin_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    proc = build(plugin_venv, project, tmp_path / "out", frontend_env, backend="ninja2")
    assert proc.returncode != 0
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected("""
        zlig: error: config_settings: `backend`: unknown backend `ninja2` (did you mean `ninja`?); available: ninja, zig, cc, script
    """)
    assert list((tmp_path / "out").iterdir()) == []


def test_no_usable_backend_says_why_for_each(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    env = dict(frontend_env, PATH=without_zig_on_path(frontend_env["PATH"]), CC="/nonexistent/cc")
    env.pop("ZLIG_ZIG")
    env.pop("ZLIG_NINJA", None)
    env["PATH"] = ":".join(d for d in env["PATH"].split(":") if not (Path(d) / "ninja").exists())
    proc = build(zlig_venv, project, tmp_path / "out", env)
    assert proc.returncode != 0
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected("""
        zlig: error: no compile backend can build this project on this machine:
          ninja: ninja (ZLIG_NINJA, the ninja package, PATH): not found; ziglang package: not installed in this environment; zig on PATH: not found
          zig: ziglang package: not installed in this environment; zig on PATH: not found
          cc: used only when named (-C backend=cc)
        Install what this build lacks, all at once: `pip install "ziglang>=0.17,<0.18" "ninja>=1.10"`
        (or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)
    """)
    named = build(zlig_venv, project, tmp_path / "out", env, backend="cc")
    assert scrubbed(error_message(named.stdout), tmp_path) == expected("""
        zlig: error: config_settings: `backend`: backend `cc` cannot be used: ninja (ZLIG_NINJA, the ninja package, PATH): not found; C compiler `/nonexistent/cc`: cannot run it (No such file or directory (os error 2))
        Install what this build lacks, all at once: `pip install "ninja>=1.10"`
    """)


def test_plugins_are_looked_up_only_when_the_backend_is_chosen_among_all(zlig_venv, copy_example, backend_env, tmp_path):
    # A distribution on sys.path whose entry point cannot be loaded: a build that names a
    # built-in backend, and an sdist, never look; a build that chooses does, and says so.
    site = tmp_path / "site"
    info = site / "broken_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[zlig.backends]\nbroken = no_such_module:Backend\n")
    env = dict(backend_env, PYTHONPATH=str(site))
    project = copy_example("demo")
    named = build(zlig_venv, project, tmp_path / "named", env, backend="ninja")
    built_wheel(named, tmp_path / "named")
    sdist = zlig_venv.call("import sys, zlig; print(zlig.build_sdist(sys.argv[1]))", str(tmp_path / "sdist"), cwd=project, env=env)
    assert sdist.returncode == 0, sdist.stdout
    chosen = build(zlig_venv, project, tmp_path / "chosen", env)
    assert chosen.returncode != 0
    assert scrubbed(error_message(chosen.stdout), tmp_path) == expected("""
        zlig: error: loading the `zlig.backends` entry points failed: ModuleNotFoundError: No module named 'no_such_module'
    """)


LOOKUP = "import sys, zlig._plugins as p; print(p.load(), 'importlib.metadata' in sys.modules)"


def test_without_a_declared_plugin_importlib_metadata_is_not_even_imported(zlig_venv, plugin_venv, frontend_env):
    assert zlig_venv.call(LOOKUP, env=frontend_env, check=True).stdout.split()[-1] == "False"
    found = plugin_venv.call(LOOKUP, env=frontend_env, check=True).stdout
    assert "ScriptBackend" in found and found.split()[-1] == "True", found
