"""The `zlig` command (the console script and `python -m zlig`) in a venv with the zlig
wheel: build, develop --inplace, clean, --version, and how it fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from buildtools import fresh_user_cache, tree
from conftest import copy_project
from helpers import EXT_SUFFIX, error_message, expected, run, scrubbed

BUILD_DIR = "build/zlig"


def zlig(venv, *args, cwd=None, env=None):
    return run([venv.bin("zlig"), *args], cwd=cwd, env=env, check=False, split=True)


def ok(proc) -> list[str]:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def test_version_of_the_script_and_of_python_m_zlig(zlig_venv, zlig_version):
    assert ok(zlig(zlig_venv, "--version")) == [f"zlig {zlig_version}"]
    proc = run([zlig_venv.python, "-m", "zlig", "--version"], check=False, split=True)
    assert ok(proc) == [f"zlig {zlig_version}"]


@pytest.fixture(scope="module")
def same_env_pip_wheel(zlig_venv, frontend_env, tmp_path_factory) -> Path:
    """`pip wheel` of examples/demo run by the zlig venv's interpreter (pip's `--python`),
    so that its isolated build sees the same tools as the `zlig` command of that venv: the
    backend chosen depends on them (ninja or not)."""
    tmp = tmp_path_factory.mktemp("cli-pip")
    out = tmp / "out"
    run(
        [sys.executable, "-m", "pip", "--python", zlig_venv.python, "wheel", "--no-deps", "-w", out, copy_project("demo", tmp)],
        env=frontend_env,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


def test_build_wheel_is_byte_identical_to_pip_wheel(zlig_venv, frontend_env, same_env_pip_wheel, copy_example, tmp_path):
    out = tmp_path / "out"
    lines = ok(zlig(zlig_venv, "build", "--wheel", "-o", out, copy_example("demo"), env=frontend_env))
    wheel = out / same_env_pip_wheel.name
    assert lines == [str(wheel)]
    assert sorted(p.name for p in out.iterdir()) == [wheel.name]
    assert wheel.read_bytes() == same_env_pip_wheel.read_bytes()


def test_build_makes_sdist_and_wheel_in_dist_like_the_frontends(zlig_venv, frontend_env, same_env_pip_wheel, demo_build, copy_example):
    project = copy_example("demo")
    lines = ok(zlig(zlig_venv, "build", cwd=project, env=frontend_env))
    dist = project / "dist"
    sdist, wheel = dist / demo_build.sdist.name, dist / same_env_pip_wheel.name
    assert lines == [str(sdist), str(wheel)]
    assert sorted(p.name for p in dist.iterdir()) == sorted([sdist.name, wheel.name])
    assert sdist.read_bytes() == demo_build.sdist.read_bytes()
    assert wheel.read_bytes() == same_env_pip_wheel.read_bytes()


def test_isolated_pip_build_does_not_pick_up_the_frontends_ninja(frontend, copy_example, tmp_path):
    if not (Path(sys.executable).parent / "ninja").is_file():
        pytest.skip("the test venv has no ninja beside its interpreter")
    # A user cache of its own: the ninja zlig kept from earlier builds is found by design.
    env = fresh_user_cache(frontend.env, tmp_path / "cache")
    built = frontend.pip_wheel(copy_example("demo"), tmp_path / "out", "-v", env=env)
    assert "the ninja backend" not in built.output
    assert "with the zig backend (zig 0.17" in built.output, built.output


def test_build_sdist_only(zlig_venv, frontend_env, copy_example, tmp_path):
    out = tmp_path / "out"
    ok(zlig(zlig_venv, "build", "--sdist", "-o", out, copy_example("demo"), env=frontend_env))
    assert [p.name for p in out.iterdir()] == ["demo-0.1.0.tar.gz"]


def test_clean_removes_the_build_dir_and_nothing_else(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    ok(zlig(zlig_venv, "build", "--wheel", project, env=frontend_env))
    (project / "build" / "keep.txt").write_text("not zlig's\n")
    assert (project / BUILD_DIR).is_dir()
    before = tree(project, skip=[BUILD_DIR])
    assert ok(zlig(zlig_venv, "clean", project, env=frontend_env)) == [f"removed {project / BUILD_DIR}"]
    assert not (project / BUILD_DIR).exists()
    assert tree(project) == before
    # Again: nothing to do, and not an error.
    assert ok(zlig(zlig_venv, "clean", cwd=project, env=frontend_env)) == ["nothing to clean"]


def test_develop_inplace_puts_the_module_next_to_its_source_only(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    before = tree(project)
    lines = ok(zlig(zlig_venv, "develop", "--inplace", project, env=frontend_env))
    module = project / "src" / "demo" / f"demo{EXT_SUFFIX}"
    assert lines == [str(module)]
    after = tree(project, skip=[BUILD_DIR])
    assert sorted(set(after) - set(before)) == [f"src/demo/demo{EXT_SUFFIX}"]
    assert {k: v for k, v in after.items() if k in before} == before
    # The checkout runs as it is, with no install.
    env = dict(zlig_venv.env, PYTHONPATH=str(project / "src"))
    code = "import demo, demo.demo; print(demo.add(2, 3), demo.demo.__file__)"
    assert zlig_venv.run(code, cwd=tmp_path, env=env) == f"5 {module}"


@pytest.mark.parametrize(
    "args",
    [["bogus"], ["build", "--nope"], [], ["clean", "a", "b"], ["develop", "--wheel"]],
    ids=["unknown-command", "unknown-option", "no-command", "extra-argument", "option-of-another-command"],
)
def test_bad_arguments_exit_2_with_usage_on_stderr(zlig_venv, tmp_path, args):
    proc = zlig(zlig_venv, *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    # The rest is argparse's wording, which changes between Python versions.
    assert proc.stderr.splitlines()[0] == "usage: zlig [-h] [--version] COMMAND ...", proc.stderr
    assert proc.stderr.splitlines()[1].startswith("zlig: error: "), proc.stderr
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_build_error_is_one_message_and_exit_1(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.zlig]", "[tool.zlig]\nextensoins = []"))
    out = tmp_path / "out"
    proc = zlig(zlig_venv, "build", "--wheel", "-o", out, project, env=frontend_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith("zlig: error:"), proc.stderr
    assert scrubbed(error_message(proc.stderr), tmp_path) == expected("""
        zlig: error: pyproject.toml:14:1: `tool.zlig.extensoins`: unknown key; did you mean `extensions`?
           |
        14 | extensoins = []
           | ^^^^^^^^^^
    """)
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not out.exists() or list(out.iterdir()) == []


def test_malformed_config_setting_is_an_error_not_a_traceback(zlig_venv, frontend_env, copy_example, tmp_path):
    proc = zlig(zlig_venv, "build", "--wheel", "-o", tmp_path / "out", "-C", "optimize", copy_example("demo"), env=frontend_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert scrubbed(error_message(proc.stderr), tmp_path) == expected("""
        zlig: error: -C takes KEY=VALUE, not 'optimize'
    """)
    assert "Traceback" not in proc.stderr


def test_cache_lists_what_zlig_keeps_and_clears_it(zlig_venv, frontend_env, tmp_path):
    cache = tmp_path / "cache" / "zlig"
    (cache / "zig-0.17.0-5" / "lib").mkdir(parents=True)
    (cache / "zig-0.17.0-5" / "zig").write_bytes(b"x" * 3_000_000)
    (cache / "probes").mkdir()
    (cache / "probes" / "answer").write_text("0.17.0")
    env = dict(frontend_env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    listed = ok(zlig(zlig_venv, "cache", env=env))
    assert listed[0].split() == ["3.0", "MB", "zig", "0.17.0", str(cache / "zig-0.17.0-5")]
    assert "tool version answers" in listed[1] and listed[1].endswith(str(cache / "probes"))
    assert listed[-1].split() == ["3.0", "MB", "kept", "in", "all"]
    cleared = ok(zlig(zlig_venv, "cache", "--clear", env=env))
    assert cleared[-1].split() == ["3.0", "MB", "removed", "in", "all"]
    assert list(cache.iterdir()) == []
    assert ok(zlig(zlig_venv, "cache", env=env)) == ["zlig keeps nothing in the user cache"]
