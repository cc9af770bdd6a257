"""Every CPython from 3.9 to 3.15, as its users have it, builds every example and imports it:
Debian unstable's python3.14 and python3.15, in a root of their own (debian_sid.py), with
isolated pip, as their users would; pyenv's 3.9, 3.10, 3.12 and 3.13 on the test machine,
cheaply, through the hooks (the suite's own 3.11 runs everything else, and Debian 12's
python3.11, whose pyconfig.h is a switch over multiarch folders, builds examples/demo).
Two groups of examples build at once, one per core.

On Debian's 3.14 and 3.15 also: an editable install rebuilds an edited C source and `.pyx`
on import, its hook started by a `.start` file from 3.15 on (PEP 829, so that no `.pth`
file has an `import` line) and by a `.pth` import line before; a native build reads the
headers that the interpreter's own build-details.json (PEP 739) names, once the file is
shown to describe that interpreter; and a Python without its C headers (Debian's
python3.13 without python3.13-dev) gets one message naming the package that has them.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from buildtools import build_dep, zig_global_cache
from conftest import BIN, base_env, build_wheels_for, copy_project
from debian_sid import WITH_HEADERS, WITHOUT_HEADERS, SidRoot, sid_root
from helpers import ARCH, EXAMPLES, run

IN_CI = os.environ.get("CI") == "true"


@dataclasses.dataclass(frozen=True)
class Python:
    """A CPython to build the examples with, and how commands run with it: on this
    machine, or in the Debian sid root (`sid`), where its paths are the root's."""

    name: str
    minor: int
    python: str
    sid: SidRoot | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for `run` with `extra`: the suite's own here, a bare one in the
        root."""
        return extra if self.sid else {**base_env(), **extra}

    def run(self, command, env: dict[str, str], cwd: Path | None = None, check: bool = True):
        if self.sid:
            return self.sid.run(command, env=env, cwd=cwd, check=check)
        return run(command, env=env, cwd=cwd, check=check)

    @property
    def pip(self) -> list[str]:
        """pip for this interpreter: in the root, from a venv made with the root (Debian's
        python3.X has no pip of its own)."""
        assert self.sid, "the machine's interpreters install with uv"
        return [self.sid.pip(f"3.{self.minor}"), "-m", "pip"]

    def venv(self, path: Path) -> Path:
        """A new venv without pip at `path`; its interpreter."""
        if self.sid:
            self.run([self.python, "-m", "venv", "--without-pip", path], self.env())
        else:
            self.run([BIN / "uv", "venv", "--quiet", "--python", self.python, path], self.env())
        return path / "bin" / "python"

    def install(self, venv: Path, *requirements, env: dict[str, str]) -> None:
        """Installs wheels, or requirements found in `PIP_FIND_LINKS`, into `venv`, without
        dependencies."""
        if self.sid:
            self.run([*self.pip, "--python", venv, "install", "--no-deps", *requirements], env)
        else:
            links = [arg for house in env["PIP_FIND_LINKS"].split() for arg in ("--find-links", house)]
            self.run([BIN / "uv", "pip", "install", "--quiet", "--python", venv, "--no-index", "--no-deps",
                      "--refresh", *links, *requirements], env)


def pyenv_pythons() -> list:
    """pyenv's CPython 3.9, 3.10, 3.12 and 3.13 (3.11 runs the suite). Where one is missing
    the test is skipped, but on CI, whose machine's image has them all, it fails: the suite
    promises every CPython from 3.9."""
    params = []
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in (9, 10, 12, 13):
        matches = sorted(versions.glob(f"3.{minor}.*/bin/python3.{minor}"))
        python = Python(f"pyenv-3.{minor}", minor, str(matches[-1]) if matches else "")
        missing = [] if matches or IN_CI else [pytest.mark.skip(reason=f"no CPython 3.{minor} under pyenv ({versions})")]
        params.append(pytest.param(python, id=python.name, marks=missing))
    return params


SID_VERSIONS = [pytest.param(v, id=f"sid-{v}") for v in WITH_HEADERS]


@pytest.fixture(scope="session")
def sid(wheelhouse, zig) -> SidRoot:
    """The sid root, seeing zlig's wheelhouse, the build requirements' wheels, the test
    venv's zig and ninja, and zig's global cache (warm); zlig's user cache in the root is
    new each session, as the suite's own is (conftest.frontend_env)."""
    root = sid_root()
    shutil.rmtree(root.root / "root" / ".cache" / "zlig", ignore_errors=True)
    houses = [build_wheels_for(int(v.split(".")[1])) for v in WITH_HEADERS]
    return root.sharing(wheelhouse, *houses, zig.parent, BIN / "ninja", zig_global_cache(base_env()))


