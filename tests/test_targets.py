"""What the wheel is built for, and the tag that says so: a module linking a library outside
the manylinux policy (examples/extlib), a cross build for aarch64, `when` markers evaluated
for the target, and targets zlig does not know or cannot prove (test_cross.py runs
cross-built modules on their targets; test_cpythons.py builds natively with every CPython
from 3.9 to 3.15)."""

from __future__ import annotations

import re
import sys

import pytest

from buildtools import (
    DEP,
    EM,
    assert_manylinux_at_most_2_17,
    auditwheel_platform,
    auditwheel_show,
    build_dep,
    build_failure,
    call_hook,
    e_machine,
    exported_symbols,
    extract,
)
from conftest import copy_project
from helpers import (
    ARCH,
    EXT_SUFFIX,
    LINUX_TAG,
    MANYLINUX_TAG,
    PY_TAG,
    error_message,
    expected,
    run,
    scrubbed,
    warning_lines,
    wheel_fields,
    wheel_names,
    wheel_tag,
)

PY_XY = PY_TAG[len("cp"):]


# ---------------------------------------------------------------------------- not portable


@pytest.fixture(scope="module")
def extlib(zlig_venv, frontend_env, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("extlib")
    project = copy_project("extlib", tmp)
    build_dep(project, "lib")
    return project, call_hook(zlig_venv, "build_wheel", project, tmp / "out", frontend_env)


def test_module_linking_a_library_outside_the_policy_is_tagged_linux(extlib):
    _, built = extlib
    assert built.path.name == f"extlib-0.1.0-{PY_TAG}-{PY_TAG}-{LINUX_TAG}.whl"
    assert wheel_fields(built.path)["Tag"] == [f"{PY_TAG}-{PY_TAG}-{LINUX_TAG}"]
    # The wheel does not ship the library: the machine must have it.
    assert not [n for n in wheel_names(built.path) if DEP in n]


def test_build_warns_naming_the_library_and_the_tag(extlib):
    _, built = extlib
    assert warning_lines(built.output) == [
        (
            f"zlig: warning: the wheel is tagged {LINUX_TAG} and not manylinux_2_17_{ARCH}: extlib/_uses_dep{EXT_SUFFIX}: "
            f"it links {DEP}, which the policy does not allow"
        ),
    ]


def test_auditwheel_agrees_the_wheel_is_not_manylinux(extlib):
    _, built = extlib
    output = auditwheel_show(built.path)
    assert auditwheel_platform(output) == LINUX_TAG
    assert "external shared libraries are required" in output and DEP in output, output


def test_linux_wheel_works_where_the_library_is_found(extlib, venvs):
    project, built = extlib
    venv = venvs.with_wheels(built.path, name="extlib-venv")
    code = "import extlib; print(extlib.triple(14))"
    missing = venv.call(code)
    assert missing.returncode != 0 and DEP in missing.stdout, missing.stdout
    env = dict(venv.env, LD_LIBRARY_PATH=str(project / "lib"))
    assert venv.run(code, env=env) == "42"


def test_library_shipped_in_the_wheel_beside_the_module_is_not_external(zlig_venv, venvs, frontend_env, copy_example, tmp_path):
    project = copy_example("extlib")
    build_dep(project, "src/extlib")  # a package file: it ships beside the module
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'library-dirs = ["lib"]', 'library-dirs = ["src/extlib"]\nextra-link-args = ["-Wl,-rpath,$ORIGIN"]'
        )
    )
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env).path
    assert f"extlib/{DEP}" in wheel_names(wheel)
    # The wheel is self-contained: it works with nothing on LD_LIBRARY_PATH ...
    venv = venvs.with_wheels(wheel, name="extlib-shipped")
    assert venv.run("import extlib; print(extlib.triple(14))") == "42"
    # ... and auditwheel finds it manylinux (2.17 or older).
    assert_manylinux_at_most_2_17(auditwheel_platform(auditwheel_show(wheel)), ARCH)
    assert wheel_tag(wheel)[2] == MANYLINUX_TAG


# ---------------------------------------------------------------------------- cross builds


