"""Extensions in C++, Zig and for the stable ABI, as real projects declare them:
examples/cxx_exception (C++ and C in one module, a C++ exception becomes a ValueError),
examples/zigext (a module written in Zig) and examples/abi3 (`py-limited-api = "cp38"`)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from buildtools import (
    assert_manylinux_at_most_2_17,
    auditwheel_platform,
    auditwheel_show,
    call_hook,
    e_machine,
    exported_symbols,
    extract,
    host_em,
    section_names,
    zig_global_cache,
)
from conftest import copy_project
from helpers import ARCH, EXT_SUFFIX, MANYLINUX_TAG, PY_TAG, run, sdist_names, wheel_fields, wheel_names, wheel_tag

LIBCXX_ANNOUNCEMENT = "zig compiles libc++ once"


def assert_manylinux_2_17_agrees_with_auditwheel(wheel: Path, exact: bool) -> None:
    """Our tag is manylinux_2_17 and auditwheel finds the modules consistent with it (the
    same policy with `exact`, else the same or an older one)."""
    assert wheel_tag(wheel)[2] == MANYLINUX_TAG
    found = auditwheel_platform(auditwheel_show(wheel))
    if exact:
        assert found == f"manylinux_2_17_{ARCH}"
    else:
        assert_manylinux_at_most_2_17(found, ARCH)


# ---------------------------------------------------------------------------- C++


@pytest.fixture(scope="module")
def cxx(zlig_venv, frontend_env, tmp_path_factory):
    """examples/cxx_exception built by the hooks, once: an sdist and a wheel, with zlig's
    marker of a paid libc++ build removed first, so that the wheel build announces the
    libc++ warm-up (zig's cache itself is left alone: on a warm machine it is quick)."""
    tmp = tmp_path_factory.mktemp("cxx")
    project = copy_project("cxx_exception", tmp)
    cache = zig_global_cache(frontend_env)
    markers = []
    if cache is not None:
        markers = sorted((cache / "zlig-warm").glob(f"libcxx-*-{ARCH}-linux-gnu.2.17-ReleaseFast"))
        for marker in markers:
            marker.unlink()
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp / "wheel", frontend_env)
    sdist = call_hook(zlig_venv, "build_sdist", project, tmp / "sdist", frontend_env)
    return project, wheel, sdist.path, cache


@pytest.fixture(scope="module")
def cxx_venv(cxx, venvs):
    return venvs.with_wheels(cxx[1].path, name="cxx-venv")


def test_cxx_first_build_announces_the_libcxx_warmup_once(cxx, zlig_venv, frontend_env, tmp_path):
    project, wheel, _, cache = cxx
    assert LIBCXX_ANNOUNCEMENT in wheel.output, wheel.output
    if cache is not None:
        assert list((cache / "zlig-warm").glob(f"libcxx-*-{ARCH}-linux-gnu.2.17-ReleaseFast"))
    again = call_hook(zlig_venv, "build_wheel", project, tmp_path / "again", frontend_env)
    assert LIBCXX_ANNOUNCEMENT not in again.output, again.output
    assert again.path.read_bytes() == wheel.path.read_bytes()


def test_cxx_wheel_holds_the_module_and_no_sources(cxx):
    assert wheel_names(cxx[1].path) == [
        "cxx_exception/__init__.py",
        f"cxx_exception/_core{EXT_SUFFIX}",
        "cxx_exception-0.1.0.dist-info/METADATA",
        "cxx_exception-0.1.0.dist-info/WHEEL",
        "cxx_exception-0.1.0.dist-info/sboms/zlig.cdx.json",
        "cxx_exception-0.1.0.dist-info/RECORD",
    ]


def test_cxx_sdist_has_both_sources_and_the_depends_header(cxx):
    names = sdist_names(cxx[2])
    for source in ("core.cpp", "checks.c", "checks.h"):
        assert f"src/cxx_exception/{source}" in names


def test_cxx_module_works_and_its_exception_becomes_a_value_error(cxx_venv):
    code = (
        "import cxx_exception as m\n"
        "print(m.factorial(5), m.factorial(20), m.words('  C++ and  C '))\n"
        "for bad in ((m.factorial, -1), (m.factorial, 21), (m.words, '   ')):\n"
        "    try:\n"
        "        bad[0](bad[1])\n"
        "    except ValueError as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    assert cxx_venv.run(code).splitlines() == [
        "120 2432902008176640000 ['C++', 'and', 'C']",
        "ValueError n must not be negative: -1",
        "ValueError n is too large for a 64-bit factorial: 21",
        "ValueError no words in the text",
    ]


def test_cxx_module_exports_only_its_init_function(cxx, tmp_path):
    module = extract(cxx[1].path, f"cxx_exception/_core{EXT_SUFFIX}", tmp_path)
    assert exported_symbols(module) == {"PyInit__core"}
    # The same through binutils, when the machine has them.
    nm = run(["nm", "-D", "--defined-only", module], check=False, split=True) if shutil.which("nm") else None
    if nm is not None:
        assert nm.returncode == 0, nm.stderr
        assert [line.split()[-1] for line in nm.stdout.splitlines()] == ["PyInit__core"]


UNCAUGHT = {
    "fail_in_thread()": ("std::runtime_error", "the worker thread gave up"),
    "factorial_noexcept(-1)": ("std::invalid_argument", "n must not be negative: -1"),
}


