"""Build dirs are zlig's own: a folder zlig did not make is never built in nor removed by
`zlig clean`, and a build dir named on the command line may lie outside the project, which
then gains nothing.

(test_cli.py checks that `zlig clean` with the default build dir removes `build/zlig` and
leaves the rest of `build/`; test_concurrency.py that it waits for a running build.)
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from buildtools import call_hook, tree
from conftest import copy_project
from helpers import EXT_SUFFIX, error_message, expected, run, scrubbed, wheel_names

HOOK = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"


def zlig(venv, *args, env):
    return run([venv.bin("zlig"), *args], env=env, check=False, split=True)


def test_build_dir_in_pyproject_holding_user_files_is_neither_built_in_nor_cleaned(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.zlig]\n", '[tool.zlig]\nbuild-dir = "out"\n'))
    (project / "out").mkdir()
    (project / "out" / "notes.txt").write_text("the user's, not zlig's\n")
    before = tree(project)

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    built = zlig_venv.call(HOOK, str(wheels), "{}", cwd=project, env=frontend_env)
    assert built.returncode != 0, built.stdout
    assert scrubbed(error_message(built.stdout), tmp_path) == expected("""
        zlig: error: [TMP]/demo/out already holds files and is not a build dir zlig made (it has no CACHEDIR.TAG); name an empty or new folder as `build-dir`
    """)
    assert list(wheels.iterdir()) == []

    cleaned = zlig(zlig_venv, "clean", project, env=frontend_env)
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert cleaned.stdout.splitlines() == ["nothing to clean"]
    assert tree(project) == before


def test_build_dir_on_the_command_line_may_lie_outside_the_project(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    before = tree(project)
    elsewhere = tmp_path / "elsewhere"
    hooked = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env, {"build-dir": str(elsewhere)})
    assert f"demo/demo{EXT_SUFFIX}" in wheel_names(hooked.path)
    assert tree(project) == before
    assert (elsewhere / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB file system (tmpfs), where mounting is allowed (root); skipped elsewhere."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount], capture_output=True, check=False).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    yield mount
    subprocess.run(["umount", "-l", mount], check=True)


def test_a_full_disk_under_the_build_dir_is_said_plainly(zlig_venv, frontend_env, copy_example, small_disk, tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    settings = json.dumps({"build-dir": str(small_disk / "build"), "backend": "zig"})
    built = zlig_venv.call(HOOK, str(wheels), settings, cwd=copy_example("demo"), env=frontend_env)
    assert built.returncode == 1, built.stdout
    # What zig says as it fails varies with where the disk filled up; zlig's line does not.
    last = scrubbed(error_message(built.stdout), tmp_path).splitlines()[-1]
    assert re.fullmatch(
        r"The disk holding \[TMP\]/small-disk/build is full \(\d+ bytes free\): make room, or build elsewhere "
        r"with `-C build-dir=…`",
        last,
    ), built.stdout
    for noise in ("panic", "Traceback", "NoSpaceLeft"):
        assert noise not in built.stdout.split("zlig: error:")[0], built.stdout
    assert list(wheels.iterdir()) == []


def test_a_read_only_project_says_how_to_build_elsewhere(zlig_venv, venvs, frontend_env, copy_example, small_disk, tmp_path):
    project = copy_project("demo", small_disk)
    subprocess.run(["mount", "-o", "remount,ro", small_disk], check=True)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    built = zlig_venv.call(HOOK, str(wheels), "{}", cwd=project, env=frontend_env)
    assert built.returncode == 1, built.stdout
    assert scrubbed(error_message(built.stdout), tmp_path) == expected("""
        zlig: error: cannot create the build dir [TMP]/small-disk/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17: Read-only file system (os error 30); if the project folder is read-only, build elsewhere with `-C build-dir=/a/writable/folder`
    """)
    elsewhere = json.dumps({"build-dir": str(tmp_path / "elsewhere")})
    built = zlig_venv.call(HOOK, str(wheels), elsewhere, cwd=project, env=frontend_env, check=True)
    wheel = wheels / built.stdout.strip().splitlines()[-1]
    assert venvs.with_wheels(wheel).run("import demo; print(demo.add(2, 3))") == "5"
