"""CPU feature flags mean the same with every backend: `-m<feature>`, `-mno-<feature>` and
`-march=`/`-mcpu=` (a CPU model) make the target CPU of the extension's compiles with the
`ninja` backend (`zig cc` reads them) and with the `zig` backend (where they become the
features of the module's target, since `zig build-obj` would otherwise pass the baseline
CPU's features after them); `-march=native` is refused by both (test_bad_input.py).

The project (tests/cpu_features) uses SSE 4.2's crc32 instruction through a target
attribute, as real projects do; clang needs the crc32 feature for it. x86_64 only.
"""

from __future__ import annotations

import shutil
import struct

import pytest

from buildtools import call_hook
from helpers import ARCH, ROOT

pytestmark = pytest.mark.skipif(ARCH != "x86_64", reason="the project is x86 code")


def crc32c(value: int) -> int:
    """crc32c (Castagnoli) of the value's 4 little-endian bytes, bit by bit."""
    crc = 0xFFFFFFFF
    for byte in struct.pack("<I", value):
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


# The flags, and the features the module must then be compiled for.
FLAGS = {
    "crc32": (["-mcrc32"], ["", "", "", "crc32", ""]),
    "x86-64-v3-without-avx2": (["-march=x86-64-v3", "-mno-avx2"], ["avx", "", "sse4.2", "crc32", "popcnt"]),
    "x86-64-v2": (["-mcpu=x86-64-v2"], ["", "", "sse4.2", "crc32", "popcnt"]),
}


@pytest.mark.parametrize("backend", ["ninja", "zig"])
@pytest.mark.parametrize("flags", FLAGS, ids=list(FLAGS))
def test_cpu_flags_mean_the_same_with_every_backend(backend, flags, zlig_venv, venvs, backend_env, tmp_path):
    project = tmp_path / "cpu_features"
    shutil.copytree(ROOT / "tests" / "cpu_features", project)
    args, expected = FLAGS[flags]
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"extra-compile-args = {args!r}\n".replace("'", '"'))
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", backend_env, {"backend": backend}).path
    venv = venvs.with_wheels(wheel, name=f"cpu-{backend}")
    answer = venv.run("import cpu_features as c; print(c.features()); print(c.crc32c(0x12345678))").splitlines()
    assert answer == [str(expected), str(crc32c(0x12345678))]
