"""Failures are for people: the compiler's diagnostic or the pyproject.toml place, no
traceback from zlig's internals, and nothing half-written left behind."""

from __future__ import annotations

import re

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
    assert re.search(r"demo\.c:\d+:\d+: error:", built.output), built.output
    assert "return 1 }" in built.output  # the offending line, quoted by the compiler
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
    assert "zlig: error:" in proc.stdout
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
    assert f"pyproject.toml:{line}:1:" in built.output, built.output
    assert "tool.zlig.extensoins" in built.output
    assert "did you mean `extensions`" in built.output
    assert "Traceback" not in built.output
    # Reported once, not once per hook or per frontend retry.
    assert built.output.count("tool.zlig.extensoins") == 1, built.output
