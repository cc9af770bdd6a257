"""zlig's JSON schema of `[tool.zlig]` through validate-pyproject, as a user runs it: zlig's
wheel and `validate-pyproject[all]` installed in a fresh venv, zlig's entry point in
`validate_pyproject.tool_schema` found by validate-pyproject itself.

The schema is made from the settings model (src/project/settings/model.rs); `cargo test`
checks that the shipped file is the model's, and these tests that validate-pyproject takes
it: every example and fixture project passes, and a misspelt key or a wrong value fails.
"""

from __future__ import annotations

import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import base_env
from helpers import CACHE, EXAMPLES, ROOT, run

# validate-pyproject[all] and what it needs, at the test venv's versions (tomli only before
# Python 3.11).
REQUIREMENTS = [
    f"{name}=={version(name)}"
    for name in ("validate-pyproject", "fastjsonschema", "packaging", "trove-classifiers")
]

# The examples, the tests' fixture projects, and the tables the real-world tests splice into
# their projects' pyproject.toml.
PROJECTS = sorted(
    [*EXAMPLES.glob("*/pyproject.toml"), *(ROOT / "tests").glob("*/pyproject.toml"),
     *(ROOT / "tests" / "plugins").glob("*/pyproject.toml"), *(ROOT / "tests" / "realworld").glob("*.toml")]
)


EXTENSION = '[[tool.zlig.extensions]]\nname = "pkg.fast"\nsources = ["fast.c"]\n'


@pytest.fixture(scope="session")
def validate_pyproject_wheels() -> list[Path]:
    """The wheels of `REQUIREMENTS`, downloaded from PyPI once into tests/.cache."""
    house = CACHE / "validate-pyproject-wheels"
    stamp = house / "requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if not (stamp.is_file() and stamp.read_text() == wanted):
        shutil.rmtree(house, ignore_errors=True)
        house.mkdir(parents=True)
        run(
            [sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps", "-d", house,
             *REQUIREMENTS],
            env=base_env(),
        )
        stamp.write_text(wanted)
    return sorted(house.glob("*.whl"))


@pytest.fixture(scope="session")
def validator(venvs, zlig_wheel, validate_pyproject_wheels) -> Path:
    """`validate-pyproject` in a fresh venv with zlig installed beside it."""
    venv = venvs.with_wheels(zlig_wheel, *validate_pyproject_wheels, name="validate-pyproject")
    return venv.bin("validate-pyproject")


def test_every_example_and_fixture_project_passes_validate_pyproject_with_zligs_schema(validator):
    assert len(PROJECTS) >= 26, PROJECTS
    proc = run([validator, *PROJECTS], check=False)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("Valid file:") == len(PROJECTS), proc.stdout


@pytest.mark.parametrize(
    ("zlig", "named"),
    [
        ("[tool.zlig]\nextensoins = []\n", "extensoins"),
        ("[tool.zlig]\nverbose = true\n", "verbose"),
        ('[tool.zlig.wheel]\ndata = { script = "bin" }\n', "script"),
        (EXTENSION + 'language = "rust"\n', "tool.zlig.extensions[0].language"),
        (EXTENSION + '[[tool.zlig.extensions.when]]\nsources = ["simd.c"]\n', "marker"),
    ],
    ids=["misspelt_key", "config_setting_only", "unknown_wheel_scheme", "unknown_language", "when_without_marker"],
)
def test_validate_pyproject_refuses_a_mistake_in_tool_zlig(validator, tmp_path, zlig, named):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = ["zlig>=0.1"]\nbuild-backend = "zlig"\n\n'
        f'[project]\nname = "pkg"\nversion = "1.0"\n\n{zlig}'
    )
    proc = run([validator, pyproject], check=False)
    assert proc.returncode != 0, proc.stdout
    assert named in proc.stdout, proc.stdout
    assert "Invalid file" in proc.stdout, proc.stdout
