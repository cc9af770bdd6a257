"""Cython (examples/cython): pip, `python -m build` and uv build it in their isolated
environments, and every module is an extension module; the wheel ships `.pxd` files and the
pure-Python `.py`, never `.pyx` or generated C; the sdist carries `.pyx`, `.pxd` and `.pxi`.
Translation is part of the build graph: a second build translates nothing, an edited `.pxd`
or `.pxi` translates exactly the sources that read it, with every built-in backend. An
editable install translates an edited `.pyx` on the next import, with the build environment
gone. `get_requires_for_build_wheel` asks for Cython only when none is found. A third-party
backend gets the translated C."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import BIN, copy_project
from helpers import (
    EXT_SUFFIX,
    MANYLINUX_TAG,
    expected,
    run,
    scrubbed,
    sdist_names,
    wheel_names,
    wheel_tag,
    without_zig_on_path,
)

MODULES = ["cydemo.geometry", "cydemo.purepy", "cydemo.stack", "cydemo.vectors"]

WHEEL_FILES = sorted(
    [
        "cydemo/__init__.py",
        "cydemo/constants.pxi",
        f"cydemo/geometry{EXT_SUFFIX}",
        "cydemo/purepy.py",
        f"cydemo/purepy{EXT_SUFFIX}",
        f"cydemo/stack{EXT_SUFFIX}",
        "cydemo/vectors.pxd",
        f"cydemo/vectors{EXT_SUFFIX}",
    ]
)

SDIST_FILES = [
    "PKG-INFO",
    "README.md",
    "pyproject.toml",
    "src/cydemo/__init__.py",
    "src/cydemo/constants.pxi",
    "src/cydemo/geometry.pyx",
    "src/cydemo/purepy.py",
    "src/cydemo/stack.pyx",
    "src/cydemo/vectors.pxd",
    "src/cydemo/vectors.pyx",
]

CHECK = f"""
import cydemo, importlib, json
modules = {{name: importlib.import_module(name).__file__ for name in {MODULES!r}}}
import cydemo.purepy, cydemo.stack, cydemo.vectors
print(json.dumps({{
    "files": modules,
    "compiled": cydemo.purepy.COMPILED,
    "values": [cydemo.dot([1, 2, 3], [4, 5, 6]), cydemo.norm2([1, 2, 2]), cydemo.scaled_norm2([1, 2, 2]),
               cydemo.sum_of_squares(4), cydemo.running_sums([1, 2, 3])],
    "docs": [cydemo.vectors.dot.__doc__, cydemo.stack.running_sums.__doc__],
}}))
"""


def check_installed(venv) -> None:
    """Every module of the example is an extension module, and each does its job."""
    report = json.loads(venv.run(CHECK, cwd=venv.path.parent).splitlines()[-1])
    for name, file in report["files"].items():
        assert file.endswith(EXT_SUFFIX), (name, file)
    assert report["compiled"] is True  # cython.compiled, in the pure-Python mode module
    assert report["values"] == [32.0, 9.0, 18.0, 14.0, [1, 3, 6]]
    # embedsignature from [tool.zlig.cython] directives; stack's cython-directives turn it off.
    vectors_doc, stack_doc = report["docs"]
    assert vectors_doc.startswith("dot(a, b)"), vectors_doc
    assert stack_doc == "The running sums of a sequence of integers.", stack_doc


@pytest.fixture(scope="module")
def cython_pip_wheel(frontend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cython-pip")
    return frontend.pip_wheel(copy_project("cython", tmp), tmp / "out")


@pytest.fixture(scope="module")
def cython_build(frontend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cython-build")
    return frontend.build(copy_project("cython", tmp), tmp / "out")


@pytest.fixture(scope="module")
def cython_uv_build(frontend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cython-uv")
    return frontend.uv_build(copy_project("cython", tmp), tmp / "out")


@pytest.mark.parametrize("built", ["cython_pip_wheel", "cython_build", "cython_uv_build"])
def test_frontends_build_the_cython_example_into_working_extension_modules(built, request, venvs):
    built = request.getfixturevalue(built)
    assert sorted(n for n in wheel_names(built.wheel) if ".dist-info/" not in n) == WHEEL_FILES
    assert wheel_tag(built.wheel)[2] == MANYLINUX_TAG
    check_installed(venvs.with_wheels(built.wheel))


@pytest.mark.parametrize("built", ["cython_build", "cython_uv_build"])
def test_the_sdist_carries_pyx_pxd_and_pxi_files(built, request):
    sdist = request.getfixturevalue(built).sdist
    assert sdist_names(sdist) == SDIST_FILES


# ---------------------------------------------------------------------------- rebuilds

BUILD = "import json, sys, zlig; print(zlig.build_wheel(sys.argv[1], json.loads(sys.argv[2])))"


def generated(project: Path) -> dict[str, set]:
    """The C that Cython made, by file name: where each is (ninja, cc: a fixed path; zig: a
    folder of its cache per translation) and when it was written."""
    found: dict[str, set] = {}
    patterns = ["*/*/cython/*/*", "*/zig/zig-cache/o/*/*"]
    for pattern in patterns:
        for path in (project / "build" / "zlig").glob(pattern):
            if path.suffix in (".c", ".cpp"):
                found.setdefault(path.name, set()).add((str(path), path.stat().st_mtime_ns))
    return found


def translated(before: dict[str, set], after: dict[str, set]) -> set[str]:
    """The generated files written between two snapshots."""
    return {name for name, seen in after.items() if seen != before.get(name)}


@pytest.fixture
def cython_env(frontend_env, cython_path):
    """The hooks' environment with Cython importable and ninja usable."""
    return dict(frontend_env, PYTHONPATH=str(cython_path), ZLIG_NINJA=str(BIN / "ninja"))


