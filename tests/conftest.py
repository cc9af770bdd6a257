"""Session fixtures of the end-to-end suite.

- `wheelhouse`: zlig's own wheel, built once per session by maturin.
- `zig`: the zig of the `ziglang` package in the test venv; isolated builds get it as
  `ZLIG_ZIG`, so that they do not download ziglang (the `cold` test does).
- `build_wheels`: wheels of the build requirements the examples name (Cython, numpy,
  pybind11), downloaded once into tests/.cache/build-wheels, beside zlig's for the frontends.
- `frontend`: pip, build and uv, set up to find zlig in the wheelhouse and nothing else.
- `venvs`: fresh venvs (uv) to install wheels into and run Python in.
- `copy_example`: examples are copied to a temporary folder before anything is built, so
  that the repo's `examples/` never gets a `build/` folder.
- built artifacts (`demo_pip_wheel`, `demo_build`, ...), shared by the tests that inspect
  them: each example is built once per frontend per session.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

from buildtools import fresh_user_cache
from helpers import ARCH, CACHE, EXAMPLES, ROOT, STALE_SEED_MODULE, run

BIN = Path(sys.executable).parent


# ---------------------------------------------------------------------------- toolchain


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    """A folder holding exactly one zlig wheel, built from the working tree.

    A debug build (stripped, so that each isolated build environment installs 3 MB, not
    17): the suite tests behaviour, not speed. Its tag is checked by
    test_wheels.py::test_zligs_own_wheel_is_manylinux_2_17. `ZLIG_TEST_WHEEL=path/to/zlig-….whl` tests
    that wheel instead (a release build, or one from another checkout).
    """
    house = CACHE / "wheelhouse"
    house.mkdir(parents=True, exist_ok=True)
    given = os.environ.get("ZLIG_TEST_WHEEL")
    given_bytes = Path(given).read_bytes() if given else b""  # it may be in the wheelhouse
    for old in house.glob("zlig-*.whl"):
        old.unlink()
    if given:
        (house / Path(given).name).write_bytes(given_bytes)
    else:
        # Linked by zig for glibc 2.17, as release wheels are (README), so that the suite
        # tests a wheel that installs where its users build.
        env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        run(
            [sys.executable, "-m", "maturin", "build", "--strip", "--zig",
             "--compatibility", "manylinux2014", "-i", sys.executable, "-o", house],
            cwd=ROOT,
            env=env,
        )
    wheels = sorted(house.glob("zlig-*.whl"))
    assert len(wheels) == 1, wheels
    return house


@pytest.fixture(scope="session")
def zlig_wheel(wheelhouse: Path) -> Path:
    return next(wheelhouse.glob("zlig-*.whl"))


@pytest.fixture(scope="session")
def zlig_version(zlig_wheel: Path) -> str:
    return zlig_wheel.name.split("-")[1]


# The numpy each CPython 3.X builds and runs examples/numpy_capi with: no numpy release has
# wheels for every version from 3.9 to 3.15.
NUMPY = {9: "2.0.2", 10: "2.2.6", 11: "2.4.6"}


def build_requirements(minor: int) -> list[str]:
    """What isolated builds of the Cython, numpy and pybind11 examples install on CPython
    3.<minor>, pinned."""
    return ["cython==3.3.1", f"numpy=={NUMPY.get(minor, '2.5.5')}", "pybind11==3.1.0"]


BUILD_REQUIREMENTS = build_requirements(sys.version_info[1])


def download_wheels(house: Path, requirements: list[str], *flags: str) -> Path:
    """`house`, holding the wheels of `requirements` (pip download's `flags` choose another
    interpreter's), downloaded from PyPI the first time (the suite's downloads besides the
    cold and real-world tests), so that frontends with no index find them."""
    stamp = house / "requirements.txt"
    wanted = "\n".join([*requirements, *flags]) + "\n"
    if not (stamp.is_file() and stamp.read_text() == wanted):
        shutil.rmtree(house, ignore_errors=True)
        house.mkdir(parents=True)
        run(
            [sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps", "-d", house,
             *flags, *requirements],
            env=base_env(),
        )
        stamp.write_text(wanted)
    return house


def build_wheels_for(minor: int) -> Path:
    """The build requirements' wheels for CPython 3.<minor> on this machine's arch."""
    if minor == sys.version_info[1]:
        return download_wheels(CACHE / "build-wheels", BUILD_REQUIREMENTS)
    platforms = [f"--platform=manylinux_2_{glibc}_{ARCH}" for glibc in (17, 27, 28)]
    return download_wheels(
        CACHE / f"build-wheels-cp3{minor}",
        build_requirements(minor),
        "--implementation=cp", f"--python-version=3.{minor}", *platforms,
    )


@pytest.fixture(scope="session")
def build_wheels() -> Path:
    """A folder holding the wheels of `BUILD_REQUIREMENTS` for this interpreter."""
    return build_wheels_for(sys.version_info[1])


@pytest.fixture(scope="session")
def tool_wheels(wheelhouse) -> Path:
    """A wheelhouse with zlig, and the `ziglang` and `ninja` wheels a frontend installs
    when zlig asks for them (downloaded from PyPI once, kept in the suite's cache)."""
    house = CACHE / "tool-wheels"
    house.mkdir(parents=True, exist_ok=True)
    if not list(house.glob("ziglang-*.whl")) or not list(house.glob("ninja-*.whl")):
        run([sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps",
             "-d", house, "ziglang==0.17.0", "ninja>=1.10"])
    for old in house.glob("zlig-*.whl"):
        old.unlink()
    for wheel in wheelhouse.glob("zlig-*.whl"):
        (house / wheel.name).write_bytes(wheel.read_bytes())
    return house


@pytest.fixture(scope="session")
def cython_path(build_wheels: Path) -> Path:
    """A folder holding the pinned Cython alone, for `PYTHONPATH`: a hook called in a venv
    without Cython finds it there."""
    target = CACHE / "cython-path"
    if not list(target.glob("cython-*.dist-info")):
        shutil.rmtree(target, ignore_errors=True)
        run(
            [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--find-links", build_wheels,
             "--target", target, BUILD_REQUIREMENTS[0]],
            env=base_env(),
        )
    return target


@pytest.fixture(scope="session")
def zig() -> Path:
    """The `zig` binary of the `ziglang` package installed in the test venv."""
    spec = importlib.util.find_spec("ziglang")
    assert spec is not None, "ziglang is not installed in the test venv (tests/requirements.txt)"
    for location in spec.submodule_search_locations or ():
        candidate = Path(location) / "zig"
        if candidate.is_file():
            return candidate
    raise AssertionError(f"no zig binary in the ziglang package at {spec.origin}")


def base_env() -> dict[str, str]:
    """`os.environ` less what would make builds depend on the machine they run on."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("ZLIG_") or key in {
            "SOURCE_DATE_EPOCH",
            "PIP_FIND_LINKS",
            "PIP_NO_INDEX",
            "PIP_CONSTRAINT",
            "PIP_REQUIRE_VIRTUALENV",
            "PIP_NO_BUILD_ISOLATION",
            "PYTHONPATH",
            "VIRTUAL_ENV",
            "CFLAGS",
            "CPPFLAGS",
            "LDFLAGS",
        }:
            del env[key]
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


@pytest.fixture(scope="session")
def frontend_env(wheelhouse: Path, build_wheels: Path, zig: Path) -> dict[str, str]:
    """The environment of every frontend run: zlig from the wheelhouse, the examples' build
    requirements from `build_wheels`, no index, and the test venv's zig, so that isolated
    builds need nothing from the network.

    zlig's user cache (tools kept from earlier builds; the object cache) is the session's
    own, so that what the machine built before never decides a test's compiles, and kept
    tools do not count as found (ZLIG_REUSE_TOOLS=0), so that what an earlier test kept
    never decides a later one's backend (test_cold.py tests the reuse). zig's global cache
    stays the machine's, warm.

    uv has no environment variable for `--no-index` (there is no UV_NO_INDEX), so the uv
    commands pass `--no-index` themselves.
    """
    user_cache = CACHE / "user-cache"
    shutil.rmtree(user_cache, ignore_errors=True)
    env = fresh_user_cache(base_env(), user_cache)
    env.update(
        ZLIG_REUSE_TOOLS="0",
        # pip splits a list option's environment variable at whitespace.
        PIP_FIND_LINKS=f"{wheelhouse} {build_wheels}",
        PIP_NO_INDEX="1",
        UV_FIND_LINKS=str(wheelhouse),
        ZLIG_ZIG=str(zig),
    )
    return env


@pytest.fixture(scope="session")
def backend_env(frontend_env: dict[str, str]) -> dict[str, str]:
    """The frontend environment plus the test venv's ninja, for tests that call the hooks
    in directly: every backend is usable, and `auto` picks ninja as it does in an isolated
    build (which asks for ninja)."""
    return dict(frontend_env, ZLIG_NINJA=str(BIN / "ninja"))


@pytest.fixture
def compilers(zig: Path, frontend_env, tmp_path):
    """`compilers(backend, after="")`: an environment for `backend` (`ninja`: zig cc; `cc`:
    the platform's cc) whose compiler logs each compile (`… -c SOURCE …`) to a file and then
    runs the shell code `after`, with a user cache (so an object cache) of its own; and the
    log."""
    log = tmp_path / "compiles.log"

    def make(backend: str, after: str = ""):
        real = str(zig) if backend == "ninja" else shutil.which("cc")
        wrapper = tmp_path / f"{backend}-wrapper" / ("zig" if backend == "ninja" else "cc")
        wrapper.parent.mkdir()
        wrapper.write_text(
            "#!/bin/sh\n"
            f'"{real}" "$@"\n'
            "status=$?\n"
            f'case " $* " in *" -c "*) echo "$@" >> {log}; {after or ":"} ;; esac\n'
            "exit $status\n"
        )
        wrapper.chmod(0o755)
        env = fresh_user_cache(frontend_env, tmp_path / "cache")
        env["ZLIG_NINJA"] = str(BIN / "ninja")
        env["ZLIG_ZIG" if backend == "ninja" else "CC"] = str(wrapper)
        return env, log

    return make


@pytest.fixture
def counted(compilers) -> tuple[dict, Path]:
    """The `ninja` backend's environment of `compilers`, with nothing run after a compile."""
    return compilers("ninja")


# ---------------------------------------------------------------------------- projects


def copy_project(name: str, parent: Path, as_name: str | None = None) -> Path:
    """Copies `examples/<name>` to `parent/<as_name or name>`, leaving out anything a build
    left there."""
    target = parent / (as_name or name)
    shutil.copytree(
        EXAMPLES / name,
        target,
        ignore=shutil.ignore_patterns(
            "build", "dist", "__pycache__", "*.so", "*.egg-info", ".zig-cache", "zig-out"
        ),
    )
    return target


@pytest.fixture
def copy_example(tmp_path: Path) -> Callable[..., Path]:
    """`copy_example("demo")` → a fresh copy of examples/demo in this test's tmp dir;
    `copy_example("demo", "demo2")` → another one, beside it."""
    return lambda name, as_name=None: copy_project(name, tmp_path, as_name)


# ---------------------------------------------------------------------------- frontends


@dataclasses.dataclass
class Built:
    """What one frontend run produced."""

    project: Path
    out: Path
    output: str
    returncode: int = 0
    wheel: Path | None = None
    sdist: Path | None = None


def collect(project: Path, out: Path, proc) -> Built:
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    assert len(wheels) <= 1 and len(sdists) <= 1, (wheels, sdists)
    return Built(
        project=project,
        out=out,
        output=proc.stdout,
        returncode=proc.returncode,
        wheel=wheels[0] if wheels else None,
        sdist=sdists[0] if sdists else None,
    )


class Frontend:
    """pip, build and uv, each run the way a user would, with the suite's environment."""

    def __init__(self, env: dict[str, str], wheelhouse: Path, build_wheels: Path):
        self.env = env
        self.wheelhouse = wheelhouse
        self.build_wheels = build_wheels

    def pip_wheel(self, project: Path, out: Path, *args: str, env=None, check=True) -> Built:
        """`pip wheel --no-deps` (isolated: prepare_metadata, then build_wheel)."""
        out.mkdir(parents=True, exist_ok=True)
        proc = run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, *args, project],
            env=env or self.env,
            check=check,
        )
        return collect(project, out, proc)

    def pip_install(self, project: Path, python: Path, *args: str):
        """`pip install --no-deps project` into the venv of `python` (pip's `--python`)."""
        return run(
            [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", *args, project],
            env=self.env,
        )

    def build(self, project: Path, out: Path, *args: str) -> Built:
        """`python -m build`: the sdist, then the wheel from that sdist."""
        proc = run([sys.executable, "-m", "build", "-o", out, *args, project], env=self.env)
        return collect(project, out, proc)

    def uv_build(self, project: Path, out: Path, *args: str) -> Built:
        """`uv build`: the sdist, then the wheel from that sdist."""
        proc = run(
            [
                BIN / "uv", "build",
                "--no-index", "--find-links", self.wheelhouse, "--find-links", self.build_wheels,
                # zlig's wheel is rebuilt each session under the same name: never reuse
                # the one uv cached last time.
                "--refresh",
                "--python", sys.executable,
                "-o", out,
                *args,
                project,
            ],
            env=self.env,
        )
        return collect(project, out, proc)


@pytest.fixture(scope="session")
def frontend(frontend_env: dict[str, str], wheelhouse: Path, build_wheels: Path) -> Frontend:
    return Frontend(frontend_env, wheelhouse, build_wheels)


# ---------------------------------------------------------------------------- venvs


class Venv:
    """A fresh venv made by uv from the test interpreter; it has no pip."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.path = path
        self.python = path / "bin" / "python"
        self.env = env

    def install(self, *wheels: Path) -> None:
        run(
            [
                BIN / "uv", "pip", "install",
                "--python", self.python,
                "--no-index", "--no-deps", "--refresh",
                *wheels,
            ],
            env=self.env,
        )

    def run(self, code: str, *args: str, cwd: Path | None = None, env=None) -> str:
        """Runs `python -c code args...` in the venv; returns its output, stripped."""
        return self.call(code, *args, cwd=cwd, env=env, check=True).stdout.strip()

    def call(self, code: str, *args: str, cwd=None, env=None, check=False):
        """Runs `python -c code args...` in the venv; returns the CompletedProcess."""
        return run([self.python, "-c", code, *args], cwd=cwd, env=env or self.env, check=check)

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name


class Venvs:
    def __init__(self, factory: pytest.TempPathFactory, env: dict[str, str]):
        self.factory = factory
        self.env = env

    def create(self, name: str = "venv") -> Venv:
        path = self.factory.mktemp(name) / ".venv"
        run([BIN / "uv", "venv", "--quiet", "--python", sys.executable, path], env=self.env)
        return Venv(path, self.env)

    def with_wheels(self, *wheels: Path, name: str = "venv") -> Venv:
        venv = self.create(name)
        venv.install(*wheels)
        return venv


@pytest.fixture(scope="session")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Venvs:
    return Venvs(tmp_path_factory, base_env())


@pytest.fixture(scope="session")
def zlig_venv(venvs: Venvs, zlig_wheel: Path) -> Venv:
    """A venv with zlig installed and no ziglang, to call the hooks in directly."""
    return venvs.with_wheels(zlig_wheel, name="zlig-venv")


@pytest.fixture(scope="session")
def plugin_venv(venvs: Venvs, zlig_wheel: Path, zlig_venv: Venv, frontend_env, tmp_path_factory) -> Venv:
    """A venv with zlig and the test plugin `zlig-script-backend` (built by zlig itself)."""
    out = tmp_path_factory.mktemp("plugin-wheel")
    plugin = Path(__file__).parent / "plugins" / "zlig_script_backend"
    code = "import sys, zlig; print(zlig.build_wheel(sys.argv[1]))"
    built = zlig_venv.call(code, str(out), cwd=plugin, env=frontend_env, check=True)
    wheel = out / built.stdout.strip().splitlines()[-1]
    return venvs.with_wheels(zlig_wheel, wheel, name="plugin-venv")


# ---------------------------------------------------------------------------- builds


@pytest.fixture(scope="session")
def demo_pip_wheel(frontend: Frontend, tmp_path_factory) -> Built:
    """examples/demo through `pip wheel` (isolated; prepare_metadata, then build_wheel)."""
    tmp = tmp_path_factory.mktemp("demo-pip")
    return frontend.pip_wheel(copy_project("demo", tmp), tmp / "out")


@pytest.fixture(scope="session")
def demo_build(frontend: Frontend, tmp_path_factory) -> Built:
    """examples/demo through `python -m build` (sdist, then the wheel from the sdist)."""
    tmp = tmp_path_factory.mktemp("demo-build")
    return frontend.build(copy_project("demo", tmp), tmp / "out")


@pytest.fixture(scope="session")
def demo_uv_build(frontend: Frontend, tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("demo-uv")
    return frontend.uv_build(copy_project("demo", tmp), tmp / "out")


@pytest.fixture(scope="session")
def multi_build(frontend: Frontend, tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("multi-build")
    return frontend.build(copy_project("multi", tmp), tmp / "out")


@pytest.fixture(scope="session")
def pure_uv_build(frontend: Frontend, tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("pure-uv")
    return frontend.uv_build(copy_project("pure", tmp), tmp / "out")


@pytest.fixture(scope="session")
def seed_build(frontend: Frontend, tmp_path_factory) -> Built:
    """examples/flitcompat through `python -m build`, with a stale in-place module beside
    its sources that `[tool.flit.sdist] exclude` must keep out of the sdist."""
    tmp = tmp_path_factory.mktemp("seed-build")
    project = copy_project("flitcompat", tmp)
    (project / STALE_SEED_MODULE).write_bytes(b"not an ELF file: a stale in-place build")
    return frontend.build(project, tmp / "out")


