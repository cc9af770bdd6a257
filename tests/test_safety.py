"""The project root is a boundary: nothing outside it is read into an archive, nothing is
written outside the build dir and the output dir, and no archive entry can escape the folder
it is unpacked into. Symlinks that stay inside the project are followed and archived as
plain files."""

from __future__ import annotations

import json
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from helpers import SDIST_FIXTURES, WHEEL_FIXTURES, error_message, expected, scrubbed

HOOK = (
    "import json, sys, zlig\n"
    "print('=>', getattr(zlig, sys.argv[1])(sys.argv[2], json.loads(sys.argv[3])))"
)

BUILD_SYSTEM = '[build-system]\nrequires = ["zlig"]\nbuild-backend = "zlig"\n'
PROJECT = '[project]\nname = "pkg"\nversion = "1.0"\n'

FAST_C = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "other.h"

static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(other()); }

static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};

static struct PyModuleDef fast_module = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, methods};

PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&fast_module); }
"""
OTHER_C = '#include "other.h"\nint other(void) { return 42; }\n'
OTHER_H = "int other(void);\n"


def hook(venv, name, project, out, env, config=None):
    """Runs `zlig.<name>(out, config)` in `project`: (the CompletedProcess, the file written)."""
    out.mkdir(parents=True, exist_ok=True)
    proc = venv.call(HOOK, name, str(out), json.dumps(config or {}), cwd=project, env=env)
    written = [line[3:] for line in proc.stdout.splitlines() if line.startswith("=> ")]
    return proc, (out / written[0] if written else None)


def assert_clean_failure(proc, out: Path) -> None:
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout.count("zlig: error:") == 1, proc.stdout
    for bad in ("Traceback", "panicked", "internal error"):
        assert bad not in proc.stdout, proc.stdout
    assert list(out.iterdir()) == [], "the failed build left files in the output dir"


# ---------------------------------------------------------------------------- out of the root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, with one of everything a project can point at."""
    root = tmp_path / "outside"
    (root / "inc").mkdir(parents=True)
    (root / "inc" / "other.h").write_text(OTHER_H)
    (root / "evil.c").write_text(OTHER_C)
    (root / "opkg").mkdir()
    (root / "opkg" / "__init__.py").write_text("SECRET = 1\n")
    (root / "LICENSE-OUTSIDE").write_text("not the project's\n")
    return root


def flat_project(tmp_path: Path) -> Path:
    """`pkg/` with `fast.c` and `other.c` at the project root (python-source = the root), so
    that `../outside` is the folder beside the project for every key."""
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "fast.c").write_text(FAST_C)
    (project / "pkg" / "other.c").write_text(OTHER_C)
    (project / "include").mkdir()
    (project / "include" / "other.h").write_text(OTHER_H)
    return project


def extension(sources: str = '"pkg/*.c"', include: str = '"include"') -> str:
    return (
        '[[tool.zlig.extensions]]\nname = "pkg.fast"\n'
        f"sources = [{sources}]\ninclude-dirs = [{include}]\n"
    )


# For each key: the pyproject.toml with the value X in it, and the value that
# reaches outside by `..`, by an absolute path (`{outside}` is filled in), and by a symlink:
# (the value, the link made in the project, its target in the `outside` fixture).
KINDS = {
    "source": (
        lambda x: "\n".join([BUILD_SYSTEM, PROJECT, extension(sources=f'"pkg/fast.c", "{x}"')]),
        {
            "dotdot": "../outside/evil.c",
            "absolute": "{outside}/evil.c",
            # Out of the package, so that the sources, not the package, meet the link.
            "symlink": ("csrc/*.c", "csrc/evil.c", "evil.c"),
        },
    ),
    "include_dir": (
        lambda x: "\n".join([BUILD_SYSTEM, PROJECT, extension(include=f'"{x}"')]),
        {"dotdot": "../outside/inc", "absolute": "{outside}/inc", "symlink": ("inc", "inc", "inc")},
    ),
    "package": (
        lambda x: "\n".join([BUILD_SYSTEM, PROJECT, f'[tool.zlig]\npackages = ["pkg", "{x}"]\n']),
        {"dotdot": "../outside/opkg", "absolute": "{outside}/opkg", "symlink": ("opkg", "opkg", "opkg")},
    ),
    "license_glob": (
        lambda x: "\n".join([BUILD_SYSTEM, PROJECT + f'license-files = ["{x}"]\n']),
        {
            "dotdot": "../outside/LICENSE*",
            "absolute": "{outside}/LICENSE*",
            "symlink": ("LICENSE*", "LICENSE-OUTSIDE", "LICENSE-OUTSIDE"),
        },
    ),
}