@pytest.fixture(scope="module")
def aarch64_demo(zlig_venv, frontend_env, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-aarch64")
    project = copy_project("demo", tmp)
    return call_hook(zlig_venv, "build_wheel", project, tmp / "out", frontend_env, {"target": "aarch64-linux-gnu.2.17"})


def test_aarch64_wheel_name_and_module_suffix(aarch64_demo):
    wheel = aarch64_demo.path
    assert wheel.name == f"demo-0.1.0-{PY_TAG}-{PY_TAG}-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
    assert f"demo/demo.cpython-{PY_XY}-aarch64-linux-gnu.so" in wheel_names(wheel)
    assert "for aarch64-linux-gnu.2.17" in aarch64_demo.output


def test_aarch64_module_is_an_aarch64_elf(aarch64_demo, tmp_path):
    module = extract(aarch64_demo.path, f"demo/demo.cpython-{PY_XY}-aarch64-linux-gnu.so", tmp_path)
    assert e_machine(module) == EM["aarch64"] == 183
    assert exported_symbols(module) == {"PyInit_demo"}


def test_aarch64_tag_agrees_with_auditwheel(aarch64_demo):
    assert_manylinux_at_most_2_17(auditwheel_platform(auditwheel_show(aarch64_demo.path)), "aarch64")


WHEN_PYPROJECT = """\
[build-system]
requires = ["zlig"]
build-backend = "zlig"

[project]
name = "demo"
version = "0.1.0"

[[tool.zlig.extensions]]
name = "demo.demo"
sources = ["src/demo/demo.c"]

[[tool.zlig.extensions.when]]
marker = "platform_machine == 'aarch64'"
sources = ["src/aarch64_only.c"]
define-macros = ['DEMO_DOC="built for aarch64 by the when entry"']

[[tool.zlig.extensions.when]]
marker = "platform_machine != 'aarch64'"
sources = ["src/not_aarch64.c"]
"""


@pytest.mark.skipif(ARCH == "aarch64", reason="the host must not be aarch64")
def test_when_markers_are_evaluated_for_the_target_not_the_host(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    (project / "pyproject.toml").write_text(WHEN_PYPROJECT)
    demo_c = project / "src" / "demo" / "demo.c"
    demo_c.write_text(
        '#ifndef DEMO_DOC\n#define DEMO_DOC "no when entry"\n#endif\n'
        + demo_c.read_text().replace('"A C extension built by zlig."', "DEMO_DOC")
    )
    (project / "src" / "aarch64_only.c").write_text("int demo_aarch64_only(void) { return 64; }\n")
    (project / "src" / "not_aarch64.c").write_text("#error the entry for targets other than aarch64\n")

    # For the host, the second entry holds: its source is compiled, and fails.
    host = zlig_venv.call(
        "import sys, zlig; zlig.build_wheel(sys.argv[1])", str(tmp_path / "host"), cwd=project, env=frontend_env
    )
    assert host.returncode == 1
    assert "the entry for targets other than aarch64" in host.stdout, host.stdout

    # For aarch64, only the first one holds, whatever the host.
    cross = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env, {"target": "aarch64-linux-gnu.2.17"})
    assert "(2 source files)" in cross.output, cross.output
    module = extract(cross.path, f"demo/demo.cpython-{PY_XY}-aarch64-linux-gnu.so", tmp_path / "x")
    data = module.read_bytes()
    assert b"built for aarch64 by the when entry" in data
    assert b"no when entry" not in data


def test_a_cross_build_leaves_out_the_flags_meant_for_this_machine(zlig_venv, backend_env, copy_example, tmp_path):
    """CPPFLAGS, CFLAGS and LDFLAGS name this machine's include and library dirs, its CPU:
    not the target's. A native build takes them (test_backends.py, test_bad_input.py)."""
    project = copy_example("demo")
    demo_c = project / "src" / "demo" / "demo.c"
    demo_c.write_text("#ifdef HOST_ONLY\n#error CFLAGS for the host reached a cross build\n#endif\n" + demo_c.read_text())
    env = dict(backend_env, CFLAGS="-DHOST_ONLY -I/usr/include/x86_64-linux-gnu", CPPFLAGS="-I/usr/include",
               LDFLAGS="-L/usr/lib/x86_64-linux-gnu")
    cross = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", env, {"target": "aarch64-linux-gnu"})
    assert "a build for aarch64-linux-gnu.2.17 does not use them" in cross.output, cross.output
    (snapshot,) = project.glob("build/zlig/*aarch64*/ninja/build.ninja")
    assert "/usr/include" not in snapshot.read_text() and "/usr/lib" not in snapshot.read_text()


# ---------------------------------------------------------------------------- unknown targets


@pytest.mark.parametrize(
    "target, message",
    [
        (
            "sparc-solaris", """
            zlig: error: config_settings: `target`: not a target triple; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
            """
        ),
        (
            "aarch64", """
            zlig: error: config_settings: `target`: not a target triple; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
            """
        ),
        (
            "x86_64-windows-gnu", """
            zlig: error: config_settings: `target`: unsupported operating system `windows`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
            """
        ),
        (
            "mips-linux-gnu", """
            zlig: error: config_settings: `target`: unknown architecture `mips`; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
            """
        ),
    ],
    ids=["sparc-solaris", "aarch64", "x86_64-windows-gnu", "mips-linux-gnu"],
)
def test_unknown_target_is_a_clear_error(zlig_venv, frontend_env, copy_example, tmp_path, target, message):
    out = tmp_path / "out"
    out.mkdir()
    proc = zlig_venv.call(
        "import sys, zlig; zlig.build_wheel(sys.argv[1], {'target': sys.argv[2]})",
        str(out), target,
        cwd=copy_example("demo"), env=frontend_env,
    )
    assert proc.returncode == 1, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected(message)
    assert "Traceback" not in proc.stdout and "panicked" not in proc.stdout
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "target, message",
    [
        (
            "x86_64-linux-musl", """
            zlig: error: config_settings: `target`: zlig cannot prove that modules built for x86_64-linux-musl work: zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
            """
        ),
        (
            "aarch64-linux-musl", """
            zlig: error: config_settings: `target`: zlig cannot prove that modules built for aarch64-linux-musl work: zlig has no musl interpreter to run its modules on, so musl wheels are built only by a Python running on musl; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
            """
        ),
        (
            "riscv64-linux-gnu", """
            zlig: error: config_settings: `target`: zlig cannot prove that modules built for riscv64-linux-gnu.2.31 work: zlig has no riscv64 interpreter to run its modules on (Debian 12 has no riscv64 port), so riscv64 wheels are built only by a Python running on riscv64; the targets zlig builds for from another platform are x86_64-linux-gnu, aarch64-linux-gnu, i686-linux-gnu, armv7l-linux-gnu, ppc64le-linux-gnu, s390x-linux-gnu (each optionally with `.<glibc>`)
            """
        ),
    ],
    ids=["x86_64-linux-musl", "aarch64-linux-musl", "riscv64-linux-gnu"],
)
def test_a_cross_target_no_interpreter_proves_is_refused(zlig_venv, frontend_env, copy_example, target, message):
    output = build_failure(zlig_venv, frontend_env, copy_example("demo"), {"target": target})
    assert scrubbed(error_message(output)) == expected(message)


