"""get_requires_for_build_wheel asks for nothing when the project has no extensions or a
usable backend is there; otherwise for what the default backend lacks (ziglang, ninja)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from helpers import without_zig_on_path

REQUIRES = "import json, zlig; print(json.dumps(zlig.get_requires_for_build_{kind}()))"


def no_zig_env(frontend_env) -> dict[str, str]:
    env = dict(frontend_env)
    env.pop("ZLIG_ZIG", None)
    env["PATH"] = without_zig_on_path(os.environ.get("PATH", ""))
    return env


def requires(venv, project, env, kind="wheel") -> list[str]:
    out = venv.run(REQUIRES.format(kind=kind), cwd=project, env=env)
    return json.loads(out.splitlines()[-1])


def test_pure_requires_nothing_even_without_zig(zlig_venv, copy_example, frontend_env):
    # zlig_venv has no ziglang, and neither ZLIG_ZIG nor PATH offers a zig.
    assert requires(zlig_venv, copy_example("pure"), no_zig_env(frontend_env)) == []


def test_demo_requires_nothing_when_zlig_zig_is_set(zlig_venv, copy_example, frontend_env):
    assert "ZLIG_ZIG" in frontend_env
    assert requires(zlig_venv, copy_example("demo"), frontend_env) == []


def test_demo_requires_ziglang_and_ninja_when_no_backend_is_usable(zlig_venv, copy_example, frontend_env):
    # The default backend, `ninja`, needs both; neither is on this machine for the hook.
    env = no_zig_env(frontend_env)
    env["PATH"] = os.pathsep.join(d for d in env["PATH"].split(os.pathsep) if not (Path(d) / "ninja").exists())
    env.pop("ZLIG_NINJA", None)
    assert requires(zlig_venv, copy_example("demo"), env) == ["ziglang>=0.17,<0.18", "ninja>=1.10"]


def test_demo_requires_only_ziglang_when_ninja_is_there(zlig_venv, copy_example, frontend_env):
    env = dict(no_zig_env(frontend_env), ZLIG_NINJA=str(Path(sys.executable).parent / "ninja"))
    assert requires(zlig_venv, copy_example("demo"), env) == ["ziglang>=0.17,<0.18"]


def test_demo_requires_nothing_when_zig_alone_is_there(zlig_venv, copy_example, frontend_env):
    # The `zig` backend is usable: nothing is downloaded just to get the preferred one.
    env = dict(frontend_env)
    env.pop("ZLIG_NINJA", None)
    assert requires(zlig_venv, copy_example("demo"), env) == []


def test_demo_sdist_requires_nothing_without_zig(zlig_venv, copy_example, frontend_env):
    env = no_zig_env(frontend_env)
    assert requires(zlig_venv, copy_example("demo"), env, kind="sdist") == []