def sid_python(sid: SidRoot, version: str) -> Python:
    return Python(f"sid-{version}", int(version.split(".")[1]), sid.python(version), sid)


def sid_env(zig: Path, *houses: Path, **extra: str) -> dict[str, str]:
    """The environment of pip in the root: no index, zlig's wheel and the build
    requirements' in `houses`, the test venv's zig and ninja (so that an isolated build
    installs neither, and builds with ninja as one that did would: conftest.backend_env)
    and zig's warm global cache; zlig's user cache is the root's."""
    return {
        "PIP_FIND_LINKS": " ".join(str(h.resolve()) for h in houses),
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "ZLIG_ZIG": str(zig.resolve()),
        "ZLIG_NINJA": str((BIN / "ninja").resolve()),
        "ZLIG_REUSE_TOOLS": "0",
        "ZIG_GLOBAL_CACHE_DIR": str(zig_global_cache(base_env()).resolve()),
        **extra,
    }


def sid_details(sid: SidRoot, version: str) -> str:
    """The path, in the root, of Debian's build-details.json for python3.X (it names the
    file `build-details.<ABI flags>.<platform>.json`)."""
    (found,) = (sid.root / "usr" / "lib" / f"python{version}").glob("build-details*.json")
    return "/" + found.relative_to(sid.root).as_posix()


# ---------------------------------------------------------------------------- every example


# The machine's interpreters build every project named on the command line through the
# hooks, one after the other, in one process.
BUILD_ALL = "import os, sys, zlig\nfor project in sys.argv[2:]:\n    os.chdir(project)\n    zlig.build_wheel(sys.argv[1])"

# Imports each module named on the command line; prints how many.
IMPORT_ALL = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)\nprint(len(sys.argv) - 1)"


def importable(wheel: Path) -> list[str]:
    """The packages, top-level modules and extension modules a wheel installs, by dotted
    name."""
    names = []
    for entry in zipfile.ZipFile(wheel).namelist():
        if entry.split("/")[0].endswith((".dist-info", ".data", ".libs")):
            continue
        if entry.endswith("/__init__.py"):
            names.append(entry[: -len("/__init__.py")].replace("/", "."))
        elif "/" not in entry and entry.endswith(".py"):
            names.append(entry[: -len(".py")])
        elif re.search(r"\.(cpython-\d+[a-z]*-[\w-]+|abi3)\.so$", entry):
            names.append(entry.split(".")[0].replace("/", "."))
    return names


def examples(tmp: Path) -> list[Path]:
    """A copy of every example, with the library examples/extlib links built."""
    projects = [copy_project(p.name, tmp / "src") for p in sorted(EXAMPLES.iterdir()) if (p / "pyproject.toml").is_file()]
    build_dep(tmp / "src" / "extlib", "lib")
    return projects


# The examples that take longest to build, with a rough weight: one C++ file including
# pybind11, four Cython translations, a Zig module, a C++ module.
SLOW = {"pybind11_ext": 8, "cython": 6, "zigext": 2, "cxx_exception": 2}


