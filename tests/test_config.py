"""`[tool.zlig]` file-selection keys and `config_settings`, through the hooks and pip."""

from __future__ import annotations

import json

import pytest
from elftools.elf.elffile import ELFFile

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


def section_names(elf_bytes_path) -> set[str]:
    with open(elf_bytes_path, "rb") as f:
        return {s.name for s in ELFFile(f).iter_sections()}


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
        zlig: error: config_settings: `optimise`: unknown config setting (did you mean `optimize`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache
    """)
    assert "Traceback" not in built.output
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("mode", ["ReleaseSafe", "ReleaseSmall"])
def test_other_optimize_modes_build_working_modules(frontend, copy_example, venvs, tmp_path, mode):
    built = frontend.pip_wheel(copy_example("demo"), tmp_path / "out", "-C", f"optimize={mode}")
    assert venvs.with_wheels(built.wheel).run("import demo; print(demo.add(2, 3))") == "5"