# The message of each way out, by `kind-way` (and `kind-way-hook` where the hooks differ).
OUT_OF_ROOT_MESSAGES = {
    "source-dotdot": """
        zlig: error: pyproject.toml:11:26: `tool.zlig.extensions[0].sources[1]`: a path must stay inside the project: no absolute path and no `..`
           |
        11 | sources = ["pkg/fast.c", "../outside/evil.c"]
           |                          ^^^^^^^^^^^^^^^^^^^
    """,
    "source-absolute": """
        zlig: error: pyproject.toml:11:26: `tool.zlig.extensions[0].sources[1]`: a path must stay inside the project: no absolute path and no `..`
           |
        11 | sources = ["pkg/fast.c", "[TMP]/outside/evil.c"]
           |                          ^^^^^^^^^^^^^^^^^^^^^^
    """,
    "source-symlink": """
        zlig: error: pyproject.toml:11:26: `tool.zlig.extensions[0].sources[1]`: `csrc/evil.c` resolves to [TMP]/outside/evil.c, outside the project; zlig follows symlinks only within the project
           |
        11 | sources = ["pkg/fast.c", "csrc/*.c"]
           |                          ^^^^^^^^^^
    """,
    "include_dir-dotdot": """
        zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: a path must stay inside the project: no absolute path and no `..`
           |
        12 | include-dirs = ["../outside/inc"]
           |                 ^^^^^^^^^^^^^^^^
    """,
    "include_dir-absolute": """
        zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: a path must stay inside the project: no absolute path and no `..`
           |
        12 | include-dirs = ["[TMP]/outside/inc"]
           |                 ^^^^^^^^^^^^^^^^^^^
    """,
    "include_dir-symlink": """
        zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: `inc` resolves to [TMP]/outside/inc, outside the project; zlig follows symlinks only within the project
           |
        12 | include-dirs = ["inc"]
           |                 ^^^^^
    """,
    "include_dir-symlink-build_sdist": """
        zlig: error: pyproject.toml:12:17: `tool.zlig.extensions[0].include-dirs[0]`: `inc/other.h` resolves to [TMP]/outside/inc/other.h, outside the project; zlig follows symlinks only within the project
           |
        12 | include-dirs = ["inc"]
           |                 ^^^^^
    """,
    "package-dotdot": """
        zlig: error: pyproject.toml:10:20: `tool.zlig.packages[1]`: expected the name of a top-level package or module, such as `pkg` (not a path)
           |
        10 | packages = ["pkg", "../outside/opkg"]
           |                    ^^^^^^^^^^^^^^^^^
    """,
    "package-absolute": """
        zlig: error: pyproject.toml:10:20: `tool.zlig.packages[1]`: expected the name of a top-level package or module, such as `pkg` (not a path)
           |
        10 | packages = ["pkg", "[TMP]/outside/opkg"]
           |                    ^^^^^^^^^^^^^^^^^^^^
    """,
    "package-symlink": """
        zlig: error: pyproject.toml:10:20: `tool.zlig.packages[1]`: `opkg` resolves to [TMP]/outside/opkg, outside the project; zlig follows symlinks only within the project
           |
        10 | packages = ["pkg", "opkg"]
           |                    ^^^^^^
    """,
    "license_glob-dotdot": """
        zlig: error: pyproject.toml:8:18: `project.license-files[0]`: a path must stay inside the project: no absolute path and no `..`
          |
        8 | license-files = ["../outside/LICENSE*"]
          |                  ^^^^^^^^^^^^^^^^^^^^^
    """,
    "license_glob-absolute": """
        zlig: error: pyproject.toml:8:18: `project.license-files[0]`: a path must stay inside the project: no absolute path and no `..`
          |
        8 | license-files = ["[TMP]/outside/LICENSE*"]
          |                  ^^^^^^^^^^^^^^^^^^^^^^^^
    """,
    "license_glob-symlink": """
        zlig: error: pyproject.toml:8:18: `project.license-files[0]`: `LICENSE-OUTSIDE` resolves to [TMP]/outside/LICENSE-OUTSIDE, outside the project; zlig follows symlinks only within the project
          |
        8 | license-files = ["LICENSE*"]
          |                  ^^^^^^^^^^
    """,
}


def out_of_root_cases() -> list:
    cases = []
    for kind in KINDS:
        for way in ("dotdot", "absolute", "symlink"):
            for hook_name in ("build_wheel", "build_sdist"):
                cases.append(pytest.param(kind, way, hook_name, id=f"{kind}-{way}-{hook_name}"))
    return cases