def at_once(projects: list[Path], build) -> None:
    """Runs `build` on two groups of the projects at once, of about equal weight: a build
    of one example keeps one core busy at most of the time, and the machines have two."""
    groups: tuple[list[Path], list[Path]] = ([], [])
    for project in sorted(projects, key=lambda p: -SLOW.get(p.name, 1)):
        lighter = min(groups, key=lambda g: sum(SLOW.get(p.name, 1) for p in g))
        lighter.append(project)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(build, group) for group in groups]:
            done.result()


def import_every_module(python: Python, venv: Path, wheels: list[Path], tmp: Path) -> None:
    modules = sorted({m for wheel in wheels for m in importable(wheel)})
    assert {"demo.demo", "cydemo.vectors", "pbdemo._pbdemo", "npdemo._npdemo", "zigdemo._fib"} <= set(modules), modules
    env = python.env(LD_LIBRARY_PATH=str(tmp / "src" / "extlib" / "lib"))
    imported = python.run([venv, "-c", IMPORT_ALL, *modules], env)
    assert imported.stdout.strip().splitlines()[-1] == str(len(modules)), imported.stdout


@pytest.mark.parametrize("version", SID_VERSIONS)
def test_every_example_builds_with_isolated_pip_and_imports_on_debian_sids_cpython(version, sid, wheelhouse, zig, tmp_path):
    python = sid_python(sid, version)
    env = sid_env(zig, wheelhouse, build_wheels_for(python.minor))
    projects = examples(tmp_path)
    at_once(projects, lambda group: python.run([*python.pip, "wheel", "--no-deps", "-w", tmp_path / "out", *group], env))
    wheels = sorted((tmp_path / "out").glob("*.whl"))
    assert len(wheels) == len(projects), [w.name for w in wheels]
    venv = python.venv(tmp_path / "venv")
    # examples/numpy_capi needs numpy at run time (examples/pure's dependencies are not
    # imported).
    python.install(venv, *wheels, "numpy", env=env)
    import_every_module(python, venv, wheels, tmp_path)


def build_through_the_hooks(python: Python, projects: list[Path], backend_env, zlig_wheel: Path, tmp: Path) -> tuple[Path, list[Path]]:
    """Builds `projects` with zlig's hooks in a venv of `python` holding zlig and the build
    requirements, and installs the wheels there: the venv, and the wheels."""
    env = dict(backend_env, PIP_FIND_LINKS=str(build_wheels_for(python.minor)))
    venv = python.venv(tmp / "venv")
    python.install(venv, zlig_wheel, "cython", "numpy", "pybind11", env=env)
    at_once(projects, lambda group: python.run([venv, "-c", BUILD_ALL, tmp / "out", *group], env))
    wheels = sorted((tmp / "out").glob("*.whl"))
    assert len(wheels) == len(projects), [w.name for w in wheels]
    python.install(venv, *wheels, env=env)
    return venv, wheels


@pytest.mark.parametrize("python", pyenv_pythons())
def test_every_example_builds_and_imports_on_every_cpython_of_this_machine(python, backend_env, zlig_wheel, tmp_path):
    if not python.python:
        pytest.fail(f"{python.name}: CI's machine must have this interpreter (its image does)")
    venv, wheels = build_through_the_hooks(python, examples(tmp_path), backend_env, zlig_wheel, tmp_path)
    import_every_module(python, venv, wheels, tmp_path)


@pytest.mark.skipif(not Path("/usr/include/python3.11/Python.h").is_file(), reason="no Debian python3.11 with its headers")
def test_debian_12s_python3_11_builds_through_its_multiarch_pyconfig_h(backend_env, zlig_wheel, tmp_path):
    """Debian's /usr/include/python3.11/pyconfig.h includes the platform's own from a
    multiarch folder; the suite's own 3.11 builds every example."""
    python = Python("debian12-3.11", 11, "/usr/bin/python3.11")
    venv, _ = build_through_the_hooks(python, [copy_project("demo", tmp_path / "src")], backend_env, zlig_wheel, tmp_path)
    added = python.run([venv, "-c", "import demo; print(demo.add(2, 3))"], python.env())
    assert added.stdout.strip().splitlines()[-1] == "5", added.stdout