def test_the_newest_glibc_zlig_accepts_is_the_newest_zig_knows(zlig_venv, frontend_env, copy_example):
    """zig builds a newer glibc's wheel against its newest one, with a warning: zlig refuses
    instead, and its limit is zig's (`zig targets`)."""
    listed = run([sys.executable, "-m", "ziglang", "targets"]).stdout
    versions = re.search(r"\.glibc = \.\{(.*?)\}", listed, re.DOTALL).group(1)
    newest = max(tuple(map(int, v.split(".")[:2])) for v in re.findall(r'"([\d.]+)"', versions))
    too_new = f"{newest[0]}.{newest[1] + 1}"
    output = build_failure(zlig_venv, frontend_env, copy_example("demo"), {"target": f"{ARCH}-linux-gnu.{too_new}"})
    assert scrubbed(error_message(output)) == expected(f"""
        zlig: error: config_settings: `target`: glibc {too_new} is newer than zig knows: {newest[0]}.{newest[1]} is the newest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
    """)


def test_ppc64le_defaults_to_the_oldest_glibc_zig_has_for_it(zlig_venv, frontend_env, copy_example):
    output = build_failure(zlig_venv, frontend_env, copy_example("demo"), {"target": "ppc64le-linux-gnu.2.17"})
    assert scrubbed(error_message(output)) == expected("""
        zlig: error: config_settings: `target`: glibc 2.17 is older than zig provides for ppc64le: 2.19 is the oldest; expected `<arch>-linux-gnu[.<glibc>]` or `<arch>-linux-musl`, with <arch> one of: x86_64, aarch64, i686, armv7l, ppc64le, s390x, riscv64
    """)
