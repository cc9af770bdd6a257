"""The real-world harness (run.py) as pytest tests, one per project.

Part of the suite (marked `realworld`; deselect with `-m "not realworld"`): each downloads
an sdist from PyPI and builds and tests a real project, about eight minutes in all. Run
them alone with

    python -m pytest tests/realworld -v

ZLIG_REALWORLD_WORK sets run.py's --work folder (default <repo>/build/realworld).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent / "run.py"

_spec = importlib.util.spec_from_file_location("zlig_realworld_run", RUN)
assert _spec is not None and _spec.loader is not None
harness = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = harness  # dataclasses look their module up there
_spec.loader.exec_module(harness)

pytestmark = pytest.mark.realworld


def _work() -> list[str]:
    work = os.environ.get("ZLIG_REALWORLD_WORK")
    return ["--work", work] if work else []


@pytest.fixture(scope="module")
def prepared() -> None:
    """The tools venv and a zlig wheel built from the working tree, once for all projects."""
    proc = subprocess.run(
        [sys.executable, RUN, "--prepare", *_work()], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("project", sorted(harness.PROJECTS))
def test_project_builds_with_zlig_and_passes_its_own_tests(
    project: str, prepared: None, tmp_path: Path
) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, RUN, "--no-rebuild", *_work(), "--json", out, project],
        capture_output=True,
        text=True,
        check=False,
    )
    print(proc.stdout, proc.stderr)
    assert out.exists(), proc.stdout[-5000:] + proc.stderr[-5000:]
    (result,) = json.loads(out.read_text())["results"]
    assert result["ok"], result.get("error")
    assert proc.returncode == 0
    tests = result["tests"]
    assert tests["failures"] == tests["errors"] == 0
    assert tests["passed"] > 0
