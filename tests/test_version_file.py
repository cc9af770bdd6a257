"""examples/header_version: the version lives in a C header, read with `[tool.zlig.version]`
for the wheel, the sdist, prepare_metadata and the editable wheel alike; `import-names`
becomes Import-Name in METADATA and PKG-INFO (Metadata 2.5), read back by `packaging`."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.metadata import Metadata

from buildtools import call_hook
from conftest import copy_project
from helpers import dist_info, sdist_read, wheel_text

VERSION = "2.3.1"


@pytest.fixture(scope="module")
def header_version(frontend, tmp_path_factory):
    """`python -m build`: the sdist, then the wheel from the sdist."""
    tmp = tmp_path_factory.mktemp("header-version")
    return frontend.build(copy_project("header_version", tmp), tmp / "out")


def test_the_header_version_names_the_wheel_and_the_sdist(header_version):
    assert header_version.wheel.name.startswith(f"header_version-{VERSION}-")
    assert header_version.sdist.name == f"header_version-{VERSION}.tar.gz"


def test_metadata_and_pkg_info_carry_the_version_and_import_name(header_version):
    for text in (
        wheel_text(header_version.wheel, "METADATA"),
        sdist_read(header_version.sdist, "PKG-INFO").decode(),
    ):
        metadata = Metadata.from_email(text, validate=True)
        assert str(metadata.version) == VERSION
        assert metadata.metadata_version == "2.5"
        assert metadata.import_names == ["hver"]


def test_the_module_reports_the_same_version(header_version, venvs):
    venv = venvs.with_wheels(header_version.wheel, name="header-version-venv")
    assert venv.run("import hver; print(hver.version())") == VERSION


def test_prepare_metadata_and_the_editable_wheel_read_the_header_too(zlig_venv, frontend_env, tmp_path):
    project = copy_project("header_version", tmp_path)
    prepare = "import sys, zlig; print(zlig.prepare_metadata_for_build_wheel(sys.argv[1]))"
    (tmp_path / "metadata").mkdir()
    name = zlig_venv.run(prepare, str(tmp_path / "metadata"), cwd=project, env=frontend_env).splitlines()[-1]
    assert name == f"header_version-{VERSION}.dist-info"
    editable = call_hook(zlig_venv, "build_editable", project, tmp_path / "editable", frontend_env)
    assert dist_info(editable.path) == name


def test_a_new_header_version_is_the_next_build_s_version(zlig_venv, frontend_env, tmp_path):
    project = copy_project("header_version", tmp_path)
    header = project / "include" / "hver" / "version.h"
    header.write_text(header.read_text().replace(VERSION, "2.4.0.dev1"))
    sdist = call_hook(zlig_venv, "build_sdist", project, tmp_path / "sdist", frontend_env)
    assert Path(sdist.path).name == "header_version-2.4.0.dev1.tar.gz"
