"""What is inside the sdists, and that they rebuild the same wheel, byte for byte."""

from __future__ import annotations

import stat
import tarfile

import pytest

from helpers import sdist_members, sdist_names, sdist_read, wheel_text

DEMO_SDIST = [
    "PKG-INFO",
    "README.md",
    "pyproject.toml",
    "src/demo/__init__.py",
    "src/demo/demo.c",
]


def test_demo_sdist_file_list_is_exact(demo_build):
    assert sdist_names(demo_build.sdist) == DEMO_SDIST


def test_multi_sdist_file_list_is_exact(multi_build):
    assert sdist_names(multi_build.sdist) == [
        "LICENSE",
        "PKG-INFO",
        "README.md",
        "_speedups.c",
        "alpha/__init__.py",
        "alpha/_native.c",
        "beta/__init__.py",
        "beta/data.txt",
        "beta/sub/__init__.py",
        "csrc/greet.c",
        "gamma.py",
        "include/greet.h",
        "pyproject.toml",
    ]


def test_pure_sdist_file_list_is_exact(pure_uv_build):
    assert sdist_names(pure_uv_build.sdist) == [
        "LICENSE",
        "PKG-INFO",
        "README.md",
        "notices/vendored.txt",
        "pyproject.toml",
        "src/pure_example/__init__.py",
        "src/pure_example/cli.py",
        "src/pure_example/gui.py",
        "src/pure_example/plugins.py",
        "src/pure_example/py.typed",
    ]


@pytest.mark.parametrize("fixture", ["demo_build", "multi_build", "pure_uv_build", "seed_build"])
def test_sdist_pkg_info_equals_wheel_metadata(request, fixture):
    built = request.getfixturevalue(fixture)
    assert sdist_read(built.sdist, "PKG-INFO").decode("utf-8") == wheel_text(built.wheel, "METADATA")


def test_demo_wheel_from_sdist_is_byte_identical_to_wheel_from_checkout(demo_build, demo_pip_wheel):
    # demo_build's wheel was built from its sdist, unpacked in a temporary folder;
    # demo_pip_wheel's from a checkout elsewhere, by another frontend.
    assert demo_build.wheel.name == demo_pip_wheel.wheel.name
    assert demo_build.wheel.read_bytes() == demo_pip_wheel.wheel.read_bytes()


def test_demo_wheel_is_byte_identical_across_frontends(demo_build, demo_uv_build):
    assert demo_build.wheel.name == demo_uv_build.wheel.name
    assert demo_build.wheel.read_bytes() == demo_uv_build.wheel.read_bytes()


def test_demo_sdist_is_byte_identical_across_frontends(demo_build, demo_uv_build):
    assert demo_build.sdist.read_bytes() == demo_uv_build.sdist.read_bytes()


def test_sdist_after_a_wheel_build_leaves_out_the_build_dir(demo_pip_wheel, demo_build, zlig_venv, frontend_env, tmp_path):
    # demo_pip_wheel's project now holds build/zlig/...: an sdist made there must not ship it.
    project = demo_pip_wheel.project
    assert (project / "build").is_dir()
    name = zlig_venv.run(
        "import sys, zlig; print(zlig.build_sdist(sys.argv[1]))",
        str(tmp_path),
        cwd=project,
        env=frontend_env,
    ).splitlines()[-1]
    sdist = tmp_path / name
    assert sdist_names(sdist) == DEMO_SDIST
    assert sdist.read_bytes() == demo_build.sdist.read_bytes()


def test_sdist_of_the_unpacked_sdist_is_identical(multi_build, zlig_venv, frontend_env, tmp_path):
    # An sdist carries PKG-INFO at its root: building an sdist again from it must neither
    # ship that file twice nor change a byte.
    with tarfile.open(multi_build.sdist) as tf:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tf.extractall(tmp_path / "unpacked", **safe)
    project = tmp_path / "unpacked" / multi_build.sdist.name[: -len(".tar.gz")]
    out = tmp_path / "out"
    name = zlig_venv.run(
        "import sys, zlig; print(zlig.build_sdist(sys.argv[1]))", str(out), cwd=project, env=frontend_env
    ).splitlines()[-1]
    assert (out / name).read_bytes() == multi_build.sdist.read_bytes()


@pytest.mark.parametrize("fixture", ["demo_build", "multi_build", "pure_uv_build", "seed_build"])
def test_sdist_entries_have_fixed_mtime_owner_and_modes(request, fixture):
    sdist = request.getfixturevalue(fixture).sdist
    # The gzip header's own timestamp is zero, too (bytes 4-7).
    assert sdist.read_bytes()[4:8] == b"\0\0\0\0"
    for member in sdist_members(sdist):
        assert member.isfile(), member.name
        assert member.mtime == 315532800, member.name
        assert (member.uid, member.gid) == (0, 0), member.name
        assert stat.S_IMODE(member.mode) == 0o644, member.name
