#!/usr/bin/env python3
"""Builds real projects from their PyPI sdists with zlig and runs their own test suites.

    python tests/realworld/run.py                      all projects
    python tests/realworld/run.py markupsafe ujson     some of them
    python tests/realworld/run.py --help               options

For each project (see PROJECTS below and the <project>.toml beside this file):

1. `pip download --no-deps --no-binary :all:` its pinned sdist; check the pinned sha256.
2. Unpack it; splice <project>.toml into its pyproject.toml (zlig as the build backend,
   static [project], [tool.zlig]); delete setup.py.
3. `pip wheel --no-deps` it, an isolated build as a user would run it, with zlig coming
   only from a wheel built from this repository (PIP_NO_INDEX, PIP_FIND_LINKS) and zig
   0.17 from PyPI's ziglang (ZLIG_ZIG).
4. Check the wheel: made by zlig, holds the compiled module, metadata agrees with the
   sdist's PKG-INFO.
5. Install the wheel into a fresh venv with pytest; prove that the compiled module in the
   venv's site-packages is the wheel's, and that the package uses it.
6. Run the project's own tests from a copy outside the source tree; a pytest plugin records
   where every module of the project was imported from, and each must be the venv's.

Standard library only; everything else runs in subprocesses. Outputs go to --work
(default: <repo>/build/realworld, which git ignores); logs of each step are kept there.
Exit status 0 when every selected project passed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import time
import xml.etree.ElementTree as ET
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

# Tools of the harness itself, installed into <work>/tools.
TOOLS = ["maturin>=1.9,<2", "ziglang==0.17.0"]
# What isolated builds may install besides zlig: the Cython that zlig's
# get_requires_for_build_wheel asks for when the machine keeps none. Downloaded once into
# <work>/build-wheels, which the builds see beside the zlig wheel.
BUILD_WHEELS = ["cython==3.3.1"]
# What every test venv gets besides the project's wheel.
TEST_REQUIREMENTS = ["pytest==9.2.0"]


@dataclasses.dataclass
class Project:
    name: str
    """The PyPI name, as given to pip."""
    version: str
    sha256: str
    """Of the sdist file, computed once when the project was added."""
    extensions: list[str]
    """Wheel paths of the compiled modules, without EXT_SUFFIX."""
    tests: list[str]
    """Paths copied from the unpacked sdist into the test folder, keeping their place."""
    pytest_args: list[str]
    modules: list[str]
    """Top-level modules of the project: the plugin checks where each was imported from."""
    proof: str
    """Python run in the test venv (isolated mode, empty cwd) before the tests; see PRELUDE."""
    forbidden_skips: str | None = None
    """A regex: a test skipped with a matching reason fails the project."""
    compiled_tests: str | None = None
    """A regex on test ids: those that exercise the compiled module; some must pass."""

    @property
    def config(self) -> Path:
        return HERE / f"{self.key}.toml"

    @property
    def key(self) -> str:
        return self.name.lower()


# Run in the test venv before each proof: `installed(module, path)` checks that a module was
# loaded from `path` under the venv's site-packages, and `report` collects what is printed.
PRELUDE = r'''
import importlib, json, os, sys, sysconfig
SITE = os.path.realpath(sysconfig.get_paths()["platlib"])
EXT = sysconfig.get_config_var("EXT_SUFFIX")
report = {"files": {}, "facts": []}
def installed(name, path):
    module = importlib.import_module(name)
    actual = os.path.realpath(module.__file__)
    expected = os.path.join(SITE, path)
    assert actual == expected, f"{name} was loaded from {actual}, not {expected}"
    report["files"][name] = actual
    return module
def fact(text, ok):
    assert ok, text
    report["facts"].append(text)
'''

PROJECTS = {
    p.key: p
    for p in [
        Project(
            name="markupsafe",
            version="3.0.4",
            sha256="2e9ad7dd851bf45fab9f75cbff4cb493fee9979e8d8c7c9c3ee119022518edd6",
            extensions=["markupsafe/_speedups"],
            tests=["tests", "pyproject.toml"],  # pyproject.toml: filterwarnings = error
            pytest_args=["tests"],
            modules=["markupsafe"],
            # conftest.py runs every test twice, with _native and with _speedups; the
            # _speedups half is skipped with this reason when the module does not import.
            forbidden_skips="speedups unavailable",
            compiled_tests=r"\[markupsafe\._speedups",
            proof=r'''
markupsafe = installed("markupsafe", "markupsafe/__init__.py")
speedups = installed("markupsafe._speedups", "markupsafe/_speedups" + EXT)
fact("markupsafe._escape_inner is markupsafe._speedups._escape_inner",
     markupsafe._escape_inner is speedups._escape_inner)
fact("escape('<a href=\"x\">&') is the escaped Markup",
     markupsafe.escape('<a href="x">&') == "&lt;a href=&#34;x&#34;&gt;&amp;")
''',
        ),
        Project(
            name="brotli",
            version="1.2.1",
            sha256="02b2f7b5a83485efe448a44ddf7983def05c3bb1dcf917d4f7154070260e13de",
            extensions=["_brotli"],
            # _test_utils.py finds the data in <root>/tests/testdata and runs
            # <root>/python/bro.py, <root> being two folders above itself; the copy keeps
            # that layout, without python/brotli.py next to bro.py.
            tests=["python/tests", "python/bro.py", "tests/testdata"],
            pytest_args=["python/tests"],
            modules=["brotli", "_brotli"],
            proof=r'''
_brotli = installed("_brotli", "_brotli" + EXT)
brotli = installed("brotli", "brotli.py")
fact("brotli.Compressor is _brotli.Compressor", brotli.Compressor is _brotli.Compressor)
data = bytes(range(256)) * 1000 + b"zlig" * 5000
packed = brotli.compress(data, quality=11)
fact(f"brotli.compress: {len(data)} -> {len(packed)} bytes, decompress roundtrips",
     len(packed) < len(data) // 10 and brotli.decompress(packed) == data)
fact("_brotli.decompress of a known stream (b'\\x0b\\x02\\x80hello\\x03') is b'hello'",
     _brotli.decompress(b"\x0b\x02\x80hello\x03") == b"hello")
''',
        ),
        Project(
            name="msgpack",
            version="1.2.4",
            sha256="475c44e12f2a5de766a8448783f149c9b33f3f49b88953c6cd739a77d93c732c",
            extensions=["msgpack/_cmsgpack"],
            tests=["test"],
            pytest_args=["test"],
            modules=["msgpack"],
            proof=r'''
msgpack = installed("msgpack", "msgpack/__init__.py")
cmsgpack = installed("msgpack._cmsgpack", "msgpack/_cmsgpack" + EXT)
fact("msgpack.Packer is msgpack._cmsgpack.Packer (Cython's, not the fallback)",
     msgpack.Packer is cmsgpack.Packer and msgpack.unpackb is cmsgpack.unpackb)
data = {"a": [1, 2.5, None, True], "b": b"\x00\xff", "c": "zlig"}
fact("packb/unpackb roundtrip a nested object", msgpack.unpackb(msgpack.packb(data)) == data)
''',
        ),
        Project(
            name="frozenlist",
            version="1.8.0",
            sha256="3ede829ed8d842f6cd48fc7081d7a41001a56f1f38603f9d49bf3020d59a31ad",
            extensions=["frozenlist/_frozenlist"],
            # Not the sdist's pytest.ini: it loads pytest-cov, which the tests do not need.
            tests=["tests"],
            pytest_args=["tests"],
            modules=["frozenlist"],
            # TestFrozenList runs against frozenlist.FrozenList (the compiled one);
            # TestFrozenListPy against the pure-Python one.
            compiled_tests=r"\.TestFrozenList::",
            proof=r'''
frozenlist = installed("frozenlist", "frozenlist/__init__.py")
compiled = installed("frozenlist._frozenlist", "frozenlist/_frozenlist" + EXT)
fact("frozenlist.FrozenList is frozenlist._frozenlist.FrozenList (C++, libcpp.atomic)",
     frozenlist.FrozenList is compiled.FrozenList)
items = frozenlist.FrozenList([1, 2])
items.append(3)
items.freeze()
fact("a frozen FrozenList hashes and refuses changes", hash(items) == hash((1, 2, 3)))
fact("embedsignature: FrozenList.insert's docstring starts with its signature",
     (compiled.FrozenList.insert.__doc__ or "").startswith("FrozenList.insert(self, pos, item)"))
''',
        ),
        Project(
            name="propcache",
            version="0.5.4",
            sha256="ff6b113f50bc066a698db5d944d2c6dc7507168dd3341e255a8892fd0715a558",
            extensions=["propcache/_helpers_c"],
            tests=["tests"],
            # test_pep517_backend.py tests the in-tree setuptools backend that zlig
            # replaces (it imports it from packaging/); the others test propcache.
            pytest_args=["tests", "--ignore=tests/test_pep517_backend.py"],
            modules=["propcache"],
            # conftest.py runs each test against the C extension ("c-extension-module")
            # and against the pure-Python module.
            compiled_tests=r"c-extension-module",
            proof=r'''
helpers = installed("propcache._helpers", "propcache/_helpers.py")
compiled = installed("propcache._helpers_c", "propcache/_helpers_c" + EXT)
fact("propcache's cached_property is the compiled one",
     helpers.cached_property is compiled.cached_property)
class Thing:
    calls = 0
    @helpers.cached_property
    def value(self):
        Thing.calls += 1
        return 42
thing = Thing()
fact("a cached_property is computed once", (thing.value, thing.value, Thing.calls) == (42, 42, 1))
''',
        ),
        Project(
            name="ujson",
            version="6.1.0",
            sha256="aef7ea4cd9e2e9f8a35c4538a9780d58c80d76c5da66a8dad269b4cc6d930c29",
            extensions=["ujson"],
            tests=["tests", "pyproject.toml"],  # pyproject.toml: [tool.pytest] markers
            pytest_args=["tests"],
            modules=["ujson"],
            proof=r'''
ujson = installed("ujson", "ujson" + EXT)
fact("ujson.__version__ == '6.1.0' (the UJSON_VERSION macro)", ujson.__version__ == "6.1.0")
# Doubles go through the C++ double-conversion library, both ways.
fact("ujson.dumps([0.1, 1e300, -2.5]) == '[0.1,1e+300,-2.5]'",
     ujson.dumps([0.1, 1e300, -2.5]) == "[0.1,1e+300,-2.5]")
fact("ujson.loads('[0.1,1e+300]') == [0.1, 1e300]", ujson.loads("[0.1,1e+300]") == [0.1, 1e300])
fact("ujson-stubs/__init__.pyi is installed",
     os.path.isfile(os.path.join(SITE, "ujson-stubs", "__init__.pyi")))
''',
        ),
    ]
}

# Loaded by pytest in the test venv (-p): records where the project's modules came from,
# once the tests are collected (the test modules have imported them) and at the end.
PROBE = r'''
import json, os, sys

def _record():
    names = os.environ["ZLIG_REALWORLD_MODULES"].split(",")
    out = os.environ["ZLIG_REALWORLD_PROBE"]
    seen = {}
    if os.path.exists(out):
        with open(out) as f:
            seen = json.load(f)
    for key, module in list(sys.modules.items()):
        if key.split(".")[0] in names:
            seen.setdefault(key, [])
            file = getattr(module, "__file__", None)
            file = os.path.realpath(file) if file else None
            if file not in seen[key]:
                seen[key].append(file)
    with open(out, "w") as f:
        json.dump(seen, f, indent=1, sort_keys=True)

def pytest_collection_finish(session):
    _record()

def pytest_sessionfinish(session, exitstatus):
    _record()
'''

# Tables that the splice drops from every sdist's pyproject.toml besides those it defines.
ALWAYS_DROPPED = [("tool", "setuptools"), ("tool", "setuptools_scm")]


class Failure(Exception):
    """A step failed; the message says which and why."""


# ------------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(message, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without what would let the machine decide what is built or installed."""
    env = dict(os.environ)
    for key in list(env):
        if (
            key.startswith(("ZLIG_", "PYTEST_", "PYTHON"))
            or key
            in {
                "PIP_FIND_LINKS",
                "PIP_NO_INDEX",
                "PIP_INDEX_URL",
                "PIP_EXTRA_INDEX_URL",
                "PIP_CONSTRAINT",
                "PIP_REQUIRE_VIRTUALENV",
                "PIP_NO_BUILD_ISOLATION",
                "PIP_USER",
                "PIP_TARGET",
                "PIP_PREFIX",
                "VIRTUAL_ENV",
                "CFLAGS",
                "CPPFLAGS",
                "CXXFLAGS",
                "LDFLAGS",
                "CC",
                "CXX",
            }
        ):
            del env[key]
    env.update(extra)
    return env


