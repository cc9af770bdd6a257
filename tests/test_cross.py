"""Every cross target zlig accepts is proven on the target's own interpreter: Debian 12's
python3.11 for arm64, armhf, i386, ppc64el and s390x, run under qemu-user
(debian_targets.py). For each one, an ABI probe of this suite's own (tests/abi_probe: sizes,
byte order, struct offsets, big integers, doubles, wide characters, exceptions),
examples/demo, examples/cxx_exception and examples/abi3 are built with `-C target=…`,
installed for that platform by pip, imported and run there; the wheels' names and tags are
checked, and the pyconfig.h zlig derived from zig against the target's own.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from buildtools import auditwheel_platform, auditwheel_show, build_failure, call_hook
from debian_targets import TARGETS, DebianTarget, Sysroot, sysroot
from helpers import ROOT, error_message, expected, run, scrubbed, wheel_names, wheel_tag

PROJECTS = {
    "abi_probe": ROOT / "tests" / "abi_probe",
    "demo": ROOT / "examples" / "demo",
    "cxx_exception": ROOT / "examples" / "cxx_exception",
    "abi3": ROOT / "examples" / "abi3",
}

# What runs in the target's interpreter, and what it must print.
ON_TARGET = """\
import abi_probe, demo, cxx_exception, abi3demo
print(abi_probe.check())
print(demo.add(2, 3), demo.demo.__file__.rsplit('/', 1)[-1])
print(cxx_exception.factorial(20), cxx_exception.words(' C++ and C '))
try:
    cxx_exception.factorial(21)
except ValueError as e:
    print('ValueError', e)