@pytest.mark.parametrize("kind, way, hook_name", out_of_root_cases())
def test_path_leading_out_of_the_project_is_an_error(
    kind, way, hook_name, outside, zlig_venv, frontend_env, tmp_path
):
    make_pyproject, values = KINDS[kind]
    project = flat_project(tmp_path)
    if way == "symlink":
        value, link, target = values[way]
        (project / link).parent.mkdir(exist_ok=True)
        (project / link).symlink_to(outside / target)
    else:
        value = values[way].format(outside=outside)
    text = make_pyproject(value)
    (project / "pyproject.toml").write_text(text)
    out = tmp_path / "out"

    proc, _ = hook(zlig_venv, hook_name, project, out, frontend_env)

    assert_clean_failure(proc, out)
    # A package is named, not located: a path is refused as a name.
    message = OUT_OF_ROOT_MESSAGES.get(f"{kind}-{way}-{hook_name}", OUT_OF_ROOT_MESSAGES[f"{kind}-{way}"])
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected(message)


def test_default_license_glob_keeps_the_license_beside_a_link_leading_out(
    outside, zlig_venv, frontend_env, tmp_path
):
    """The default license globs skip a match that leads outside (by design: such a link
    is not the project's license); a real LICENSE beside it must stay, and the outside file
    never reaches an archive."""
    project = flat_project(tmp_path)
    (project / "pyproject.toml").write_text(f"{BUILD_SYSTEM}\n{PROJECT}")
    (project / "LICENSE-OUTSIDE").symlink_to(outside / "LICENSE-OUTSIDE")
    _, wheel = hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env)
    _, sdist = hook(zlig_venv, "build_sdist", project, tmp_path / "out", frontend_env)
    assert not any(n.endswith("LICENSE-OUTSIDE") for n in zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as tf:
        assert not any(n.endswith("LICENSE-OUTSIDE") for n in tf.getnames())


def test_real_license_survives_a_default_glob_match_leading_out(outside, zlig_venv, frontend_env, tmp_path):
    project = flat_project(tmp_path)
    (project / "pyproject.toml").write_text(f"{BUILD_SYSTEM}\n{PROJECT}")
    (project / "LICENSE").write_text("MIT\n")
    (project / "LICENSE-OUTSIDE").symlink_to(outside / "LICENSE-OUTSIDE")
    _, wheel = hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env)
    assert "pkg-1.0.dist-info/licenses/LICENSE" in zipfile.ZipFile(wheel).namelist()


# ---------------------------------------------------------------------------- archive entries


def unsafe(name: str) -> bool:
    return name.startswith("/") or "\\" in name or ".." in name.split("/") or name == ""


@pytest.mark.parametrize("fixture", WHEEL_FIXTURES)
def test_no_wheel_entry_escapes(fixture, request):
    wheel = request.getfixturevalue(fixture).wheel
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            assert not unsafe(info.filename), info.filename
            kind = stat.S_IFMT(info.external_attr >> 16)
            assert kind in (0, stat.S_IFREG), f"{info.filename} is not a regular file ({kind:o})"


@pytest.mark.parametrize("fixture", SDIST_FIXTURES)
def test_no_sdist_entry_escapes(fixture, request, tmp_path):
    sdist = request.getfixturevalue(fixture).sdist
    top = sdist.name[: -len(".tar.gz")]
    with tarfile.open(sdist, "r:gz") as tf:
        for member in tf.getmembers():
            assert not unsafe(member.name), member.name
            assert member.name == top or member.name.startswith(f"{top}/"), member.name
            assert member.isfile() or member.isdir(), f"{member.name} is a link or a device"
        # What Python 3.14 does by default: refuses anything that leaves the folder.
        tf.extractall(tmp_path / "unpacked", filter="data")


# ---------------------------------------------------------------------------- symlinks inside


