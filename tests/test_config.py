"""`[tool.zlig]` file-selection keys and `config_settings`, through the hooks and pip."""

from __future__ import annotations

import json
import signal

import pytest

from buildtools import section_names, text_size
from helpers import EXT_SUFFIX, error_message, expected, scrubbed, sdist_names, wheel_names, wheel_read

HOOK = (
    "import json, sys, zlig\n"
    "print(getattr(zlig, sys.argv[1])(sys.argv[2], json.loads(sys.argv[3])))"
)


def hook(venv, name, project, out, env, config=None):
    """Runs `zlig.<name>(out, config)` in `project`; returns the file it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    args = (name, str(out), json.dumps(config or {}))
    return out / venv.run(HOOK, *args, cwd=project, env=env).splitlines()[-1]


def append(path, text):
    path.write_text(path.read_text() + text)


def test_sdist_include_adds_and_exclude_removes_files(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("pure")
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text("# Guide\n")
    (project / "docs" / "draft.txt").write_text("not shipped\n")
    append(
        project / "pyproject.toml",
        '\n[tool.zlig.sdist]\ninclude = ["docs/*.md"]\nexclude = ["src/pure_example/gui.py"]\n',
    )
    names = sdist_names(hook(zlig_venv, "build_sdist", project, tmp_path / "out", frontend_env))
    assert "docs/guide.md" in names
    assert "docs/draft.txt" not in names
    assert "src/pure_example/gui.py" not in names
    assert "src/pure_example/cli.py" in names


def test_sdist_include_that_matches_nothing_is_an_error(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("pure")
    append(project / "pyproject.toml", '\n[tool.zlig.sdist]\ninclude = ["docs/*.md"]\n')
    proc = zlig_venv.call(HOOK, "build_sdist", str(tmp_path), "{}", cwd=project, env=frontend_env)
    assert proc.returncode == 1
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected("""
        zlig: error: pyproject.toml:53:12: `tool.zlig.sdist.include[0]`: matches no file
           |
        53 | include = ["docs/*.md"]
           |            ^^^^^^^^^^^
    """)
    assert "Traceback" not in proc.stdout


def test_wheel_exclude_leaves_files_out_of_the_wheel(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("pure")
    append(project / "pyproject.toml", '\n[tool.zlig.wheel]\nexclude = ["src/pure_example/gui.py"]\n')
    names = wheel_names(hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env))
    assert "pure_example/gui.py" not in names
    assert "pure_example/cli.py" in names


def test_build_dir_config_setting_moves_the_build(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    build_dir = tmp_path / "elsewhere"
    config = {"build-dir": str(build_dir)}
    wheel = hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env, config)
    assert f"demo/demo{EXT_SUFFIX}" in wheel_names(wheel)
    assert not (project / "build").exists()
    assert any(build_dir.rglob("build.zig"))


def test_release_build_is_stripped_and_debug_build_keeps_debug_info(frontend, copy_example, tmp_path):
    module = f"demo/demo{EXT_SUFFIX}"
    release = frontend.pip_wheel(copy_example("demo"), tmp_path / "release").wheel
    debug_project = copy_example("demo", "demo-debug")
    debug = frontend.pip_wheel(debug_project, tmp_path / "debug", "-C", "optimize=Debug").wheel
    for wheel, name in ((release, "release.so"), (debug, "debug.so")):
        (tmp_path / name).write_bytes(wheel_read(wheel, module))
    assert ".debug_info" not in section_names(tmp_path / "release.so")
    assert ".debug_info" in section_names(tmp_path / "debug.so")


def test_release_module_holds_no_build_path(demo_pip_wheel):
    module = wheel_read(demo_pip_wheel.wheel, f"demo/demo{EXT_SUFFIX}")
    assert str(demo_pip_wheel.project).encode() not in module
    assert b"/build/zlig/" not in module


def test_unknown_config_setting_is_refused_with_a_suggestion(frontend, copy_example, tmp_path):
    built = frontend.pip_wheel(copy_example("demo"), tmp_path / "out", "-C", "optimise=Debug", check=False)
    assert built.returncode != 0
    assert scrubbed(error_message(built.output), tmp_path) == expected("""
        zlig: error: config_settings: `optimise`: unknown config setting (did you mean `optimize`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, cython.requires, cython.directives.<directive>, cython.include-dirs, cython.annotate, sdist.include, sdist.exclude, wheel.exclude, wheel.force-include.<path>, wheel.data.<scheme>, version.path, version.pattern, sbom-files, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache
    """)
    assert "Traceback" not in built.output
    assert list((tmp_path / "out").iterdir()) == []


# Modules whose behaviour says which optimize mode built them: C's `assert` (off under
# -DNDEBUG), zig's C sanitizer (a shift past the width of `int` traps where it is on), Zig's
# safety checks (an overflowing `u8` addition panics where they are on; the `zig` backend
# alone compiles Zig), and a loop that -O2 unrolls and -Os keeps small.
PROBE_PYPROJECT = (
    '[build-system]\nrequires = ["zlig"]\nbuild-backend = "zlig"\n\n'
    '[project]\nname = "probe"\nversion = "1.0"\n\n'
    '[[tool.zlig.extensions]]\nname = "probe._c"\nsources = ["src/probe/_c.c"]\n'
)
PROBE_ZIG_EXTENSION = '[[tool.zlig.extensions]]\nname = "probe._zig"\nsources = ["src/probe/_zig.zig"]\n'
OPTIMIZE_PROBE = {
    "src/probe/__init__.py": "",
    "src/probe/_c.c": """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *asserts(PyObject *self, PyObject *unused) {
#ifdef NDEBUG
    Py_RETURN_FALSE;
#else
    Py_RETURN_TRUE;
#endif
}

static PyObject *shift(PyObject *self, PyObject *arg) {
    int n = (int)PyLong_AsLong(arg);
    return PyLong_FromLong(1 << n);
}

static PyObject *checksum(PyObject *self, PyObject *arg) {
    unsigned long x = PyLong_AsUnsignedLong(arg), h = 0;
    for (int i = 0; i < 64; i++) {
        h = h * 31 + ((x >> (i % 8)) ^ (unsigned long)i);
    }
    return PyLong_FromUnsignedLong(h);
}

static PyMethodDef methods[] = {
    {"asserts", asserts, METH_NOARGS, NULL},
    {"shift", shift, METH_O, NULL},
    {"checksum", checksum, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_c", NULL, -1, methods};

PyMODINIT_FUNC PyInit__c(void) { return PyModule_Create(&module); }
""",
    "src/probe/_zig.zig": """\
const std = @import("std");
const py = @import("python");

fn add200(self: ?*py.PyObject, arg: ?*py.PyObject) callconv(.c) ?*py.PyObject {
    _ = self;
    const small: u8 = @truncate(@as(c_ulong, @bitCast(py.PyLong_AsLong(arg))));
    return py.PyLong_FromLong(small + 200);
}

var methods = [_]py.PyMethodDef{
    .{ .ml_name = "add200", .ml_meth = &add200, .ml_flags = py.METH_O, .ml_doc = null },
    std.mem.zeroes(py.PyMethodDef),
};

var module_def = std.mem.zeroInit(py.PyModuleDef, .{ .m_name = "_zig", .m_size = -1, .m_methods = &methods });

export fn PyInit__zig() ?*py.PyObject {
    return py.PyModule_Create2(&module_def, py.PYTHON_API_VERSION);
}
""",
}
MODES = ["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"]


@pytest.fixture(scope="module", params=["zig", "ninja"])
def optimize_builds(request, zlig_venv, venvs, backend_env, tmp_path_factory) -> dict:
    """The probe built in each mode by one backend: mode → (the C module's file, a venv
    with the wheel installed, whether it has the Zig module)."""
    tmp = tmp_path_factory.mktemp(f"optimize-{request.param}")
    project = tmp / "probe"
    for name, text in OPTIMIZE_PROBE.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    zig = request.param == "zig"
    (project / "pyproject.toml").write_text(PROBE_PYPROJECT + (PROBE_ZIG_EXTENSION if zig else ""))
    builds = {}
    for mode in MODES:
        config = {"backend": request.param, "optimize": mode}
        wheel = hook(zlig_venv, "build_wheel", project, tmp / mode, backend_env, config)
        module = tmp / f"{mode}{EXT_SUFFIX}"
        module.write_bytes(wheel_read(wheel, f"probe/_c{EXT_SUFFIX}"))
        builds[mode] = (module, venvs.with_wheels(wheel, name=f"optimize-{mode}"), zig)
    return builds


@pytest.mark.parametrize("mode", MODES)
def test_the_optimize_mode_is_the_one_the_modules_are_built_in(mode, optimize_builds):
    module, venv, zig = optimize_builds[mode]
    debug, safe = mode == "Debug", mode in ("Debug", "ReleaseSafe")
    assert venv.run("import probe._c as c; print(c.asserts())") == str(debug)
    shifted = venv.call("import probe._c as c; print(c.shift(40))")
    assert shifted.returncode == (-signal.SIGILL if debug else 0), shifted.stdout
    if zig:
        added = venv.call("import probe._zig as z; print(z.add200(100))")
        if safe:
            assert added.returncode != 0 and "integer overflow" in added.stdout, added.stdout
        else:
            assert added.returncode == 0, added.stdout
    assert (".debug_info" in section_names(module)) == debug


def test_release_small_gives_the_smallest_code(optimize_builds):
    sizes = {mode: text_size(module) for mode, (module, _, _) in optimize_builds.items()}
    assert sizes["ReleaseSmall"] < min(sizes["ReleaseSafe"], sizes["ReleaseFast"]), sizes


def test_dotted_config_settings_reach_the_subtables_through_pip(frontend, copy_example, tmp_path):
    """`-C` reaches every `[tool.zlig]` key: a subtable's key by its dotted name, a table's
    entry as one more part (README, "config_settings")."""
    project = copy_example("pure")
    (project / "share").mkdir()
    (project / "share" / "notes.txt").write_text("shipped through .data\n")
    built = frontend.pip_wheel(
        project, tmp_path / "out",
        "-C", "wheel.exclude=src/pure_example/gui.py",
        "-C", "wheel.data.data=share",
        "-C", "wheel.force-include.share/notes.txt=pure_example/notes.txt",
    )
    names = wheel_names(built.wheel)
    assert "pure_example/gui.py" not in names
    assert "pure_example/cli.py" in names
    assert "pure_example-2.1.0.data/data/notes.txt" in names, names
    assert "pure_example/notes.txt" in names


def test_a_list_config_setting_given_twice_keeps_both_values_and_replaces_the_files(
    zlig_venv, copy_example, frontend_env, tmp_path
):
    project = copy_example("pure")
    for folder, name in (("docs", "guide.md"), ("notes", "todo.txt"), ("extra", "file.txt")):
        (project / folder).mkdir()
        (project / folder / name).write_text("text\n")
    append(project / "pyproject.toml", '\n[tool.zlig.sdist]\ninclude = ["extra/*.txt"]\n')
    config = {"sdist.include": ["docs/*.md", "notes/*.txt"]}
    names = sdist_names(hook(zlig_venv, "build_sdist", project, tmp_path / "out", frontend_env, config))
    assert "docs/guide.md" in names
    assert "notes/todo.txt" in names
    assert "extra/file.txt" not in names, "a list from the command line replaces the file's"


def test_a_config_setting_is_checked_as_the_files_value_is(frontend, copy_example, tmp_path):
    """`cython.include-dirs` must stay inside the project whichever route names it; only
    `build-dir` may leave it, from the command line."""
    built = frontend.pip_wheel(
        copy_example("pure"), tmp_path / "out", "-C", "cython.include-dirs=../pxd", check=False
    )
    assert built.returncode != 0
    assert scrubbed(error_message(built.output), tmp_path) == expected("""
        zlig: error: config_settings: `cython.include-dirs`: a path must stay inside the project: no absolute path and no `..`
    """)
    assert "Traceback" not in built.output
    assert list((tmp_path / "out").iterdir()) == []