@pytest.fixture(scope="module", params=["ninja", "zig"])
def cxx_backend_venv(request, zlig_venv, backend_env, venvs, tmp_path_factory):
    """examples/cxx_exception built by each built-in zig backend and installed."""
    tmp = tmp_path_factory.mktemp(f"cxx-{request.param}")
    env = backend_env
    config = {"backend": request.param}
    wheel = call_hook(zlig_venv, "build_wheel", copy_project("cxx_exception", tmp), tmp / "out", env, config)
    return venvs.with_wheels(wheel.path, name=f"cxx-{request.param}-venv")


@pytest.mark.parametrize("call", UNCAUGHT)
def test_an_uncaught_cxx_exception_aborts_with_its_type_and_message(cxx_backend_venv, call):
    """As g++'s runtime reports it: zig's libc++abi alone would print only
    "libc++abi: terminating"."""
    kind, message = UNCAUGHT[call]
    proc = cxx_backend_venv.call(f"import cxx_exception._core as m; m.{call}")
    assert proc.returncode == -6, proc.stdout  # SIGABRT
    assert f"terminate called after throwing an instance of '{kind}'\n  what():  {message}\n" in proc.stdout, proc.stdout


def test_cxx_module_is_stripped(cxx, tmp_path):
    module = extract(cxx[1].path, f"cxx_exception/_core{EXT_SUFFIX}", tmp_path)
    sections = section_names(module)
    assert not {s for s in sections if s.startswith(".debug")}, sections
    assert ".symtab" not in sections
    assert e_machine(module) == host_em()


def test_cxx_wheel_tag_agrees_with_auditwheel(cxx):
    assert_manylinux_2_17_agrees_with_auditwheel(cxx[1].path, exact=True)


# ---------------------------------------------------------------------------- Zig


@pytest.fixture(scope="module")
def zigext_wheel(zlig_venv, frontend_env, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("zigext")
    return call_hook(zlig_venv, "build_wheel", copy_project("zigext", tmp), tmp / "out", frontend_env).path


def test_zigext_wheel_holds_the_zig_module(zigext_wheel):
    assert wheel_names(zigext_wheel) == [
        "zigdemo/__init__.py",
        f"zigdemo/_fib{EXT_SUFFIX}",
        "zigdemo-0.1.0.dist-info/METADATA",
        "zigdemo-0.1.0.dist-info/WHEEL",
        "zigdemo-0.1.0.dist-info/sboms/zlig.cdx.json",
        "zigdemo-0.1.0.dist-info/RECORD",
    ]
    assert wheel_tag(zigext_wheel)[:2] == (PY_TAG, PY_TAG)


def test_zigext_installs_and_computes_fibonacci(zigext_wheel, venvs):
    venv = venvs.with_wheels(zigext_wheel, name="zigext-venv")
    code = (
        "import zigdemo\n"
        "print(zigdemo.fib(10), zigdemo.fib(0), zigdemo.fib(90))\n"
        "try:\n"
        "    zigdemo.fib(-1)\n"
        "except ValueError as e:\n"
        "    print('ValueError', e)\n"
    )
    assert venv.run(code).splitlines() == ["55 0 2880067194370816120", "ValueError n must not be negative"]


def test_zigext_module_exports_only_its_init_function_and_is_stripped(zigext_wheel, tmp_path):
    module = extract(zigext_wheel, f"zigdemo/_fib{EXT_SUFFIX}", tmp_path)
    assert exported_symbols(module) == {"PyInit__fib"}
    assert not {s for s in section_names(module) if s.startswith(".debug")}


def test_zigext_wheel_tag_agrees_with_auditwheel(zigext_wheel):
    assert_manylinux_2_17_agrees_with_auditwheel(zigext_wheel, exact=False)


# ---------------------------------------------------------------------------- abi3


@pytest.fixture(scope="module")
def abi3_wheel(zlig_venv, frontend_env, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("abi3")
    return call_hook(zlig_venv, "build_wheel", copy_project("abi3", tmp), tmp / "out", frontend_env).path


def test_abi3_wheel_is_tagged_cp38_abi3(abi3_wheel):
    assert abi3_wheel.name == f"abi3demo-0.1.0-cp38-abi3-{MANYLINUX_TAG}.whl"
    assert wheel_fields(abi3_wheel)["Tag"] == [f"cp38-abi3-{p}" for p in MANYLINUX_TAG.split(".")]


def test_abi3_module_is_named_abi3_so(abi3_wheel):
    modules = [n for n in wheel_names(abi3_wheel) if n.endswith(".so")]
    assert modules == ["abi3demo/_limited.abi3.so"]


def test_abi3audit_passes(abi3_wheel):
    proc = run([Path(sys.executable).parent / "abi3audit", "--strict", "--report", abi3_wheel], check=False, split=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (spec,) = json.loads(proc.stdout)["specs"].values()
    (result,) = [entry["result"] for entry in spec["wheel"]]
    assert result["is_abi3"] is True
    assert result["is_abi3_baseline_compatible"] is True
    assert result["baseline"] == "3.8"
    assert result["non_abi3_symbols"] == []
    assert result["future_abi3_objects"] == {}


def test_abi3_module_imports_and_works(abi3_wheel, venvs):
    venv = venvs.with_wheels(abi3_wheel, name="abi3-venv")
    code = (
        "import abi3demo\n"
        "print(abi3demo.greet('zig'), abi3demo.scale(1.5), abi3demo.scale(2.0, 4.0), hex(abi3demo.limited_api()))\n"
        "print(abi3demo._limited.__file__.rsplit('/', 1)[-1])\n"
    )
    assert venv.run(code).splitlines() == ["hello, zig 3.0 8.0 0x3080000", "_limited.abi3.so"]


def test_abi3_wheel_tag_agrees_with_auditwheel(abi3_wheel):
    assert_manylinux_2_17_agrees_with_auditwheel(abi3_wheel, exact=False)