def test_symlinks_inside_the_project_are_archived_as_files(zlig_venv, venvs, frontend_env, tmp_path):
    """A source, a header folder, a package data file and a subpackage reached through links
    that stay inside the project: each is archived as the file it points to."""
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "fast.c").write_text(FAST_C)
    (project / "shared" / "headers").mkdir(parents=True)
    (project / "shared" / "headers" / "other.h").write_text(OTHER_H)
    (project / "shared" / "other.c").write_text(OTHER_C)
    (project / "shared" / "data.txt").write_text("data through a link\n")
    (project / "shared" / "sub").mkdir()
    (project / "shared" / "sub" / "__init__.py").write_text("VALUE = 7\n")
    (project / "pkg" / "other.c").symlink_to("../shared/other.c")
    (project / "pkg" / "data.txt").symlink_to("../shared/data.txt")
    (project / "pkg" / "sub").symlink_to("../shared/sub", target_is_directory=True)
    (project / "include").symlink_to("shared/headers", target_is_directory=True)
    (project / "pyproject.toml").write_text(
        "\n".join([BUILD_SYSTEM, PROJECT, extension(sources='"pkg/*.c"', include='"include"')])
    )
    out = tmp_path / "out"
    _, wheel = hook(zlig_venv, "build_wheel", project, out, frontend_env)
    _, sdist = hook(zlig_venv, "build_sdist", project, out, frontend_env)

    with zipfile.ZipFile(wheel) as zf:
        for name, source in (("pkg/data.txt", "shared/data.txt"), ("pkg/sub/__init__.py", "shared/sub/__init__.py")):
            info = zf.getinfo(name)
            assert stat.S_ISREG(info.external_attr >> 16), name
            assert zf.read(name) == (project / source).read_bytes()
    with tarfile.open(sdist, "r:gz") as tf:
        for name, source in (
            ("pkg/other.c", "shared/other.c"),
            ("pkg/data.txt", "shared/data.txt"),
            ("pkg/sub/__init__.py", "shared/sub/__init__.py"),
            ("include/other.h", "shared/headers/other.h"),
        ):
            member = tf.getmember(f"pkg-1.0/{name}")
            assert member.isfile(), f"{name} is not archived as a file"
            assert tf.extractfile(member).read() == (project / source).read_bytes()

    venv = venvs.with_wheels(wheel)
    assert venv.run("import pkg.fast, pkg.sub; print(pkg.fast.answer(), pkg.sub.VALUE)") == "42 7"


# ---------------------------------------------------------------------------- what is written


def tree(root: Path) -> dict[str, tuple]:
    """Every path under `root` (symlinks not followed): kind, size, mtime, mode."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            found[str(path.relative_to(root))] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, st.st_mode)
    return found


def test_builds_write_only_the_build_dir_and_the_output(copy_example, zlig_venv, frontend_env, tmp_path):
    """Every hook pip calls, in turn: the project gets `build/zlig/`, the output dirs their
    file, and nothing else changes, not even in TMPDIR."""
    project = copy_example("multi")
    (tmp_path / "tmpdir").mkdir()
    env = dict(frontend_env, TMPDIR=str(tmp_path / "tmpdir"))
    before = tree(tmp_path)
    outputs = []
    for hook_name, out in (
        ("get_requires_for_build_wheel", None),
        ("prepare_metadata_for_build_wheel", tmp_path / "meta"),
        ("build_sdist", tmp_path / "dists"),
        ("build_wheel", tmp_path / "dists"),
    ):
        if out is None:
            code = "import zlig; print('=>', zlig.get_requires_for_build_wheel())"
            zlig_venv.run(code, cwd=project, env=env)
            continue
        proc, written = hook(zlig_venv, hook_name, project, out, env)
        assert proc.returncode == 0, proc.stdout
        outputs.append(written)
    after = tree(tmp_path)

    # Nothing that was there before is touched (the project folder's own mtime changes: it
    # gets `build/`).
    assert before.keys() - after.keys() == set()
    assert [p for p in before if before[p] != after[p] and p != "multi"] == []
    # The only new paths: the build dir and the two output dirs.
    new = sorted(after.keys() - before.keys())
    allowed = ("multi/build/zlig/", "meta/", "dists/")
    assert [p for p in new if p not in ("multi/build", "multi/build/zlig", "meta", "dists") and not p.startswith(allowed)] == []
    # The outputs hold just what the hooks returned: no temporary file is left beside them.
    assert sorted(p.name for p in (tmp_path / "dists").iterdir()) == sorted(p.name for p in outputs[1:])
    assert [p.name for p in (tmp_path / "meta").iterdir()] == [outputs[0].name]


def test_failed_build_adds_nothing_to_an_output_dir_that_has_files(copy_example, zlig_venv, frontend_env, tmp_path):
    """An earlier wheel in the output dir stays as it was, and no temporary file appears."""
    project = copy_example("demo")
    out = tmp_path / "out"
    _, wheel = hook(zlig_venv, "build_wheel", project, out, frontend_env)
    before = tree(out)
    source = project / "src" / "demo" / "demo.c"
    source.write_text(source.read_text() + "\nstatic int broken(void) { return 1 }\n")
    proc, _ = hook(zlig_venv, "build_wheel", project, out, frontend_env)
    assert proc.returncode == 1, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path).startswith("zlig: error: compiling the extensions failed:")
    assert "Traceback" not in proc.stdout
    assert tree(out) == before
    assert list(out.iterdir()) == [wheel]
