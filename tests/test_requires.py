"""get_requires_for_build_wheel asks for ziglang only when the project has extensions and
no usable zig was found (ZLIG_ZIG, then ziglang in the running environment, then PATH)."""

from __future__ import annotations

import json
import os

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


def test_demo_requires_ziglang_when_no_zig_is_found(zlig_venv, copy_example, frontend_env):
    env = no_zig_env(frontend_env)
    assert requires(zlig_venv, copy_example("demo"), env) == ["ziglang>=0.17,<0.18"]


def test_demo_sdist_requires_nothing_without_zig(zlig_venv, copy_example, frontend_env):
    env = no_zig_env(frontend_env)
    assert requires(zlig_venv, copy_example("demo"), env, kind="sdist") == []