def run(cmd: list[Any], logfile: Path, *, cwd: Path | None = None, env=None, check=True):
    """Runs `cmd`, its output going to `logfile`; on failure raises with the log's tail."""
    cmd = [str(c) for c in cmd]
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "a") as out:
        out.write(f"$ {' '.join(cmd)}\n  (cwd {cwd or os.getcwd()})\n")
        out.flush()
        proc = subprocess.run(
            cmd, cwd=cwd, env=env or clean_env(), stdout=out, stderr=subprocess.STDOUT, check=False
        )
        out.write(f"[exit status {proc.returncode}]\n\n")
    if check and proc.returncode != 0:
        tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-40:])
        raise Failure(
            f"`{' '.join(cmd[:4])} ...` exited with {proc.returncode}; see {logfile}:\n"
            + textwrap.indent(tail, "    | ")
        )
    return proc.returncode


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


# ------------------------------------------------------------------------- the toolchain


@dataclasses.dataclass
class Toolchain:
    python: Path
    """The tools venv's interpreter: it runs pip for downloads and wheel builds."""
    zig: Path
    wheelhouse: Path
    """A folder holding exactly one wheel: zlig's."""
    zlig_wheel: Path
    build_wheels: Path
    """The wheels of BUILD_WHEELS."""


def prepare(work: Path, zig: Path | None, rebuild: bool) -> Toolchain:
    tools = work / "tools"
    python = venv_python(tools)
    stamp = tools / "requirements.txt"
    logs = work / "logs"
    if not (python.exists() and stamp.exists() and stamp.read_text() == "\n".join(TOOLS)):
        log(f"tools: creating {tools} with {', '.join(TOOLS)}")
        if tools.exists():
            shutil.rmtree(tools)
        run([sys.executable, "-m", "venv", tools], logs / "tools.log")
        run([python, "-m", "pip", "install", *TOOLS], logs / "tools.log")
        stamp.write_text("\n".join(TOOLS))

    if zig is None:
        found = subprocess.run(
            [python, "-c", "import ziglang, os; print(os.path.dirname(ziglang.__file__))"],
            capture_output=True,
            text=True,
            check=True,
            env=clean_env(),
        )
        zig = Path(found.stdout.strip()) / "zig"
    if not zig.is_file():
        raise Failure(f"no zig at {zig}")
    version = subprocess.run([zig, "version"], capture_output=True, text=True, check=False).stdout.strip()
    if not version.startswith("0.17."):
        raise Failure(f"{zig} is zig {version or '?'}, zlig needs 0.17")

    wheelhouse = work / "wheelhouse"
    wheels = sorted(wheelhouse.glob("zlig-*.whl"))
    if rebuild or len(wheels) != 1:
        log(f"zlig: building the wheel from {ROOT} with maturin")
        # Into a new folder, which replaces the wheelhouse only once the build succeeded.
        staging = fresh(work / "wheelhouse.new")
        started = time.monotonic()
        run(
            [python, "-m", "maturin", "build", "--strip", "-i", python, "-o", staging],
            logs / "zlig-wheel.log",
            cwd=ROOT,
        )
        log(f"zlig: built in {time.monotonic() - started:.0f} s")
        wheels = sorted(staging.glob("zlig-*.whl"))
        if len(wheels) != 1:
            raise Failure(f"expected one zlig wheel in {staging}, found {wheels}")
        if wheelhouse.exists():
            shutil.rmtree(wheelhouse)
        staging.rename(wheelhouse)
        wheels = sorted(wheelhouse.glob("zlig-*.whl"))
    build_wheels = work / "build-wheels"
    stamp = build_wheels / "requirements.txt"
    if not (stamp.exists() and stamp.read_text() == "\n".join(BUILD_WHEELS)):
        log(f"build wheels: downloading {', '.join(BUILD_WHEELS)}")
        fresh(build_wheels)
        run([python, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps",
             "-d", build_wheels, *BUILD_WHEELS], logs / "build-wheels.log")
        stamp.write_text("\n".join(BUILD_WHEELS))
    log(f"zlig: {wheels[0].name}; zig {version}: {zig}")
    return Toolchain(python=python, zig=zig, wheelhouse=wheelhouse, zlig_wheel=wheels[0],
                     build_wheels=build_wheels)


