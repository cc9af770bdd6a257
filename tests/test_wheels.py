"""What is inside the wheels: exact file lists, tags, RECORD, modes, and third-party checks."""

from __future__ import annotations

import re
import stat
import sys
import zipfile

import pytest

from helpers import (
    ARCH,
    EXT_SUFFIX,
    EXTENSION_WHEEL_FIXTURES,
    MANYLINUX_TAG,
    PY_TAG,
    SDIST_FIXTURES,
    WHEEL_FIXTURES,
    dist_info,
    record_hash,
    record_rows,
    run,
    wheel_fields,
    wheel_names,
    wheel_tag,
)


def wheel_of(request, fixture: str):
    built = request.getfixturevalue(fixture)
    assert built.wheel is not None, f"{fixture} built no wheel"
    return built.wheel


def test_demo_wheel_file_list_is_exact(demo_pip_wheel):
    assert wheel_names(demo_pip_wheel.wheel) == [
        "demo/__init__.py",
        f"demo/demo{EXT_SUFFIX}",
        "demo-0.1.0.dist-info/METADATA",
        "demo-0.1.0.dist-info/WHEEL",
        "demo-0.1.0.dist-info/sboms/zlig.cdx.json",
        "demo-0.1.0.dist-info/RECORD",
    ]


@pytest.mark.parametrize("fixture", EXTENSION_WHEEL_FIXTURES)
def test_extension_wheels_ship_no_sources_or_headers(request, fixture):
    names = wheel_names(wheel_of(request, fixture))
    leaked = [n for n in names if n.endswith((".c", ".h", ".cc", ".cpp", ".zig"))]
    assert leaked == []


@pytest.mark.parametrize("fixture", EXTENSION_WHEEL_FIXTURES)
def test_extension_wheel_tag_is_the_interpreters(request, fixture):
    wheel = wheel_of(request, fixture)
    python, abi, platform = wheel_tag(wheel)
    assert (python, abi) == (PY_TAG, PY_TAG)
    assert platform == MANYLINUX_TAG
    fields = wheel_fields(wheel)
    assert fields["Wheel-Version"] == ["1.0"]
    assert fields["Root-Is-Purelib"] == ["false"]
    # One Tag line per platform of the compressed tag set, in order.
    assert fields["Tag"] == [f"{python}-{abi}-{p}" for p in platform.split(".")]


@pytest.mark.parametrize("fixture", EXTENSION_WHEEL_FIXTURES)
def test_manylinux_tag_agrees_with_auditwheel(request, fixture):
    wheel = wheel_of(request, fixture)
    assert wheel_tag(wheel)[2] == MANYLINUX_TAG
    output = run([sys.executable, "-m", "auditwheel", "show", wheel]).stdout
    found = re.search(r'platform tag: "manylinux_(\d+)_(\d+)_(\w+)"', output)
    assert found, output
    glibc = (int(found.group(1)), int(found.group(2)))
    # auditwheel names the oldest policy the modules satisfy; the wheel may claim any newer
    # one, but never an older one.
    assert glibc <= (2, 17), output
    assert found.group(3) == ARCH


@pytest.mark.parametrize("fixture", WHEEL_FIXTURES)
def test_record_hashes_and_sizes_match_every_file(request, fixture):
    wheel = wheel_of(request, fixture)
    record_path = f"{dist_info(wheel)}/RECORD"
    with zipfile.ZipFile(wheel) as zf:
        for path, digest, size in record_rows(wheel):
            if path == record_path:
                assert (digest, size) == ("", "")
                continue
            data = zf.read(path)
            assert digest == record_hash(data), path
            assert size == str(len(data)), path


@pytest.mark.parametrize("fixture", WHEEL_FIXTURES)
def test_record_lists_every_file_once(request, fixture):
    wheel = wheel_of(request, fixture)
    recorded = [row[0] for row in record_rows(wheel)]
    assert sorted(recorded) == sorted(wheel_names(wheel))
    assert len(set(recorded)) == len(recorded)
    # RECORD is the last entry of the archive.
    assert wheel_names(wheel)[-1] == f"{dist_info(wheel)}/RECORD"


@pytest.mark.parametrize("fixture", WHEEL_FIXTURES)
def test_wheel_entries_have_fixed_timestamps_and_normal_modes(request, fixture):
    with zipfile.ZipFile(wheel_of(request, fixture)) as zf:
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode), info.filename
            expected = 0o755 if info.filename.endswith(".so") else 0o644
            assert stat.S_IMODE(mode) == expected, info.filename


def test_pure_wheel_is_py3_none_any(pure_uv_build):
    wheel = pure_uv_build.wheel
    assert wheel_tag(wheel) == ("py3", "none", "any")
    fields = wheel_fields(wheel)
    assert fields["Root-Is-Purelib"] == ["true"]
    assert fields["Tag"] == ["py3-none-any"]


# W009 "multiple top-level library entries" is what examples/multi exists to prove.
CHECK_WHEEL_CONTENTS_IGNORES = {"multi_build": ["--ignore", "W009"]}


@pytest.mark.parametrize("fixture", WHEEL_FIXTURES)
def test_check_wheel_contents_passes(request, fixture):
    wheel = wheel_of(request, fixture)
    ignore = CHECK_WHEEL_CONTENTS_IGNORES.get(fixture, [])
    run([sys.executable, "-m", "check_wheel_contents", *ignore, wheel])


DISTS = [(f, "wheel") for f in WHEEL_FIXTURES] + [(f, "sdist") for f in SDIST_FIXTURES]


@pytest.mark.parametrize(("fixture", "kind"), DISTS)
def test_twine_check_strict_passes(request, fixture, kind):
    dist = getattr(request.getfixturevalue(fixture), kind)
    assert dist is not None
    output = run([sys.executable, "-m", "twine", "check", "--strict", dist]).stdout
    assert "PASSED" in output


def test_zligs_own_wheel_is_manylinux_2_17(zlig_wheel):
    """zlig's wheel installs in the manylinux2014 images wheel-building CI uses, and on
    distributions older than the build machine's glibc."""
    assert zlig_wheel.name.endswith(f"-cp39-abi3-manylinux2014_{ARCH}.manylinux_2_17_{ARCH}.whl")
    output = run([sys.executable, "-m", "auditwheel", "show", zlig_wheel]).stdout
    assert f'consistent with the following platform tag: "manylinux_2_17_{ARCH}"' in " ".join(output.split()), output
