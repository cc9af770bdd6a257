"""The cold path: no zig anywhere, so the frontend must install ziglang from PyPI because
get_requires_for_build_wheel asked for it."""

from __future__ import annotations

import os
import sys

import pytest

from helpers import MANYLINUX_TAG, run, wheel_tag, without_zig_on_path


@pytest.mark.cold
def test_cold_pip_wheel_installs_ziglang_from_pypi(frontend_env, wheelhouse, zlig_version, copy_example, venvs, tmp_path):
    env = dict(frontend_env)
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