# ---------------------------------------------------------------------------- editable installs


@dataclasses.dataclass
class Editable:
    """examples/demo and examples/cython installed editable into a venv of the root."""

    python: Python
    venv: Path
    demo: Path
    cython: Path

    def site_packages(self) -> Path:
        """The venv's site-packages (the venv is in /tmp, which the root shares)."""
        return self.venv.parent.parent / "lib" / f"python3.{self.python.minor}" / "site-packages"

    def call(self, code: str, *flags: str):
        """Runs `code` in a new interpreter of the venv (no zig named: the install finds
        its own tools)."""
        return self.python.run([self.venv, *flags, "-c", code], {}, check=False)


@pytest.fixture(scope="module", params=SID_VERSIONS)
def editable(request, sid, wheelhouse, zig, tmp_path_factory) -> Editable:
    python = sid_python(sid, request.param)
    tmp = tmp_path_factory.mktemp(f"editable-{python.minor}")
    demo, cython = copy_project("demo", tmp), copy_project("cython", tmp)
    venv = python.venv(tmp / "venv")
    env = sid_env(zig, wheelhouse, build_wheels_for(python.minor))
    python.run([*python.pip, "--python", venv, "install", "-e", demo, "-e", cython], env)
    return Editable(python, venv, demo, cython)


def test_an_editable_install_rebuilds_an_edited_c_source_and_pyx_on_import(editable):
    code = "import demo, cydemo; print(demo.add(2, 3), cydemo.dot([1, 2, 3], [4, 5, 6]))"
    first = editable.call(code)
    assert first.stdout.strip().splitlines()[-1:] == ["5 32.0"], first.stdout
    demo_c = editable.demo / "src" / "demo" / "demo.c"
    demo_c.write_text(demo_c.read_text().replace("PyLong_FromLong(a + b)", "PyLong_FromLong(a + b + 100)"))
    vectors = editable.cython / "src" / "cydemo" / "vectors.pyx"
    vectors.write_text(vectors.read_text().replace("return x1 * x2 + y1 * y2 + z1 * z2", "return 2 * (x1 * x2 + y1 * y2 + z1 * z2)"))
    edited = editable.call(code)
    assert edited.stdout.strip().splitlines()[-1:] == ["105 64.0"], edited.stdout


def test_an_editable_install_starts_its_hook_from_a_start_file_from_python_3_15_and_a_pth_line_before(editable):
    site = editable.site_packages()
    pth = {p.name: p.read_text() for p in site.glob("*.pth")}
    start = {p.name: p.read_text() for p in site.glob("*.start")}
    # The source folders stay path lines of the .pth files.
    assert pth["_zlig_editable_demo.pth"].splitlines()[0] == str(editable.demo / "src"), pth
    assert pth["_zlig_editable_cydemo.pth"].splitlines()[0] == str(editable.cython / "src"), pth
    if editable.python.minor >= 15:
        imports = [line for text in pth.values() for line in text.splitlines() if line.startswith("import")]
        assert imports == [], pth
        assert start == {"_zlig_editable_demo.start": "_zlig_editable_demo:start\n",
                         "_zlig_editable_cydemo.start": "_zlig_editable_cydemo:start\n"}
        # Asked to say what it does at start, site names each .pth file whose import lines
        # it runs as deprecated; with warnings as errors, it starts silently.
        verbose = editable.call("pass", "-v")
        assert "_zlig_editable" in verbose.stdout
        assert "are deprecated" not in verbose.stdout, [line for line in verbose.stdout.splitlines() if "deprecated" in line]
        quiet = editable.call("pass", "-W", "error")
        assert (quiet.returncode, quiet.stdout) == (0, "")
    else:
        assert start == {}
        assert pth["_zlig_editable_demo.pth"].splitlines()[-1] == "import _zlig_editable_demo; _zlig_editable_demo.start()"
    # The hook is in place from the interpreter's start, before anything is imported.
    finders = editable.call("import sys; print(sorted(type(f).__name__ for f in sys.meta_path))")
    assert finders.stdout.count("ExtensionFinder") == 2, finders.stdout