print(abi3demo.greet('zig'), abi3demo.scale(1.5), hex(abi3demo.limited_api()))
"""


def expected_output(target: DebianTarget) -> list[str]:
    bits = 32 if target.arch in ("i686", "armv7l") else 64
    order = "big" if target.arch == "s390x" else "little"
    return [
        f"abi ok: {bits}-bit {order}-endian",
        f"5 demo.cpython-311-{target.triplet}.so",
        "2432902008176640000 ['C++', 'and', 'C']",
        "ValueError n is too large for a 64-bit factorial: 21",
        "hello, zig 3.0 0x3080000",
    ]


def copy_source(name: str, parent: Path) -> Path:
    """A fresh copy of one of `PROJECTS` in `parent`."""
    project = parent / name
    shutil.copytree(PROJECTS[name], project, ignore=shutil.ignore_patterns("build", "__pycache__"))
    return project


@dataclasses.dataclass
class Cross:
    target: DebianTarget
    sysroot: Sysroot
    projects: dict[str, Path]
    wheels: dict[str, Path]
    site: Path


def install_for(target: DebianTarget, wheels, site: Path) -> None:
    """Installs `wheels` into `site` as pip does for the target's platform: a wheel whose
    tags that platform does not take is refused here."""
    run([
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site,
        # Debian 12's glibc is 2.36: the wheels must claim 2.17 or older.
        "--platform", f"manylinux_2_17_{target.arch}", "--platform", f"manylinux2014_{target.arch}",
        "--python-version", "3.11",
        "--implementation", "cp", "--abi", "cp311", "--only-binary=:all:", *wheels,
    ])


@pytest.fixture(scope="module", params=TARGETS, ids=[t.arch for t in TARGETS])
def cross(request, zlig_venv, backend_env, tmp_path_factory) -> Cross:
    """The four projects built for one target and installed for its interpreter."""
    target: DebianTarget = request.param
    root = sysroot(target)
    tmp = tmp_path_factory.mktemp(f"cross-{target.arch}")
    projects, wheels = {}, {}
    for name in PROJECTS:
        project = projects[name] = copy_source(name, tmp)
        built = call_hook(zlig_venv, "build_wheel", project, tmp / "out" / name, backend_env, {"target": target.target})
        wheels[name] = built.path
    site = tmp / "site"
    install_for(target, wheels.values(), site)
    return Cross(target, root, projects, wheels, site)


@pytest.fixture(scope="module")
def on_target(cross) -> list[str]:
    proc = cross.sysroot.python(ON_TARGET, cross.site)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout.splitlines()


def test_abi_probe_agrees_with_the_targets_interpreter(cross, on_target):
    assert on_target[0] == expected_output(cross.target)[0]


def test_examples_run_on_the_targets_interpreter(cross, on_target):
    assert on_target[1:] == expected_output(cross.target)[1:]


def test_modules_are_named_with_cpythons_platform_triplet(cross):
    assert f"demo/demo.cpython-311-{cross.target.triplet}.so" in wheel_names(cross.wheels["demo"])
    assert f"cxx_exception/_core.cpython-311-{cross.target.triplet}.so" in wheel_names(cross.wheels["cxx_exception"])
    assert "abi3demo/_limited.abi3.so" in wheel_names(cross.wheels["abi3"])


def test_wheels_are_manylinux_2_17_and_auditwheel_agrees(cross):
    arch = cross.target.arch
    manylinux = f"manylinux_2_17_{arch}.manylinux2014_{arch}"
    assert wheel_tag(cross.wheels["demo"]) == ("cp311", "cp311", manylinux)
    assert wheel_tag(cross.wheels["abi3"]) == ("cp38", "abi3", manylinux)
    for name in ("demo", "cxx_exception"):
        found = auditwheel_platform(auditwheel_show(cross.wheels[name]))
        assert re.fullmatch(rf"manylinux_2_(5|12|17)_{arch}", found), (name, found)


def include_dir(project: Path, backend: str = "ninja") -> Path:
    """The include dir the build named, from its snapshot."""
    (snapshot,) = project.glob(f"build/zlig/*/{backend}/snapshot.json")
    return Path(json.loads(snapshot.read_text())["graph"]["target"]["include_dir"])


# The macros of pyconfig.h that state the platform rather than the build's options.
PLATFORM_MACROS = re.compile(
    r"(SIZEOF|ALIGNOF)_\w+|WORDS_BIGENDIAN|DOUBLE_IS_\w+_IEEE754|FLOAT_WORDS_BIGENDIAN|HAVE_GCC_UINT128_T"
    r"|HAVE_GCC_ASM_FOR_\w+|X87_DOUBLE_ROUNDING|HAVE_LARGEFILE_SUPPORT|HAVE_USABLE_WCHAR_T"
)


def platform_macros(pyconfig: Path, zig_triple: str) -> dict[str, str]:
    """The platform macros `pyconfig` defines for the target, as its preprocessor sees them."""
    proc = run([sys.executable, "-m", "ziglang", "cc", "-target", zig_triple, "-E", "-dM", "-x", "c", pyconfig])
    macros = dict(line.split(" ", 2)[1:] for line in proc.stdout.splitlines() if line.count(" ") >= 2)
    return {name: value for name, value in macros.items() if PLATFORM_MACROS.fullmatch(name)}


def test_the_derived_pyconfig_states_what_the_targets_own_does(cross):
    derived = include_dir(cross.projects["demo"]) / "pyconfig.h"
    assert "derived from zig" in derived.read_text()
    triple = {"i686": "x86", "armv7l": "arm", "ppc64le": "powerpc64le"}.get(cross.target.arch, cross.target.arch)
    zig_triple = f"{triple}-linux-gnu{'eabihf' if cross.target.arch == 'armv7l' else ''}"
    ours = platform_macros(derived, zig_triple)
    theirs = platform_macros(cross.sysroot.pyconfig, zig_triple)
    # ALIGNOF_MAX_ALIGN_T is new in 3.12's pyconfig.h; Debian's is 3.11's, like the host's.
    assert ours == theirs


BY_ARCH = {t.arch: t for t in TARGETS}


def probe_passes(target: DebianTarget, wheel: Path, site: Path) -> None:
    """Installs the probe's wheel for `target` and checks it on the target's interpreter."""
    install_for(target, [wheel], site)
    proc = sysroot(target).python("import abi_probe; print(abi_probe.check())", site)
    assert proc.stdout.splitlines() == [expected_output(target)[0]], proc.stdout


@pytest.mark.parametrize("arch", ["i686", "s390x"])
def test_the_targets_own_headers_can_be_given(arch, zlig_venv, backend_env, tmp_path):
    """`-C python-include=` with Debian's headers for the target (its pyconfig.h behind
    Debian's multiarch switch), for a 32-bit and a big-endian target: the build reads
    them, and the probe passes."""
    target = BY_ARCH[arch]
    project = copy_source("abi_probe", tmp_path)
    config = {"target": target.target, "python-include": str(sysroot(target).include_dir)}
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", backend_env, config).path
    assert (include_dir(project) / "pyconfig.h").read_text() == sysroot(target).pyconfig.read_text()
    probe_passes(target, wheel, tmp_path / "site")


# The target interpreter states its own facts, as CPython 3.14's generator does with
# --relative-paths (Tools/build/generate-build-details.py): paths relative to the file, which
# sits in the stdlib folder.
BUILD_DETAILS = """
import json, os, sys, sysconfig
here = sysconfig.get_path("stdlib")
base = sysconfig.get_config_var("installed_base")
print(json.dumps({
    "schema_version": "1.0",
    "base_prefix": os.path.relpath(base, here),
    "platform": sysconfig.get_platform(),
    "language": {"version": sysconfig.get_python_version()},
    "implementation": {"name": sys.implementation.name},
    "abi": {"flags": list(sys.abiflags), "extension_suffix": sysconfig.get_config_var("EXT_SUFFIX")},
    "c_api": {"headers": os.path.relpath(sysconfig.get_path("include"), base)},
}))
print(here)
"""


def build_details(target: DebianTarget) -> Path:
    """The target interpreter's PEP 739 build-details.json, written by it into its stdlib
    folder (Debian's 3.11 predates the file)."""
    root = sysroot(target)
    proc = root.python(BUILD_DETAILS, root.root)
    text, stdlib = proc.stdout.splitlines()
    # Under `qemu -L`, the interpreter's prefix is the sysroot's folder on this machine.
    path = Path(stdlib) / "build-details.json"
    assert path.is_relative_to(root.root), path
    path.write_text(text)
    return path


def test_the_targets_build_details_json_gives_its_headers(zlig_venv, backend_env, tmp_path):
    """`-C build-details=` with the target interpreter's PEP 739 file: the build reads the
    headers it names, and the probe passes."""
    target = BY_ARCH["s390x"]
    project = copy_source("abi_probe", tmp_path)
    config = {"target": target.target, "build-details": str(build_details(target))}
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", backend_env, config).path
    assert (include_dir(project) / "pyconfig.h").read_text() == sysroot(target).pyconfig.read_text()
    probe_passes(target, wheel, tmp_path / "site")


def test_another_targets_build_details_json_is_refused(zlig_venv, backend_env, copy_example):
    config = {"target": BY_ARCH["s390x"].target, "build-details": str(build_details(BY_ARCH["i686"]))}
    output = build_failure(zlig_venv, backend_env, copy_example("demo"), config)
    assert scrubbed(error_message(output)) == expected("""
        zlig: error: config_settings: `build-details`: the interpreter of [CACHE]/sysroots/i386/usr/lib/python3.11/build-details.json loads extension modules named `*.cpython-311-i386-linux-gnu.so`, and a build for s390x-linux-gnu.2.17 names them `*.cpython-311-s390x-linux-gnu.so`: it is not an interpreter of this target
    """)


def test_the_zig_backend_gives_the_target_its_data_model_too(zlig_venv, frontend_env, tmp_path):
    target = BY_ARCH["s390x"]
    project = copy_source("abi_probe", tmp_path)
    config = {"target": target.target, "backend": "zig"}
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env, config).path
    probe_passes(target, wheel, tmp_path / "site")