def build(venv, project: Path, out: Path, env, **settings):
    out.mkdir(parents=True, exist_ok=True)
    proc = venv.call(BUILD, str(out), json.dumps(settings), cwd=project, env=env)
    assert proc.returncode == 0, proc.stdout
    return out / proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("backend", ["ninja", "zig", "cc"])
def test_translation_follows_the_files_cython_read(backend, zlig_venv, copy_example, cython_env, tmp_path):
    project = copy_example("cython")
    src = project / "src" / "cydemo"
    builds = iter(range(100))

    def rebuild() -> set[str]:
        before = generated(project)
        build(zlig_venv, project, tmp_path / str(next(builds)), cython_env, backend=backend)
        return translated(before, generated(project))

    assert rebuild() == {"geometry.c", "purepy.c", "stack.cpp", "vectors.c"}
    assert rebuild() == set(), "a second build translates nothing"
    # vectors.pxd is read by vectors.pyx (its declarations) and geometry.pyx (cimport).
    (src / "vectors.pxd").write_text((src / "vectors.pxd").read_text() + "\n# edited\n")
    assert rebuild() == {"geometry.c", "vectors.c"}
    (src / "constants.pxi").write_text((src / "constants.pxi").read_text().replace("2.0", "3.0"))
    assert rebuild() == {"geometry.c"}
    (src / "stack.pyx").write_text((src / "stack.pyx").read_text() + "\n# edited\n")
    assert rebuild() == {"stack.cpp"}


def test_get_requires_asks_for_cython_only_when_none_is_found(zlig_venv, copy_example, frontend_env, cython_path, tmp_path):
    project = copy_example("cython")
    code = "import json, zlig; print(json.dumps(zlig.get_requires_for_build_wheel()))"

    def requires(**env) -> list[str]:
        return json.loads(zlig_venv.run(code, cwd=project, env=dict(frontend_env, **env)).splitlines()[-1])

    # An empty user cache: no copy of Cython kept by an earlier build.
    empty_cache = str(tmp_path / "cache")
    assert requires(XDG_CACHE_HOME=empty_cache) == ["cython>=3.0"]
    assert requires(XDG_CACHE_HOME=empty_cache, PYTHONPATH=str(cython_path)) == []
    # A build keeps a copy; then a fresh environment without Cython needs none. (zig's own
    # cache stays where it was: a new one would compile libc++ again.)
    kept = tmp_path / "kept"
    zig_cache = os.environ.get("ZIG_GLOBAL_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zig"
    )
    env = dict(frontend_env, XDG_CACHE_HOME=str(kept), ZIG_GLOBAL_CACHE_DIR=zig_cache, PYTHONPATH=str(cython_path))
    build(zlig_venv, project, tmp_path / "out", env)
    assert list(kept.glob("zlig/cython-3.3.1-*/Cython"))
    assert requires(XDG_CACHE_HOME=str(kept)) == []