# ------------------------------------------------------------------------------ the steps


def fetch(project: Project, tc: Toolchain, work: Path, logs: Path) -> Path:
    """The sdist, downloaded once into <work>/sdists and checked against its pin."""
    sdists = work / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    pattern = f"{project.name}-{project.version}.tar.gz"
    found = [p for p in sdists.iterdir() if p.name.lower() == pattern.lower()]
    if not found:
        run(
            [tc.python, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"{project.name}=={project.version}", "-d", sdists],
            logs / "download.log",
        )
        found = [p for p in sdists.iterdir() if p.name.lower() == pattern.lower()]
        if not found:
            raise Failure(f"pip download left no {pattern} in {sdists}")
    sdist = found[0]
    digest = sha256(sdist)
    if digest != project.sha256:
        raise Failure(f"{sdist}: sha256 is {digest}, pinned {project.sha256}")
    return sdist


def unpack(sdist: Path, dest: Path) -> Path:
    fresh(dest)
    with tarfile.open(sdist) as tar:
        tops = {Path(m.name).parts[0] for m in tar.getmembers()}
        if len(tops) != 1:
            raise Failure(f"{sdist} has {len(tops)} top-level entries, expected one folder")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tar.extractall(dest)
    return dest / tops.pop()


HEADER = re.compile(r"^\[\[?\s*(?P<key>[^\[\]#]+?)\s*\]\]?\s*(#.*)?$")


