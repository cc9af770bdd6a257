"""The cold path: no zig anywhere, so the frontend must install ziglang from PyPI because
get_requires_for_build_wheel asked for it."""

from __future__ import annotations

import os
import sys

import pytest

from buildtools import fresh_user_cache, kept_tools_env
from helpers import MANYLINUX_TAG, run, wheel_tag, without_zig_on_path


@pytest.mark.cold
def test_cold_pip_wheel_installs_ziglang_from_pypi(frontend_env, wheelhouse, zlig_version, copy_example, venvs, tmp_path):
    env = fresh_user_cache(frontend_env, tmp_path / "cache")
    del env["ZLIG_ZIG"]
    del env["PIP_NO_INDEX"]  # the index is on: ziglang comes from it
    env["PATH"] = without_zig_on_path(os.environ.get("PATH", ""))
    # zlig itself must still be the wheelhouse's, whatever the index holds under that name.
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"zlig=={zlig_version}\n")
    env["PIP_CONSTRAINT"] = str(constraints)

    out = tmp_path / "out"
    proc = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out, copy_example("demo")],
        env=env,
    )
    # pip installs get_requires_for_build_wheel's answer as "backend dependencies".
    assert "Installing backend dependencies" in proc.stdout, proc.stdout
    assert "ziglang" in proc.stdout

    (wheel,) = out.glob("*.whl")
    assert wheel_tag(wheel)[2] == MANYLINUX_TAG
    venv = venvs.with_wheels(wheel)
    assert venv.run("import demo; print(demo.add(2, 3))") == "5"


@pytest.mark.cold
def test_a_second_isolated_pip_build_installs_no_toolchain(frontend_env, tool_wheels, copy_example, venvs, tmp_path):
    env = kept_tools_env(frontend_env, tool_wheels, tmp_path / "cache")

    def pip_wheel(name: str, *args: str) -> str:
        out = tmp_path / f"out-{name}"
        proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out, *args,
                    copy_example("demo", f"demo-{name}")], env=env)
        (wheel,) = out.glob("*.whl")
        assert venvs.with_wheels(wheel).run("import demo; print(demo.add(2, 3))") == "5"
        return proc.stdout

    first = pip_wheel("first")
    assert "Installing backend dependencies" in first and "ziglang" in first, first
    second = pip_wheel("second")
    assert "Installing backend dependencies" not in second, second
    off = pip_wheel("off", "-C", "reuse-tools=false")
    assert "Installing backend dependencies" in off and "ziglang" in off, off


@pytest.mark.cold
def test_a_damaged_kept_zig_is_passed_over_and_the_build_succeeds(frontend_env, tool_wheels, copy_example, venvs, tmp_path):
    env = kept_tools_env(frontend_env, tool_wheels, tmp_path / "cache")

    def pip_wheel(name: str) -> str:
        out = tmp_path / f"out-{name}"
        proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out,
                    copy_example("demo", f"demo-{name}")], env=env)
        (wheel,) = out.glob("*.whl")
        assert venvs.with_wheels(wheel).run("import demo; print(demo.add(2, 3))") == "5"
        return proc.stdout

    pip_wheel("first")
    (kept,) = (tmp_path / "cache" / "zlig").glob("zig-*")
    for damage in (
        lambda kept: (kept / "zig").write_bytes((kept / "zig").read_bytes()[:4096]),  # truncated
        lambda kept: (kept / "lib" / "std").rename(kept / "std-moved"),  # a lib folder gone
    ):
        damage(kept)
        again = pip_wheel(f"after-damage-{len(list(tmp_path.glob('out-*')))}")
        assert "Installing backend dependencies" in again and "ziglang" in again, again
        # The next isolated build keeps a good copy again.
        (kept,) = (tmp_path / "cache" / "zlig").glob("zig-*")
