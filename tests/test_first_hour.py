"""A newcomer's first hour (issue 20): the right zlig from an index that holds the 2021
proof of concept `zlig 0.0.0`, one error naming every missing tool, a build dir git never
lists, `zlig clean` removing what zlig made and nothing else, "up to date" when nothing was
compiled, progress (ninja's on a terminal, an estimate from the last cold compile), an sdist
without built modules or `.gitignore`d files, and compiler errors that name files as the
user knows them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from buildtools import HOOK, fresh_user_cache, tree
from helpers import EXAMPLES, EXT_SUFFIX, ROOT, error_message, expected, run, scrubbed, sdist_names, without_zig_on_path

IMPOSTOR_MARK = "IMPOSTOR-RAN"


def zlig(venv, *args, cwd=None, env=None):
    return run([venv.bin("zlig"), *args], cwd=cwd, env=env, check=False, split=True)


# ---------------------------------------------------------------------------- the requirement


def zlig_requirements(text: str) -> list[str]:
    """The requirements on zlig in `requires = [...]` lists of `text` (TOML, or TOML shown
    in Markdown or in a message)."""
    found = []
    for listed in re.findall(r"requires = \[([^\]]*)\]", text):
        found += [r for r in re.findall(r'\\?"([^"\\]+)\\?"', listed) if re.match(r"zlig\b", r)]
    return found


def test_every_zlig_requirement_users_copy_rules_out_the_proof_of_concept_on_pypi(zlig_version):
    from packaging.requirements import Requirement

    places = [ROOT / "README.md", *EXAMPLES.glob("*/pyproject.toml"), *EXAMPLES.glob("*/README.md")]
    places += [*(ROOT / "src").rglob("*.rs"), *(ROOT / "python").rglob("*.py")]
    seen = {}
    for place in places:
        for text in zlig_requirements(place.read_text()):
            seen[f"{place.relative_to(ROOT)}: {text}"] = Requirement(text)
    assert len(seen) > len(list(EXAMPLES.glob("*/pyproject.toml"))), seen
    for where, requirement in seen.items():
        assert not requirement.specifier.contains("0.0.0"), f"{where} lets pip pick zlig 0.0.0"
        assert requirement.specifier.contains(zlig_version), f"{where} rules out this zlig, {zlig_version}"


def impostor_wheel(folder: Path) -> Path:
    """A wheel named `zlig 0.0.0` whose hooks leave a mark in the project and fail, as the
    proof of concept on PyPI does."""
    files = {
        "zlig/__init__.py": (
            "import pathlib\n"
            "def _ran(*args, **kwargs):\n"
            f"    pathlib.Path({IMPOSTOR_MARK!r}).write_text('the index zlig 0.0.0 ran')\n"
            "    raise RuntimeError('zlig 0.0.0')\n"
            "get_requires_for_build_wheel = build_wheel = prepare_metadata_for_build_wheel = _ran\n"
        ),
        "zlig-0.0.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: zlig\nVersion: 0.0.0\n",
        "zlig-0.0.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append("zlig-0.0.0.dist-info/RECORD,,")
    wheel = folder / "zlig-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        zf.writestr("zlig-0.0.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def test_an_index_holding_only_the_proof_of_concept_fails_at_once_and_never_runs_it(frontend_env, copy_example, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    impostor_wheel(index)
    env = dict(frontend_env, PIP_FIND_LINKS=str(index), PIP_NO_INDEX="1")
    project = copy_example("demo")
    proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", project], env=env, check=False)
    assert proc.returncode != 0
    assert "zlig>=0.1" in proc.stdout, proc.stdout
    assert not (project / IMPOSTOR_MARK).exists()
    # What `requires = ["zlig"]` did: pip took the impostor and ran it in the project.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"zlig>=0.1"', '"zlig"'))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", project], env=env, check=False)
    assert (project / IMPOSTOR_MARK).exists()


# ---------------------------------------------------------------------------- missing tools


def test_a_build_lacking_cython_zig_and_ninja_names_them_all_in_one_command(zlig_venv, copy_example, frontend_env, tmp_path):
    env = fresh_user_cache(frontend_env, tmp_path / "cache")  # no tool kept from earlier builds
    env.pop("ZLIG_ZIG")
    env["PATH"] = ":".join(
        d for d in without_zig_on_path(env["PATH"]).split(":") if not (Path(d) / "ninja").exists()
    )
    proc = zlig(zlig_venv, "build", "--wheel", copy_example("cython"), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert scrubbed(error_message(proc.stderr), tmp_path) == expected("""
        zlig: error: no compile backend can build this project on this machine:
          ninja: ninja (ZLIG_NINJA, the ninja package, PATH): not found; ziglang package: not installed in this environment; zig on PATH: not found
          zig: ziglang package: not installed in this environment; zig on PATH: not found
          cc: used only when named (-C backend=cc)
        Install what this build lacks, all at once: `pip install "cython>=3.0" "ziglang>=0.17,<0.18" "ninja>=1.10"`
        (or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)
    """)


# ---------------------------------------------------------------------------- housekeeping


def test_git_status_never_lists_the_build_dir(zlig_venv, frontend_env, copy_example):
    project = copy_example("demo")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", project]
    run([*git, "init", "-q"])
    run([*git, "add", "."])
    run([*git, "commit", "-qm", "demo"])
    proc = zlig(zlig_venv, "build", "--wheel", "-o", project.parent / "out", project, env=frontend_env)
    assert proc.returncode == 0, proc.stderr
    assert (project / "build" / "zlig").is_dir()
    assert run([*git, "status", "--porcelain", "--untracked-files=all"]).stdout == ""


def test_clean_removes_the_build_folder_it_made_and_the_modules_it_put_in_place(zlig_venv, frontend_env, copy_example):
    project = copy_example("demo")
    before = tree(project)
    proc = zlig(zlig_venv, "develop", "--inplace", project, env=frontend_env)
    assert proc.returncode == 0, proc.stderr
    module = project / "src" / "demo" / f"demo{EXT_SUFFIX}"
    assert module.is_file()
    cleaned = zlig(zlig_venv, "clean", project, env=frontend_env)
    assert cleaned.returncode == 0, cleaned.stderr
    assert sorted(cleaned.stdout.splitlines()) == [f"removed {project / 'build'}", f"removed {module}"]
    assert tree(project) == before


def test_clean_keeps_an_in_place_module_changed_since(zlig_venv, frontend_env, copy_example):
    project = copy_example("demo")
    zlig(zlig_venv, "develop", "--inplace", project, env=frontend_env)
    module = project / "src" / "demo" / f"demo{EXT_SUFFIX}"
    module.write_bytes(b"someone else's module")
    assert zlig(zlig_venv, "clean", project, env=frontend_env).returncode == 0
    assert module.read_bytes() == b"someone else's module"


def test_a_build_that_compiles_nothing_says_up_to_date_last(zlig_venv, frontend_env, copy_example, tmp_path):
    project = copy_example("demo")
    out = tmp_path / "out"
    first = zlig(zlig_venv, "build", "--wheel", "-o", out, project, env=frontend_env)
    assert first.returncode == 0, first.stderr
    assert "zlig: compiling 1 extension (1 source file)" in first.stderr
    assert re.match(r"zlig: built 1 extension \(1 source file\) with .* in [\d.]+ s; wrote demo-", first.stderr.splitlines()[-1])
    again = zlig(zlig_venv, "build", "--wheel", "-o", out, project, env=frontend_env)
    assert "compiling" not in again.stderr, again.stderr
    assert re.match(r"zlig: 1 extension up to date \(.*\); wrote demo-", again.stderr.splitlines()[-1]), again.stderr


def test_a_verbose_build_shows_ninja_s_progress_and_remembers_how_long_it_took(zlig_venv, backend_env, copy_example, tmp_path):
    env = fresh_user_cache(backend_env, tmp_path / "cache")
    proc = zlig(zlig_venv, "build", "--wheel", "-v", "-C", "backend=ninja", copy_example("multi"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^\[1/\d+\] ", proc.stderr, re.MULTILINE), proc.stderr
    durations = json.loads((tmp_path / "cache" / "zlig" / "durations.json").read_text())
    assert durations["compile-per-source:ninja"] > 0


def test_on_a_terminal_ninja_s_progress_shows_without_verbose(zlig_venv, backend_env, copy_example, tmp_path):
    import os
    import pty
    import subprocess

    leader, follower = pty.openpty()
    proc = subprocess.run(
        [zlig_venv.bin("zlig"), "build", "--wheel", "-o", tmp_path / "out", "-C", "backend=ninja", copy_example("demo")],
        env=fresh_user_cache(backend_env, tmp_path / "cache"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, timeout=600, check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    text = shown.decode(errors="replace")
    assert proc.returncode == 0, text
    assert re.search(r"^\[1/\d+\] compiling src/demo/demo\.c", text, re.MULTILINE), text


def test_a_cold_compile_says_how_long_it_took_last_time(zlig_venv, backend_env, copy_example, tmp_path):
    cache = tmp_path / "cache"
    (cache / "zlig").mkdir(parents=True)
    # What a slow machine's last cold build left: 5 s per source file.
    (cache / "zlig" / "durations.json").write_text('{"compile-per-source:ninja": 5.0}')
    env = fresh_user_cache(backend_env, cache)
    proc = zlig(zlig_venv, "build", "--wheel", "-C", "backend=ninja", copy_example("demo"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^zlig: compiling 1 extension \(1 source file\) .*\(about 5 s going by the last time\)$", proc.stderr, re.MULTILINE), proc.stderr
    # And this build's own time is the next estimate.
    assert json.loads((cache / "zlig" / "durations.json").read_text())["compile-per-source:ninja"] != 5.0


# ---------------------------------------------------------------------------- the sdist


def test_sdist_after_develop_inplace_has_no_built_module_and_no_gitignored_file(zlig_venv, frontend, copy_example, tmp_path):
    project = copy_example("demo")
    (project / ".gitignore").write_text("notes.txt\n")
    (project / "src" / "demo" / "notes.txt").write_text("mine\n")
    (project / "src" / "demo" / "data.txt").write_text("shipped\n")
    proc = zlig(zlig_venv, "develop", "--inplace", project, env=frontend.env)
    assert proc.returncode == 0, proc.stderr
    assert (project / "src" / "demo" / f"demo{EXT_SUFFIX}").is_file()
    names = sdist_names(frontend.build(project, tmp_path / "out", "--sdist").sdist)
    assert "src/demo/data.txt" in names
    assert not [n for n in names if n.endswith(".so") or "notes.txt" in n or n.startswith("build/")], names

    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.zlig.sdist]\ninclude = ["src/demo/notes.txt"]\n')
    names = sdist_names(frontend.build(project, tmp_path / "out2", "--sdist").sdist)
    assert "src/demo/notes.txt" in names
    assert not [n for n in names if n.endswith(".so")], names


# ---------------------------------------------------------------------------- diagnostics


@pytest.mark.parametrize("backend", ["ninja", "zig", "cc"])
def test_a_c_error_names_the_file_from_the_project_root_and_the_compiler_s_command(backend, zlig_venv, backend_env, copy_example):
    project = copy_example("demo")
    source = project / "src" / "demo" / "demo.c"
    source.write_text(source.read_text() + "\nstatic int broken(void) { return 1 }\n")
    out = project.parent / "out"
    out.mkdir()
    proc = zlig_venv.call(HOOK, "build_wheel", str(out), json.dumps({"backend": backend}), cwd=project, env=backend_env)
    assert proc.returncode == 1, proc.stdout
    assert re.search(r"^src/demo/demo\.c:\d+:\d+: error:", proc.stdout, re.MULTILINE), proc.stdout
    diagnostic = [line for line in proc.stdout.splitlines() if not line.startswith("command: ")]
    assert not [line for line in diagnostic if "project/src" in line], proc.stdout
    if backend != "zig":
        # The compiler's own command, runnable as shown, not the object cache's launcher.
        (command,) = [line for line in proc.stdout.splitlines() if line.startswith("command: ")]
        assert "object_cache" not in command, command
        assert re.match(rf"command: cd \S+/{backend} && \S*(zig cc|cc|gcc) ", command), command