def test_editable_install_translates_an_edited_pyx_with_the_build_env_gone(frontend_env, venvs, tmp_path):
    project = copy_project("cython", tmp_path)
    venv = venvs.create("cython-dev")
    run([sys.executable, "-m", "pip", "--python", venv.python, "install", "-e", project], env=frontend_env)
    env = dict(venv.env)
    env.pop("ZLIG_ZIG", None)
    env["PATH"] = without_zig_on_path(env.get("PATH", ""))
    code = "import cydemo; print(cydemo.dot([1, 2, 3], [4, 5, 6]), cydemo.vectors.__file__)"

    def python() -> str:
        proc = venv.call(code, cwd=venv.path.parent, env=env)
        assert proc.returncode == 0, proc.stdout
        return proc.stdout.strip().splitlines()[-1]

    value, file = python().split()
    assert value == "32.0"
    assert file.startswith(str(project / "build" / "zlig")) and file.endswith(EXT_SUFFIX)
    assert venv.call("import Cython", env=env).returncode != 0, "Cython is not in the venv"
    vectors = project / "src" / "cydemo" / "vectors.pyx"
    vectors.write_text(vectors.read_text().replace("return x1 * x2 + y1 * y2 + z1 * z2", "return 2 * (x1 * x2 + y1 * y2 + z1 * z2)"))
    assert python().split()[0] == "64.0"
    # A Cython error on rebuild is an ImportError with Cython's message and place.
    vectors.write_text(vectors.read_text() + "\ndef broken(:\n    pass\n")
    proc = venv.call("import cydemo", cwd=venv.path.parent, env=env)
    assert proc.returncode != 0
    message = proc.stdout[proc.stdout.index("ImportError: "):]
    assert scrubbed(message, project.parent) == expected('''
        ImportError: cydemo.geometry: rebuilding the editable install of cydemo failed:
        install
        +- install vectors
           +- compile lib vectors fast x86_64-linux-gnu.2.17
              +- compile obj vectors_cython_0 fast x86_64-linux-gnu.2.17
                 +- cython src/cydemo/vectors.pyx failure

        Error compiling Cython file:
        ------------------------------------------------------------
        ...

        def dot(a, b):
            """The dot product of two 3-vectors."""
            return dot3(a[0], a[1], a[2], b[0], b[1], b[2])

        def broken(:
                   ^
        ------------------------------------------------------------
        src/cydemo/vectors.pyx:11:11: Expected ')', found ':'
        error: process exited with code 1
        failed command: [PYTHON] -I -S [TMP]/cython/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/cython/zlig_cython_step.py [CACHE]/user-cache/zlig/cython-3.3.1-[HASH] project src/cydemo/vectors.pyx --output=./zig-cache/tmp/[HASH]/vectors.c --depfile=./zig-cache/tmp/[HASH]/cython.d --depfile-for=zig --module-name cydemo.vectors -I src -X boundscheck=False -X embedsignature=True -X language_level=3
    ''')


PLUGIN_PROJECT = {
    "pyproject.toml": '[build-system]\nrequires = ["zlig"]\nbuild-backend = "zlig"\n\n[project]\nname = "cyplug"\nversion = "1.0"\n\n'
    '[[tool.zlig.extensions]]\nname = "cyplug.fast"\nsources = ["src/cyplug/fast.pyx"]\n',
    "src/cyplug/__init__.py": "",
    "src/cyplug/fast.pyx": "def triple(int x):\n    return 3 * x\n",
}


def test_a_third_party_backend_gets_the_translated_c(plugin_venv, venvs, frontend_env, cython_path, tmp_path):
    project = tmp_path / "cyplug"
    for name, text in PLUGIN_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    env = dict(frontend_env, PYTHONPATH=str(cython_path))
    wheel = build(plugin_venv, project, tmp_path / "out", env, backend="script")
    (tag_dir,) = (project / "build" / "zlig").iterdir()
    assert str(tag_dir / "script" / "cython" / "cyplug.fast" / "fast.c") in (tag_dir / "script" / "build.sh").read_text()
    assert venvs.with_wheels(wheel).run("import cyplug.fast as f; print(f.triple(5), f.__file__)").split()[0] == "15"
    # Nothing changed: nothing translated again.
    made = (tag_dir / "script" / "cython" / "cyplug.fast" / "fast.c").stat().st_mtime_ns
    build(plugin_venv, project, tmp_path / "again", env, backend="script")
    assert (tag_dir / "script" / "cython" / "cyplug.fast" / "fast.c").stat().st_mtime_ns == made