# ---------------------------------------------------------------------------- headers


def test_a_python_without_its_headers_is_told_which_package_has_them(sid, wheelhouse, zig, tmp_path):
    python = sid_python(sid, WITHOUT_HEADERS)
    project = copy_project("demo", tmp_path)
    built = python.run([*python.pip, "wheel", "--no-deps", "-w", tmp_path / "out", project],
                       sid_env(zig, wheelhouse), check=False)
    assert built.returncode != 0
    errors = [line for line in built.stdout.splitlines() if "zlig: error:" in line]
    assert len(errors) == 1, built.stdout
    assert f"the C headers of Python {WITHOUT_HEADERS} are not installed: /usr/include/python{WITHOUT_HEADERS} has no Python.h" in errors[0]
    assert f"python{WITHOUT_HEADERS}-dev on Debian and Ubuntu" in errors[0], errors[0]
    assert "No such file" not in built.stdout


@pytest.mark.parametrize("version", SID_VERSIONS)
def test_a_native_build_reads_the_headers_its_interpreters_build_details_json_names(version, sid, wheelhouse, zig, tmp_path):
    """The interpreter's build-details.json is put over Debian's for the build, naming a
    copy of the headers whose pyconfig.h defines one more macro, which the source needs."""
    python = sid_python(sid, version)
    headers = tmp_path / "headers"
    shutil.copytree(sid.root / "usr" / "include" / f"python{version}", headers)
    platform = sid.root / "usr" / "include" / f"{ARCH}-linux-gnu" / f"python{version}" / "pyconfig.h"
    (headers / "pyconfig.h").write_text(platform.read_text() + "\n#define ZLIG_TEST_HEADERS_FROM_BUILD_DETAILS 1\n")
    file = sid_details(sid, version)
    details = json.loads((sid.root / file.lstrip("/")).read_text())
    details["c_api"]["headers"] = str(headers)
    ours = tmp_path / "build-details.json"
    ours.write_text(json.dumps(details))
    project = copy_project("demo", tmp_path)
    demo_c = project / "src" / "demo" / "demo.c"
    guard = "#ifndef ZLIG_TEST_HEADERS_FROM_BUILD_DETAILS\n#error not the headers build-details.json names\n#endif\n"
    demo_c.write_text(demo_c.read_text().replace("#include <Python.h>", f"#include <Python.h>\n{guard}", 1))
    python.sid.run([*python.pip, "wheel", "--no-deps", "-w", tmp_path / "out", project],
                   env=sid_env(zig, wheelhouse), over=[(ours, file)])
    assert len(list((tmp_path / "out").glob("demo-*.whl"))) == 1


def test_a_build_details_json_that_does_not_describe_its_interpreter_is_refused(sid, wheelhouse, zig, tmp_path):
    version = WITH_HEADERS[-1]
    python = sid_python(sid, version)
    file = sid_details(sid, version)
    details = json.loads((sid.root / file.lstrip("/")).read_text())
    details["language"]["version"] = "3.9"
    ours = tmp_path / "build-details.json"
    ours.write_text(json.dumps(details))
    built = python.sid.run([*python.pip, "wheel", "--no-deps", "-w", tmp_path / "out", copy_project("demo", tmp_path)],
                           env=sid_env(zig, wheelhouse), over=[(ours, file)], check=False)
    assert built.returncode != 0
    errors = [line for line in built.stdout.splitlines() if "zlig: error:" in line]
    assert len(errors) == 1, built.stdout
    assert f"{file} describes cpython 3.9, and the build is for cpython {version}" in errors[0], errors[0]
    assert "the running interpreter's own build-details.json; `-C python-include=DIR` names its headers instead" in errors[0]
