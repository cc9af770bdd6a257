"""Failures are for people: the compiler's diagnostic or the pyproject.toml place, no
traceback from zlig's internals, and nothing half-written left behind."""

from __future__ import annotations

from helpers import error_message, expected, scrubbed

BROKEN_C = "\nstatic int broken(void) { return 1 }\n"


def break_demo(project):
    source = project / "src" / "demo" / "demo.c"
    source.write_text(source.read_text() + BROKEN_C)


def test_c_syntax_error_shows_compiler_diagnostic_without_traceback(frontend, copy_example, tmp_path):
    project = copy_example("demo")
    break_demo(project)
    out = tmp_path / "out"
    built = frontend.pip_wheel(project, out, check=False)
    assert built.returncode != 0
    assert scrubbed(error_message(built.output), tmp_path) == expected("""
        zlig: error: compiling the extensions failed:
        install
        +- install demo
           +- compile lib demo fast x86_64-linux-gnu.2.17 1 errors
        src/demo/demo.c:25:35: error: expected ';' after return statement
        static int broken(void) { return 1 }
                                          ^
        error: 1 compilation errors
        failed command: [SITE_PACKAGES]/ziglang/zig build-lib -cflags -fwrapv -fno-strict-aliasing -DNDEBUG -fdebug-compilation-dir=. -ffile-prefix-map=[PYTHON_INCLUDE]=python -ffile-prefix-map=[SITE_PACKAGES]/ziglang/lib=zig -- src/demo/demo.c -fstrip -fPIC -fno-sanitize-c -Ofast -target x86_64-linux-gnu.2.17 -mcpu baseline -isystem [PYTHON_INCLUDE] -Mroot -lc --gc-sections -fallow-shlib-undefined --cache-dir zig-cache --global-cache-dir [HOME]/.cache/zig --build-root [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig --name demo -dynamic --version-script [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/exports/demo.demo.map --zig-lib-dir [SITE_PACKAGES]/ziglang/lib/ --listen=-
        command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
    """)
    assert "Traceback" not in built.output
    assert "zlig/__init__.py" not in built.output
    assert "panicked" not in built.output
    assert list(out.iterdir()) == []


def test_failed_build_wheel_leaves_the_wheel_dir_empty(copy_example, zlig_venv, frontend_env, tmp_path):
    project = copy_example("demo")
    break_demo(project)
    out = tmp_path / "wheels"
    out.mkdir()
    proc = zlig_venv.call(
        "import sys, zlig; zlig.build_wheel(sys.argv[1])", str(out), cwd=project, env=frontend_env
    )
    assert proc.returncode == 1, proc.stdout
    assert scrubbed(error_message(proc.stdout), tmp_path) == expected("""
        zlig: error: compiling the extensions failed:
        install
        +- install demo
           +- compile lib demo fast x86_64-linux-gnu.2.17 1 errors
        src/demo/demo.c:25:35: error: expected ';' after return statement
        static int broken(void) { return 1 }
                                          ^
        error: 1 compilation errors
        failed command: [SITE_PACKAGES]/ziglang/zig build-lib -cflags -fwrapv -fno-strict-aliasing -DNDEBUG -fdebug-compilation-dir=. -ffile-prefix-map=[PYTHON_INCLUDE]=python -ffile-prefix-map=[SITE_PACKAGES]/ziglang/lib=zig -- src/demo/demo.c -fstrip -fPIC -fno-sanitize-c -Ofast -target x86_64-linux-gnu.2.17 -mcpu baseline -isystem [PYTHON_INCLUDE] -Mroot -lc --gc-sections -fallow-shlib-undefined --cache-dir zig-cache --global-cache-dir [HOME]/.cache/zig --build-root [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig --name demo -dynamic --version-script [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/exports/demo.demo.map --zig-lib-dir [SITE_PACKAGES]/ziglang/lib/ --listen=-
        command: [SITE_PACKAGES]/ziglang/zig build --build-file [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/build.zig --cache-dir [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/zig-cache --prefix [TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/out -Dgraph=[TMP]/demo/build/zlig/[PY_TAG]-x86_64-linux-gnu.2.17/zig/graph.json -Djobs=[N] -Doptimize=fast -Dtarget=x86_64-linux-gnu.2.17 -j[N] --summary none
    """)
    assert "Traceback" not in proc.stdout
    assert list(out.iterdir()) == []


def test_unknown_tool_zlig_key_is_reported_with_place_and_suggestion(frontend, copy_example, tmp_path):
    project = copy_example("demo")
    pyproject = project / "pyproject.toml"
    lines = pyproject.read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("extensions = "))
    lines[line - 1] = lines[line - 1].replace("extensions = ", "extensoins = ", 1)
    pyproject.write_text("".join(lines))

    built = frontend.pip_wheel(project, tmp_path / "out", check=False)
    assert built.returncode != 0
    assert scrubbed(error_message(built.output), tmp_path) == expected("""
        zlig: error: pyproject.toml:14:1: `tool.zlig.extensoins`: unknown key; did you mean `extensions`?
           |
        14 | extensoins = [{name = "demo.demo", sources = ["src/**/*.c"]}]
           | ^^^^^^^^^^
    """)
    assert "Traceback" not in built.output
    # Reported once, not once per hook or per frontend retry.
    assert built.output.count("tool.zlig.extensoins") == 1, built.output
