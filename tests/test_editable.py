"""Editable installs (PEP 660) of examples/demo with pip and uv: Python edits take effect at
once, C edits on the next import in a new interpreter (the import hook rebuilds), unless
rebuilding is turned off; a compile error is an ImportError carrying the compiler's message.
Interpreters importing at once after an edit all get the new module. An install that could
not rebuild (a tool any user could replace, a backend with no rebuild command) fails unless
rebuilding is turned off; with rebuilding off, an edited source gets one warning at import.

Every check runs a fresh interpreter of the venv with no `ZLIG_ZIG` and no zig on `PATH`:
the editable install must find its compiler by itself.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from buildtools import HOOK, fresh_user_cache
from conftest import BIN, copy_project
from helpers import EXT_SUFFIX, error_message, expected, run, scrubbed, without_zig_on_path

ADD = "return PyLong_FromLong(a + b);"
ADD_AND_PRINT = "import demo; print(demo.add(2, 3))"


class Dev:
    """A copy of examples/demo installed editable into a venv."""

    def __init__(self, project: Path, venv, output: str):
        self.project = project
        self.venv = venv
        self.output = output
        self.source = project / "src" / "demo" / "demo.c"
        self.original = self.source.read_text()
        self.init = project / "src" / "demo" / "__init__.py"
        self.original_init = self.init.read_text()

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(self.venv.env)
        env.pop("ZLIG_ZIG", None)
        env["PATH"] = without_zig_on_path(env.get("PATH", ""))
        env.update(extra)
        return env

    def python(self, code: str, **extra: str):
        """Runs `code` in a new interpreter of the venv, outside the project."""
        return self.venv.call(code, cwd=self.venv.path.parent, env=self.env(**extra))

    def add_offset(self, offset: int) -> None:
        """Edits demo.c so that add(a, b) returns a + b + offset."""
        body = ADD if offset == 0 else ADD.replace("a + b", f"a + b + {offset}")
        self.source.write_text(self.original.replace(ADD, body))

    def restore(self) -> None:
        self.source.write_text(self.original)
        self.init.write_text(self.original_init)
        assert self.python(ADD_AND_PRINT).stdout.splitlines()[-1] == "5"


def pip_install_editable(env, venv, project: Path, *args: str) -> str:
    """`pip install -e` with dependencies: the editable wheel needs zlig (from the
    wheelhouse, through PIP_FIND_LINKS) at run time."""
    return run([sys.executable, "-m", "pip", "--python", venv.python, "install", *args, "-e", project], env=env).stdout


@pytest.fixture(scope="module")
def pip_dev(frontend_env, venvs, tmp_path_factory):
    project = copy_project("demo", tmp_path_factory.mktemp("pip-dev"))
    venv = venvs.create("pip-dev")
    dev = Dev(project, venv, pip_install_editable(frontend_env, venv, project))
    yield dev
    dev.restore()


@pytest.fixture
def dev(pip_dev):
    """The pip editable install, with its sources put back after the test."""
    yield pip_dev
    pip_dev.restore()


def test_editable_wheel_adds_no_requirement_and_needs_neither_zlig_nor_ziglang(pip_dev):
    # [project] declares `dependencies` statically: the editable metadata must be the same
    # (frontends such as uv trust the static metadata).
    code = "import importlib.metadata as m; print(m.requires('demo'))"
    assert pip_dev.python(code).stdout.strip().splitlines()[-1] == "None"
    assert pip_dev.python("import zlig").returncode != 0
    assert pip_dev.python("import ziglang").returncode != 0


def test_editable_python_comes_from_the_source_tree_and_modules_from_the_build_dir(dev):
    code = "import demo, demo.demo; print(demo.add(2, 3)); print(demo.__file__); print(demo.demo.__file__)"
    added, init, module = dev.python(code).stdout.strip().splitlines()[-3:]
    assert added == "5"
    assert init == str(dev.project / "src" / "demo" / "__init__.py")
    assert module.startswith(str(dev.project / "build" / "zlig") + "/")
    assert module.endswith(f"demo{EXT_SUFFIX}")
    # Nothing was built next to the sources.
    assert sorted(p.name for p in (dev.project / "src" / "demo").iterdir() if p.name != "__pycache__") == [
        "__init__.py",
        "demo.c",
    ]


def test_the_import_hook_costs_an_interpreter_start_no_imports(dev, venvs):
    """The hook runs at every start of the venv's interpreter (through the .pth file):
    until one of the project's extension modules is imported, it imports nothing that the
    interpreter of a venv without it does not."""
    code = "import sys; print(sorted(sys.modules))"

    def started(venv) -> set:
        return set(ast.literal_eval(venv.call(code, check=True).stdout.strip().splitlines()[-1]))

    extra = started(dev.venv) - started(venvs.create("no-editable"))
    assert {m for m in extra if not m.startswith("_zlig_editable_")} == set(), sorted(extra)
    assert any(m.startswith("_zlig_editable_") for m in extra), sorted(extra)


def test_editable_python_edit_takes_effect_at_once(dev):
    dev.init.write_text(dev.original_init + '\nEDITED = "yes"\n')
    assert dev.python("import demo; print(demo.EDITED)").stdout.strip().splitlines()[-1] == "yes"


def test_editable_c_edit_takes_effect_on_the_next_import(dev):
    dev.add_offset(100)
    proc = dev.python(ADD_AND_PRINT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "105"
    dev.add_offset(1000)
    assert dev.python(ADD_AND_PRINT).stdout.strip().splitlines()[-1] == "1005"


def stale_warnings(dev: Dev, output: str) -> list[str]:
    """The import hook's warnings in `output` (Python's `UserWarning` lines, less the hook
    file's name and line), the project's folder named `[TMP]`."""
    return [
        scrubbed(line.split("UserWarning: ", 1)[1], dev.project.parent)
        for line in output.splitlines()
        if "UserWarning: " in line
    ]


def test_editable_rebuild_env_zero_uses_the_last_build_and_says_it_is_old(dev):
    dev.add_offset(1000)
    proc = dev.python(ADD_AND_PRINT, ZLIG_EDITABLE_REBUILD="0")
    assert proc.returncode == 0, proc.stdout
    # No build ran; the one warning says why the module is the old one.
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "5", proc.stdout
    assert stale_warnings(dev, proc.stdout) == [
        (
            "demo.demo: [TMP]/demo/src/demo/demo.c changed after the module was built, and the editable install of demo "
            "does not rebuild on import (ZLIG_EDITABLE_REBUILD=0): the module is the old one; reinstall with "
            "`pip install -e [TMP]/demo` to build it"
        ),
    ]
    assert dev.python(ADD_AND_PRINT).stdout.strip().splitlines()[-1] == "1005"


def test_editable_compile_error_is_an_import_error_with_the_diagnostic_then_recovers(dev):
    dev.source.write_text(dev.original + "\nstatic int broken(void) { return 1 }\n")
    code = (
        "try:\n"
        "    import demo\n"
        "except ImportError as e:\n"
        "    print('ImportError:', e)\n"
    )
    proc = dev.python(code)
    assert proc.returncode == 0, proc.stdout
    message = proc.stdout[proc.stdout.index("ImportError:"):]
    assert scrubbed(message, dev.project.parent) == expected("""
        ImportError: demo.demo: rebuilding the editable install of demo failed:
        install
        +- install demo
           +- compile lib demo fast x86_64-linux-gnu.2.17 1 errors
        src/demo/demo.c:25:35: error: expected ';' after return statement
        static int broken(void) { return 1 }
                                          ^
        error: 1 compilation errors
        failed command: [SITE_PACKAGES]/ziglang/zig build-lib -cflags -fwrapv -fno-strict-aliasing -DNDEBUG -fdebug-compilation-dir=. -ffile-prefix-map=[PYTHON_INCLUDE]=python -ffile-prefix-map=[SITE_PACKAGES]/ziglang/lib=zig -- src/demo/demo.c -fstrip -fPIC -fno-sanitize-c -Ofast -target x86_64-linux-gnu.2.17 -mcpu baseline -isystem [PYTHON_INCLUDE] -Mroot -lc --gc-sections -fallow-shlib-undefined --cache-dir zig-cache --global-cache-dir [HOME]/.cache/zig --build-root [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig --name demo -dynamic --version-script [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/exports/demo.demo.map --zig-lib-dir [SITE_PACKAGES]/ziglang/lib/ --listen=-
    """)
    # Fixed, the next import recovers.
    dev.add_offset(100)
    assert dev.python(ADD_AND_PRINT).stdout.strip().splitlines()[-1] == "105"


def test_editable_import_with_nothing_to_rebuild_prints_nothing(dev):
    assert dev.python(ADD_AND_PRINT).stdout.strip() == "5"  # builds, if needed
    proc = dev.python(ADD_AND_PRINT)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "5"


def test_editable_rebuild_false_at_install_keeps_the_installed_build_and_warns_once_edited(frontend_env, venvs, tmp_path):
    project = copy_project("demo", tmp_path)
    venv = venvs.create("no-rebuild")
    pip_install_editable(frontend_env, venv, project, "-C", "editable-rebuild=false")
    dev = Dev(project, venv, "")
    assert dev.python(ADD_AND_PRINT).stdout.strip() == "5"  # nothing edited: nothing said
    dev.add_offset(100)
    proc = dev.python(ADD_AND_PRINT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "5"
    assert stale_warnings(dev, proc.stdout) == [
        (
            "demo.demo: [TMP]/demo/src/demo/demo.c changed after the module was built, and the editable install of demo "
            "does not rebuild on import (-C editable-rebuild=false): the module is the old one; reinstall with "
            "`pip install -e [TMP]/demo` to build it"
        ),
    ]


def uv_install_editable(env, wheelhouse, venv, project: Path) -> str:
    return run(
        [
            Path(sys.executable).parent / "uv", "pip", "install",
            "--python", venv.python,
            "--no-index", "--find-links", wheelhouse,
            "--refresh",  # never the zlig wheel uv cached in another session
            "-e", project,
        ],
        env=env,
    ).stdout


def test_uv_editable_install_into_a_fresh_venv_works(frontend_env, wheelhouse, venvs, tmp_path):
    project = copy_project("demo", tmp_path)
    venv = venvs.create("uv-dev-fresh")
    uv_install_editable(frontend_env, wheelhouse, venv, project)
    proc = Dev(project, venv, "").python(ADD_AND_PRINT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "5"


def test_uv_editable_install_follows_python_and_c_edits(frontend_env, wheelhouse, venvs, tmp_path):
    project = copy_project("demo", tmp_path)
    venv = venvs.create("uv-dev")
    uv_install_editable(frontend_env, wheelhouse, venv, project)
    dev = Dev(project, venv, "")
    assert dev.python(ADD_AND_PRINT).stdout.strip().splitlines()[-1] == "5"
    dev.add_offset(100)
    dev.init.write_text(dev.original_init + '\nEDITED = "yes"\n')
    proc = dev.python("import demo; print(demo.add(2, 3), demo.EDITED)")
    assert proc.stdout.strip().splitlines()[-1] == "105 yes", proc.stdout


@pytest.mark.cold
def test_editable_install_keeps_working_after_the_build_env_is_gone(frontend_env, zlig_version, venvs, tmp_path):
    """Without ZLIG_ZIG, pip's isolated build env gets ziglang and ninja from PyPI; that
    env is deleted after the install, and the rebuild on import still works: zlig keeps
    the tools in the user's cache."""
    env = dict(frontend_env)
    del env["ZLIG_ZIG"]
    del env["PIP_NO_INDEX"]  # ziglang comes from the index
    env["PATH"] = without_zig_on_path(os.environ.get("PATH", ""))
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"zlig=={zlig_version}\n")  # zlig from the wheelhouse only
    env["PIP_CONSTRAINT"] = str(constraints)

    project = copy_project("demo", tmp_path)
    venv = venvs.create("cold-dev")
    pip_install_editable(env, venv, project)
    dev = Dev(project, venv, "")

    assert dev.python("import ziglang").returncode != 0  # not in the venv: nothing needs it

    dev.add_offset(100)
    proc = dev.python(ADD_AND_PRINT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "105"


ROUNDS = 8
AT_ONCE = 12


def test_parallel_first_imports_after_a_c_edit_all_get_the_new_module(backend_env, venvs, tmp_path):
    """Interpreters that import at once after an edit take turns at the rebuild (the build
    dir's lock): none loads a module that another one's ninja is still writing."""
    env = backend_env
    project = copy_project("demo", tmp_path)
    venv = venvs.create("parallel-dev")
    dev = Dev(project, venv, pip_install_editable(env, venv, project, "-C", "backend=ninja"))
    failed = []
    for edit in range(1, ROUNDS + 1):
        dev.add_offset(edit)
        procs = [
            subprocess.Popen(
                [venv.python, "-c", ADD_AND_PRINT],
                cwd=venv.path.parent,
                env=dev.env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(AT_ONCE)
        ]
        for proc in procs:
            output = proc.communicate(timeout=300)[0]
            if proc.returncode != 0 or output.strip().splitlines()[-1:] != [str(5 + edit)]:
                failed.append(f"edit {edit}, exit {proc.returncode}:\n{output}")
    assert not failed, f"{len(failed)} of {ROUNDS * AT_ONCE} imports failed:\n" + "\n".join(failed)


def hook_config(venv) -> dict:
    """The configuration an editable install gave its import hook (`_zlig_editable_*.py`
    ends with `def start(): install("<json>", [<module names>])`)."""
    (module,) = venv.path.glob("lib/python*/site-packages/_zlig_editable_*.py")
    start = ast.parse(module.read_text()).body[-1]
    assert isinstance(start, ast.FunctionDef) and start.name == "start", ast.dump(start)
    call = start.body[-1].value
    assert isinstance(call, ast.Call) and call.func.id == "install", ast.dump(call)
    return json.loads(ast.literal_eval(call.args[0]))


def test_editable_install_whose_tool_any_user_may_replace_fails_unless_rebuilding_is_off(frontend_env, venvs, tmp_path):
    tools = tmp_path / "tools"
    tools.mkdir()
    shutil.copy2(BIN / "ninja", tools / "ninja")
    tools.chmod(0o777)  # explicitly: the tests run as root, who owns whatever they make
    env = dict(frontend_env, ZLIG_NINJA=str(tools / "ninja"))
    project = copy_project("demo", tmp_path)
    venv = venvs.create("shared-tool-dev")
    # Without -v: pip shows a hook's output only when it fails, and this one must be seen.
    command = [sys.executable, "-m", "pip", "--python", venv.python, "install", "-C", "backend=ninja", "-e", project]
    failed = run(command, env=env, check=False)
    assert failed.returncode != 0
    assert scrubbed(error_message(failed.stdout), tmp_path) == expected("""
        zlig: error: this editable install could not rebuild its extensions on import: it would run [TMP]/tools/ninja later, which another user could replace: other users may write [TMP]/tools (mode 777), so that it could be another program by then. Its modules would then stay as built now while you edit their sources. Point ZLIG_ZIG (or ZLIG_NINJA) at a tool in a lasting folder of yours, or make zlig's cache (~/.cache/zlig, or $XDG_CACHE_HOME/zlig) a folder of yours that no one else may write, so that zlig keeps its tools there, and install again; or, to install it anyway and reinstall after each edit of a C, C++, Cython or Zig source, add `-C editable-rebuild=false`
    """)
    assert not list(venv.path.glob("lib/python*/site-packages/_zlig_editable_*"))

    # Turned off by the user: installed, said once, and the module is the installed build.
    output = pip_install_editable(env, venv, project, "-v", "-C", "backend=ninja", "-C", "editable-rebuild=false")
    assert output.count("will not rebuild its extensions on import (-C editable-rebuild=false)") == 1, output
    assert hook_config(venv)["rebuild"] is None
    dev = Dev(project, venv, output)
    dev.add_offset(100)
    proc = dev.python(ADD_AND_PRINT)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "5"
    assert stale_warnings(dev, proc.stdout) == [
        (
            "demo.demo: [TMP]/demo/src/demo/demo.c changed after the module was built, and the editable install of demo "
            "does not rebuild on import (-C editable-rebuild=false): the module is the old one; reinstall with "
            "`pip install -e [TMP]/demo` to build it"
        ),
    ]


def test_editable_install_with_a_backend_that_cannot_rebuild_fails_unless_rebuilding_is_off(plugin_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("demo")
    out = tmp_path / "out"
    out.mkdir()
    failed = plugin_venv.call(HOOK, "build_editable", str(out), '{"backend": "script"}', cwd=project, env=frontend_env)
    assert failed.returncode == 1, failed.stdout
    assert scrubbed(error_message(failed.stdout), tmp_path) == expected("""
        zlig: error: this editable install could not rebuild its extensions on import: the script backend has no command to run again. Its modules would then stay as built now while you edit their sources. Choose a built-in backend (`-C backend=ninja` or `zig`); or, to install it anyway and reinstall after each edit of a C, C++, Cython or Zig source, add `-C editable-rebuild=false`
    """)
    assert list(out.iterdir()) == []
    config = '{"backend": "script", "editable-rebuild": "false"}'
    assert plugin_venv.call(HOOK, "build_editable", str(out), config, cwd=project, env=frontend_env).returncode == 0


def test_editable_install_with_zligs_cache_in_a_private_folder_under_tmp_rebuilds_on_import(frontend_env, venvs, tmp_path_factory):
    # The object cache's launcher, which the rebuild runs, lies in that cache: the rule of
    # `src/trust.rs` takes a private folder below the sticky /tmp as safe.
    private = Path(tempfile.mkdtemp(prefix="zlig-private-", dir="/tmp"))  # mode 0700, mine
    try:
        env = dict(fresh_user_cache(frontend_env, private / "cache"), ZLIG_NINJA=str(BIN / "ninja"))
        project = copy_project("demo", tmp_path_factory.mktemp("private-cache"))
        venv = venvs.create("private-cache-dev")
        dev = Dev(project, venv, pip_install_editable(env, venv, project, "-C", "backend=ninja"))
        dev.add_offset(100)
        proc = dev.python(ADD_AND_PRINT)
        assert proc.returncode == 0, proc.stdout
        assert proc.stdout.strip().splitlines()[-1] == "105"
    finally:
        shutil.rmtree(private, ignore_errors=True)
