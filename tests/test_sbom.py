"""The wheel's SBOM (PEP 770): a CycloneDX document in `.dist-info/sboms/`, valid against the
CycloneDX 1.6 JSON schema, listed in RECORD, that names zig's libc++ (with its LLVM
release) for a C++ module and not for a C one, compiler_rt, and the glibc the modules need;
and the same bytes for the same build."""

from __future__ import annotations

import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from buildtools import call_hook
from conftest import copy_project
from helpers import dist_info, record_rows, wheel_read

SBOM = "sboms/zlig.cdx.json"


def sbom_of(wheel) -> dict:
    text = wheel_read(wheel, f"{dist_info(wheel)}/{SBOM}").decode()
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, error
    return json.loads(text)


def component_names(sbom: dict) -> set[str]:
    return {c["name"] for c in sbom["components"] if c["type"] == "library"}


@pytest.fixture(scope="module")
def cxx_wheel(zlig_venv, frontend_env, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sbom-cxx")
    return call_hook(zlig_venv, "build_wheel", copy_project("cxx_exception", tmp), tmp / "out", frontend_env).path


def test_a_cxx_module_s_sbom_names_the_cxx_runtime(cxx_wheel):
    sbom = sbom_of(cxx_wheel)
    assert {"libc++", "libc++abi", "libunwind", "compiler_rt", "glibc"} <= component_names(sbom)
    libcxx = next(c for c in sbom["components"] if c["name"] == "libc++")
    assert libcxx["version"].split(".")[0].isdigit(), libcxx
    assert libcxx["licenses"] == [{"expression": "Apache-2.0 WITH LLVM-exception"}]
    assert sbom["metadata"]["component"]["name"] == "cxx-exception"
    glibc = next(c for c in sbom["components"] if c["name"] == "glibc")
    assert tuple(map(int, glibc["version"].split("."))) <= (2, 17)


def test_a_c_module_s_sbom_has_no_cxx_runtime(demo_pip_wheel):
    sbom = sbom_of(demo_pip_wheel.wheel)
    names = component_names(sbom)
    assert "compiler_rt" in names
    assert not names & {"libc++", "libc++abi", "libunwind"}, names
    # demo's module calls no libc function, so it needs no glibc at all (no DT_NEEDED).
    assert "glibc" not in names


@pytest.mark.parametrize("fixture", ["demo_pip_wheel", "demo_build", "demo_uv_build"])
def test_the_sbom_is_in_record_and_the_same_for_every_frontend(request, fixture, demo_pip_wheel):
    wheel = request.getfixturevalue(fixture).wheel
    assert f"{dist_info(wheel)}/{SBOM}" in [row[0] for row in record_rows(wheel)]
    assert wheel_read(wheel, f"{dist_info(wheel)}/{SBOM}") == wheel_read(
        demo_pip_wheel.wheel, f"{dist_info(demo_pip_wheel.wheel)}/{SBOM}"
    )


def test_a_pure_wheel_has_no_sbom_of_zlig_s(pure_uv_build):
    assert not [n for n in record_rows(pure_uv_build.wheel) if "/sboms/" in n[0]]