def key_path(text: str) -> tuple[str, ...]:
    """`tool.zlig`, `"tool". zlig` -> ("tool", "zlig"); enough for table headers."""
    parts = re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.\s]+', text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def splice(original: str, config: str) -> tuple[str, list[tuple[str, ...]]]:
    """The sdist's pyproject.toml with the tables `config` defines (and ALWAYS_DROPPED)
    taken out and `config` appended; returns the text and the dropped key paths."""
    defined = tomllib.loads(config)
    replaced = [("build-system",), ("project",), ("tool", "zlig")]
    replaced = [path for path in replaced if _get(defined, path) is not None]
    replaced += ALWAYS_DROPPED
    kept, dropping = [], False
    for line in original.splitlines():
        header = HEADER.match(line)  # only at column 0: table headers, not array values
        if header:
            path = key_path(header["key"])
            dropping = any(path[: len(r)] == r for r in replaced)
        if not dropping:
            kept.append(line)
    text = "\n".join(kept).rstrip() + "\n\n" + config.strip() + "\n"

    # The line-based cut must equal the table-level edit, or it cut something else.
    expected = tomllib.loads(original)
    for path in replaced:
        parent = _get(expected, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    _merge(expected, defined)
    if tomllib.loads(text) != expected:
        raise Failure("splicing the config into pyproject.toml went wrong (a table outside "
                      "the replaced ones changed)")
    return text, replaced


def _get(table: dict, path: tuple[str, ...]):
    for part in path:
        if not isinstance(table, dict) or part not in table:
            return None
        table = table[part]
    return table


def _merge(into: dict, new: dict) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def rewrite(project: Project, tree: Path, keep: Path) -> None:
    pyproject = tree / "pyproject.toml"
    original = pyproject.read_text() if pyproject.exists() else ""
    keep.write_text(original)
    text, _ = splice(original, project.config.read_text())
    pyproject.write_text(text)
    data = tomllib.loads(text)
    meta = data.get("project", {})
    problems = []
    if data.get("build-system") != {"requires": ["zlig>=0.1"], "build-backend": "zlig"}:
        problems.append(f"[build-system] is {data.get('build-system')}")
    if meta.get("name", "").lower() != project.name.lower():
        problems.append(f"project.name is {meta.get('name')!r}")
    if meta.get("version") != project.version:
        problems.append(f"project.version is {meta.get('version')!r}")
    if meta.get("dynamic"):
        problems.append(f"project.dynamic is {meta['dynamic']} (static metadata expected)")
    if problems:
        raise Failure(f"{pyproject}: " + "; ".join(problems))
    for name in ["setup.py"]:
        (tree / name).unlink(missing_ok=True)


def build(project: Project, tc: Toolchain, tree: Path, out: Path, logs: Path,
          optimize: str | None) -> Path:
    fresh(out)
    settings = ["--config-settings", f"optimize={optimize}"] if optimize else []
    env = clean_env(
        # pip splits a list option's environment variable at whitespace.
        PIP_FIND_LINKS=f"{tc.wheelhouse} {tc.build_wheels}",
        PIP_NO_INDEX="1",  # zlig must come from the wheelhouse, never from an index
        ZLIG_ZIG=str(tc.zig),
    )
    run([tc.python, "-m", "pip", "wheel", "--no-deps", "-v", *settings, "-w", out, tree],
        logs / "build.log", env=env)
    wheels = list(out.glob("*.whl"))
    if len(wheels) != 1:
        raise Failure(f"expected one wheel in {out}, found {[w.name for w in wheels]}")
    return wheels[0]


def check_wheel(project: Project, wheel: Path, tree: Path, tc: Toolchain) -> dict[str, Any]:
    """What the wheel must be; returns facts for the report, with the modules' hashes."""
    zlig_version = tc.zlig_wheel.name.split("-")[1]
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/WHEEL"))
        wheel_meta = HeaderParser().parsestr(z.read(f"{dist_info}/WHEEL").decode())
        metadata = HeaderParser().parsestr(z.read(f"{dist_info}/METADATA").decode())
        modules = {}
        for ext in project.extensions:
            member = ext + EXT_SUFFIX
            if member not in names:
                raise Failure(f"{wheel.name} lacks {member}; it has {names}")
            modules[member] = hashlib.sha256(z.read(member)).hexdigest()
    if wheel_meta["Generator"] != f"zlig {zlig_version}":
        raise Failure(f"{wheel.name} was made by {wheel_meta['Generator']!r}, not zlig {zlig_version}")
    if wheel_meta["Root-Is-Purelib"] != "false":
        raise Failure(f"{wheel.name}: Root-Is-Purelib is {wheel_meta['Root-Is-Purelib']}")
    sources = [n for n in names if n.endswith((".c", ".cc", ".cpp", ".h", ".pyx"))]
    if sources:
        raise Failure(f"{wheel.name} ships sources: {sources}")

    # The metadata zlig wrote must say what setuptools' PKG-INFO in the sdist says.
    pkg_info = HeaderParser().parsestr((tree / "PKG-INFO").read_text())
    for field in ["Name", "Version", "Requires-Python", "Summary", "License-Expression"]:
        if field == "License-Expression" and pkg_info[field] is None:
            field = "License"  # legacy in PKG-INFO (brotli): the expression must match it
            if pkg_info[field] != metadata["License-Expression"]:
                raise Failure(f"METADATA License-Expression is "
                              f"{metadata['License-Expression']!r}, PKG-INFO's License is "
                              f"{pkg_info[field]!r}")
        elif pkg_info[field] != metadata[field]:
            raise Failure(f"METADATA {field} is {metadata[field]!r}, "
                          f"the sdist's PKG-INFO says {pkg_info[field]!r}")
    for field in ["Requires-Dist", "Provides-Extra", "Classifier"]:
        ours, theirs = sorted(metadata.get_all(field) or []), sorted(pkg_info.get_all(field) or [])
        if ours != theirs:
            raise Failure(f"METADATA {field}: {ours} != PKG-INFO's {theirs}")
    return {"wheel": wheel.name, "tag": wheel_meta["Tag"], "files": len(names),
            "modules": modules}


def install(project: Project, wheel: Path, venv: Path, logs: Path) -> Path:
    if venv.exists():
        shutil.rmtree(venv)
    run([sys.executable, "-m", "venv", venv], logs / "install.log")
    python = venv_python(venv)
    run([python, "-m", "pip", "install", wheel, *TEST_REQUIREMENTS], logs / "install.log")
    return python


def prove(project: Project, python: Path, wheel_facts: dict, base: Path, logs: Path) -> dict:
    empty = fresh(base / "empty")
    code = PRELUDE + project.proof + "\nprint('REPORT ' + json.dumps(report))\n"
    (logs / "proof.py").write_text(code)
    run([python, "-I", logs / "proof.py"], logs / "proof.log", cwd=empty)
    line = [l for l in (logs / "proof.log").read_text().splitlines() if l.startswith("REPORT ")]
    report = json.loads(line[-1][len("REPORT "):])
    # The module the venv loads is, byte for byte, the one in the wheel.
    for member, digest in wheel_facts["modules"].items():
        installed = Path(next(f for f in report["files"].values() if f.endswith(member)))
        if sha256(installed) != digest:
            raise Failure(f"{installed} differs from the wheel's {member}")
    return report


def test(project: Project, python: Path, tree: Path, base: Path, logs: Path) -> dict:
    testrun = fresh(base / "testrun")
    for rel in project.tests:
        src, dst = tree / rel, testrun / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)
    if not any((testrun / name).exists() for name in ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")):
        # Without a configuration file of its own, pytest would take the first one above
        # the folder: this repository's, with its --strict-markers and test paths.
        (testrun / "pytest.ini").write_text("# Written by zlig's harness: the project's tests bring no pytest configuration.\n[pytest]\n")
    probe_dir = fresh(base / "probe")
    (probe_dir / "zlig_realworld_probe.py").write_text(PROBE)
    probe_out, junit = base / "probe.json", base / "junit.xml"
    probe_out.unlink(missing_ok=True)
    junit.unlink(missing_ok=True)
    env = clean_env(
        PYTHONPATH=str(probe_dir),
        PYTHONDONTWRITEBYTECODE="1",
        ZLIG_REALWORLD_PROBE=str(probe_out),
        ZLIG_REALWORLD_MODULES=",".join(project.modules),
    )
    status = run(
        [python.parent / "pytest", "-p", "zlig_realworld_probe", "-p", "no:cacheprovider",
         "--rootdir", testrun, "--junitxml", junit, "-ra", *project.pytest_args],
        logs / "pytest.log", cwd=testrun, env=env, check=False,
    )
    if not junit.exists():
        raise Failure(f"pytest exited with {status} and wrote no report; see {logs / 'pytest.log'}")

    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    # junit counts an xfail as a skip; tell them apart (type="pytest.xfail").
    counts["xfailed"] = 0
    skips, failed, compiled = {}, [], 0
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        for skip in case.findall("skipped"):
            if skip.get("type") == "pytest.xfail":
                counts["xfailed"] += 1
                counts["skipped"] -= 1
                continue
            reason = skip.get("message", "")
            skips[reason] = skips.get(reason, 0) + 1
        outcome = [e.tag for e in case if e.tag in ("failure", "error", "skipped")]
        if "failure" in outcome or "error" in outcome:
            failed.append(name)
        elif project.compiled_tests and not outcome and re.search(project.compiled_tests, name):
            compiled += 1
    counts["passed"] = (counts["tests"] - counts["failures"] - counts["errors"]
                        - counts["skipped"] - counts["xfailed"])
    result = {**counts, "exit_status": status, "skip_reasons": skips, "failed": failed}
    if project.compiled_tests:
        result["compiled_passed"] = compiled

    # Every module of the project that the tests imported came from the venv.
    site = python.parent.parent.resolve()
    imported = json.loads(probe_out.read_text()) if probe_out.exists() else {}
    outside = {k: v for k, v in imported.items()
               if any(f is not None and not Path(f).is_relative_to(site) for f in v)}
    result["imported"] = imported
    problems = []
    if outside:
        problems.append(f"modules imported from outside the venv: {outside}")
    for ext in project.extensions:
        module = ext.replace("/", ".")
        if not any(f and f.endswith(ext + EXT_SUFFIX) for f in imported.get(module, [])):
            problems.append(f"the tests never imported the compiled {module}")
    if project.forbidden_skips:
        bad = {r: n for r, n in skips.items() if re.search(project.forbidden_skips, r)}
        if bad:
            problems.append(f"tests skipped for a forbidden reason: {bad}")
    if status != 0 or counts["failures"] or counts["errors"]:
        problems.append(f"pytest exited with {status}: {counts['failures']} failed, "
                        f"{counts['errors']} errors: {failed[:10]}")
    if counts["passed"] == 0:
        problems.append("no test passed")
    if project.compiled_tests and compiled == 0:
        problems.append(f"no test matching {project.compiled_tests} passed")
    result["problems"] = problems
    return result


# ------------------------------------------------------------------------------- driving


def run_project(project: Project, tc: Toolchain, work: Path,
                optimize: str | None = None) -> dict[str, Any]:
    base = work / project.key
    logs = fresh(base / "logs")
    result: dict[str, Any] = {"project": project.key, "version": project.version, "ok": False}
    times = result["seconds"] = {}
    started = time.monotonic()
    step = "download"

    def timed(name, fn, *args):
        nonlocal step
        step = name
        t0 = time.monotonic()
        value = fn(*args)
        times[name] = round(time.monotonic() - t0, 1)
        return value

    try:
        sdist = timed("download", fetch, project, tc, work, logs)
        log(f"{project.key}: {sdist.name} sha256 {project.sha256[:16]}... ok")
        tree = timed("unpack", unpack, sdist, base / "src")
        timed("rewrite", rewrite, project, tree, logs / "pyproject.orig.toml")
        log(f"{project.key}: building the wheel (log: {logs / 'build.log'})")
        wheel = timed("build", build, project, tc, tree, base / "dist", logs, optimize)
        result["wheel"] = timed("check", check_wheel, project, wheel, tree, tc)
        log(f"{project.key}: built {wheel.name} in {times['build']} s")
        python = timed("install", install, project, wheel, base / "venv", logs)
        result["proof"] = timed("proof", prove, project, python, result["wheel"], base, logs)
        for text in result["proof"]["facts"]:
            log(f"{project.key}: proof: {text}")
        log(f"{project.key}: running its tests (log: {logs / 'pytest.log'})")
        tests = result["tests"] = timed("test", test, project, python, tree, base, logs)
        log(f"{project.key}: {tests['passed']} passed, {tests['failures']} failed, "
            f"{tests['errors']} errors, {tests['skipped']} skipped, {tests['xfailed']} xfailed "
            f"in {times['test']} s")
        if "compiled_passed" in tests:
            log(f"{project.key}:   of which {tests['compiled_passed']} passed against the "
                f"compiled module ({project.compiled_tests})")
        for reason, n in tests["skip_reasons"].items():
            log(f"{project.key}:   skipped {n}x: {reason}")
        if tests["problems"]:
            raise Failure("; ".join(tests["problems"]))
        result["ok"] = True
    except Failure as failure:
        result["error"] = f"{step}: {failure}"
        log(f"{project.key}: FAILED at {step}: {failure}")
    except subprocess.SubprocessError as error:  # pragma: no cover
        result["error"] = f"{step}: {error}"
        log(f"{project.key}: FAILED at {step}: {error}")
    times["total"] = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("projects", nargs="*", metavar="PROJECT",
                        help=f"any of {', '.join(PROJECTS)} (default: all)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "realworld",
                        help="where everything is downloaded, built and logged "
                             "(default: %(default)s)")
    parser.add_argument("--zig", type=Path,
                        help="a zig 0.17 binary (default: the tools venv's ziglang)")
    parser.add_argument("--no-rebuild", action="store_true",
                        help="reuse the zlig wheel of an earlier run, if there is one")
    parser.add_argument("--prepare", action="store_true",
                        help="only set up the tools and build the zlig wheel")
    parser.add_argument("--optimize", choices=["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"],
                        help="build with -C optimize=MODE (Debug: undefined behaviour in the "
                             "C code traps); default: the project's, ReleaseFast")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    unknown = [p for p in args.projects if p not in PROJECTS]
    if unknown:
        parser.error(f"unknown project {', '.join(unknown)}; known: {', '.join(PROJECTS)}")
    projects = [PROJECTS[p] for p in (args.projects or PROJECTS)]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    try:
        tc = prepare(work, args.zig, rebuild=not args.no_rebuild)
    except Failure as failure:
        log(f"setup FAILED: {failure}")
        return 2
    if args.prepare:
        return 0

    results = [run_project(p, tc, work, args.optimize) for p in projects]

    log("\nproject      version  result  passed  failed  errors  skipped  xfailed  "
        "build s  test s  total s")
    for r in results:
        t = r.get("tests", {})
        s = r["seconds"]
        log(f"{r['project']:<12} {r['version']:<8} {'PASS' if r['ok'] else 'FAIL':<6}  "
            f"{t.get('passed', '-'):>6}  {t.get('failures', '-'):>6}  {t.get('errors', '-'):>6}  "
            f"{t.get('skipped', '-'):>7}  {t.get('xfailed', '-'):>7}  {s.get('build', '-'):>7}  "
            f"{s.get('test', '-'):>6}  {s['total']:>7}")
    summary = {"zlig_wheel": tc.zlig_wheel.name, "zig": str(tc.zig), "results": results}
    (work / "results.json").write_text(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
