"""What a wheel holds and where it lands, built by real frontends and installed: paths that
`force-include` spells in several ways land at one path; files forced into a package are
found through `importlib.resources` in an editable install as in a regular one; PEP 794's
`import-names` follow what the wheel ships; a script with an `env -S` shebang runs once
installed; names that collide on macOS and Windows are warned of; the flags distributions
put in `LDFLAGS` build; the SBOM names the glibc the modules' symbols need.

(Refusals, each with its place, are in test_bad_input.py's catalogue.)"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from buildtools import call_hook, extract, section_names
from helpers import (
    ARCH,
    dist_info,
    error_message,
    expected,
    run,
    scrubbed,
    warning_lines,
    wheel_names,
    wheel_read,
    wheel_text,
)

BUILD_SYSTEM = '[build-system]\nrequires = ["zlig"]\nbuild-backend = "zlig"\n'


def make_project(folder: Path, pyproject: str, files: dict) -> Path:
    """A project `pkg` 1.0 in `folder`, with a readme, `pyproject` after its `[project]`
    table's name, version and readme, and `files` (path → text)."""
    folder.mkdir(parents=True)
    head = '[project]\nname = "pkg"\nversion = "1.0"\nreadme = "README.md"\n'
    (folder / "pyproject.toml").write_text(BUILD_SYSTEM + head + pyproject)
    (folder / "README.md").write_text("A test project.\n")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def validate(wheel: Path, *ignore: str) -> None:
    """check-wheel-contents and `twine check --strict` accept the wheel."""
    ignored = ["--ignore", ",".join(ignore)] if ignore else []
    run([sys.executable, "-m", "check_wheel_contents", *ignored, wheel])
    assert "PASSED" in run([sys.executable, "-m", "twine", "check", "--strict", wheel]).stdout


# ---------------------------------------------------------------------------- paths


def test_every_spelling_of_a_force_include_target_lands_at_one_path(frontend, venvs, tmp_path):
    project = make_project(
        tmp_path / "p",
        '[tool.zlig.wheel]\nforce-include = { "extra/a.txt" = ".//pkg/assets/./a.txt", '
        '"extra/b.txt" = "pkg/assets//b.txt/", "extra/deep" = "./pkg/deep/" }\n',
        {
            "src/pkg/__init__.py": "",
            "extra/a.txt": "a\n",
            "extra/b.txt": "b\n",
            "extra/deep/c.txt": "c\n",
        },
    )
    wheel = frontend.pip_wheel(project, tmp_path / "out").wheel
    names = [n for n in wheel_names(wheel) if not n.startswith(dist_info(wheel))]
    assert names == ["pkg/__init__.py", "pkg/assets/a.txt", "pkg/assets/b.txt", "pkg/deep/c.txt"]
    validate(wheel)
    venv = venvs.with_wheels(wheel)
    code = "import importlib.resources as r; f = r.files('pkg'); print(*(f.joinpath(p).read_text().strip() for p in ('assets/a.txt', 'assets/b.txt', 'deep/c.txt')))"
    assert venv.run(code) == "a b c"


# ---------------------------------------------------------------------------- editable

# A package whose data and one module come from outside it (`force-include`), read every way
# a package reads its files.
FORCED = {
    "src/pkg/__init__.py": (
        "import importlib.resources\n\n"
        "def read(*parts):\n"
        "    return importlib.resources.files(__name__).joinpath(*parts).read_text().strip()\n"
    ),
    "src/pkg/sub/__init__.py": "",
    "src/pkg/sub/own.txt": "own\n",
    "assets/data.txt": "forced data\n",
    "assets/more.txt": "forced more\n",
    "gen/extra.py": "VALUE = 'forced module'\n",
}
FORCED_TOML = (
    '[tool.zlig.wheel]\nforce-include = { "assets/data.txt" = "pkg/data.txt", '
    '"assets/more.txt" = "pkg/sub/more.txt", "gen/extra.py" = "pkg/extra.py" }\n'
)
READ_FORCED = """
import warnings; warnings.simplefilter("ignore")  # read_text is deprecated on 3.11 and 3.12
import importlib.resources, json, pkgutil
import pkg, pkg.extra
print(json.dumps([
    pkg.read("data.txt"),
    pkg.read("sub", "more.txt"),
    (importlib.resources.files("pkg") / "sub" / "own.txt").read_text().strip(),
    importlib.resources.files("pkg.sub").joinpath("more.txt").read_text().strip(),
    importlib.resources.read_text("pkg", "data.txt").strip(),
    pkgutil.get_data("pkg", "data.txt").decode().strip(),
    pkg.extra.VALUE,
    sorted(p.name for p in importlib.resources.files("pkg").iterdir() if not p.name.startswith("__")),
]))
print(pkg.__file__)
"""
EXPECTED_FORCED = [
    "forced data",
    "forced more",
    "own",
    "forced more",
    "forced data",
    "forced data",
    "forced module",
    ["data.txt", "extra.py", "sub"],
]


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_an_editable_install_finds_force_included_files_where_the_package_is(
    installer, frontend, venvs, tmp_path
):
    project = make_project(tmp_path / "p", FORCED_TOML, FORCED)
    wheel = frontend.pip_wheel(project, tmp_path / "out").wheel
    validate(wheel)
    regular = venvs.with_wheels(wheel, name="regular")
    editable = venvs.create("editable")
    if installer == "pip":
        frontend.pip_install(project, editable.python, "-e")
    else:
        run(
            [Path(sys.executable).parent / "uv", "pip", "install", "--python", editable.python,
             "--no-index", "--find-links", frontend.wheelhouse, "--refresh", "-e", project],
            env=frontend.env,
        )
    in_regular = regular.run(READ_FORCED).splitlines()
    in_editable = editable.run(READ_FORCED, cwd=tmp_path).splitlines()
    assert json.loads(in_regular[0]) == EXPECTED_FORCED
    assert json.loads(in_editable[0]) == EXPECTED_FORCED
    # The package itself is the project's, as an editable install's must be.
    assert in_editable[1] == str(project / "src" / "pkg" / "__init__.py")


# ---------------------------------------------------------------------------- import names

IMPORT_NAMES_FILES = {
    "src/pkg/__init__.py": "",
    "src/pkg/gone.py": "",
    "src/pkg/_fast.c": (
        "#include <Python.h>\n"
        "static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, \"_fast\", NULL, -1, NULL};\n"
        "PyMODINIT_FUNC PyInit__fast(void) { return PyModule_Create(&def); }\n"
    ),
    "extra/forced.py": "",
    "lib/side/__init__.py": "",
}


def import_names_toml(names: str) -> str:
    return (
        f"import-names = [{names}]\n"
        '[tool.zlig.wheel]\nexclude = ["src/pkg/gone.py"]\n'
        'force-include = { "extra/forced.py" = "pkg/forced.py" }\n'
        'data = { purelib = "lib" }\n'
        '[[tool.zlig.extensions]]\nname = "pkg._fast"\nsources = ["src/pkg/_fast.c"]\n'
    )


def test_import_names_are_the_modules_the_wheel_ships(frontend, venvs, tmp_path):
    listed = ["pkg", "pkg._fast", "pkg.forced", "side"]
    toml = import_names_toml(", ".join(f'"{n}"' for n in listed))
    project = make_project(tmp_path / "p", toml, IMPORT_NAMES_FILES)
    wheel = frontend.pip_wheel(project, tmp_path / "out").wheel
    metadata = wheel_text(wheel, "METADATA")
    assert [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Import-Name:")] == listed
    validate(wheel, "W009")
    venv = venvs.with_wheels(wheel)
    assert venv.run(f"import importlib; [importlib.import_module(n) for n in {listed!r}]; print('ok')") == "ok"
    assert venv.call("import pkg.gone").returncode != 0, "wheel.exclude removed it"


def test_an_import_name_that_wheel_exclude_removed_is_refused_with_its_place(frontend, tmp_path):
    toml = import_names_toml('"pkg", "pkg.gone"')
    project = make_project(tmp_path / "p", toml, IMPORT_NAMES_FILES)
    built = frontend.pip_wheel(project, tmp_path / "out", check=False)
    assert built.returncode != 0 and built.wheel is None
    assert scrubbed(error_message(built.output), tmp_path) == expected("""
        zlig: error: pyproject.toml:8:24: `project.import-names[1]`: the wheel has no module or package `pkg.gone`: list only names that `import` finds once the project is installed
          |
        8 | import-names = ["pkg", "pkg.gone"]
          |                        ^^^^^^^^^^
    """)


# ---------------------------------------------------------------------------- scripts


def test_a_script_with_an_env_dash_s_shebang_runs_once_installed(frontend, venvs, zlig_venv, frontend_env, tmp_path):
    project = make_project(
        tmp_path / "p",
        '[tool.zlig.wheel]\ndata = { scripts = "bin" }\n',
        {
            "src/pkg/__init__.py": "VALUE = 42\n",
            "bin/pkg-tool": "#!/usr/bin/env -S python3 -u -X dev\nimport pkg, sys\nprint(pkg.VALUE, sys.executable)\n",
            "bin/pkg-uv": "#!/usr/bin/env -S uv run --python 3.12 --script\nprint('uv')\n",
        },
    )
    (project / "bin" / "pkg-tool").chmod(0o755)
    built = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env)
    wheel = built.path
    data = "pkg-1.0.data/scripts"
    assert wheel_read(wheel, f"{data}/pkg-tool").startswith(b"#!python\nimport pkg")
    # Not a Python shebang (uv's `--python` option is no interpreter): kept as it is.
    assert wheel_read(wheel, f"{data}/pkg-uv") == (project / "bin" / "pkg-uv").read_bytes()
    assert warning_lines(built.output) == [
        (
            "zlig: warning: bin/pkg-tool starts with `#!/usr/bin/env -S python3 -u -X dev`; the wheel makes that line "
            "`#!python`, which installers replace with the environment's interpreter alone, so the installed script runs "
            "without `-u -X dev`: set it in the script instead"
        ),
    ]
    validate(wheel)
    by_pip = venvs.create("by-pip")
    frontend.pip_install(project, by_pip.python)
    by_uv = venvs.with_wheels(wheel, name="by-uv")
    for venv in (by_pip, by_uv):
        out = run([venv.bin("pkg-tool")], env=venv.env).stdout.split()
        assert out[0] == "42" and out[1].startswith(str(venv.path)), out


# ---------------------------------------------------------------------------- names


def test_names_that_collide_on_macos_and_windows_are_warned_of(zlig_venv, frontend_env, tmp_path):
    nfc = unicodedata.normalize("NFC", "café.txt")
    nfd = unicodedata.normalize("NFD", "café.txt")
    project = make_project(
        tmp_path / "p",
        "",
        {
            "src/pkg/__init__.py": "",
            "src/pkg/Data.txt": "upper\n",
            "src/pkg/data.txt": "lower\n",
            f"src/pkg/{nfc}": "nfc\n",
            f"src/pkg/{nfd}": "nfd\n",
        },
    )
    built = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", frontend_env)
    assert warning_lines(built.output) == [
        (
            f"zlig: warning: the wheel installs `pkg/{nfd}` and `pkg/{nfc}` (`pkg/cafe\\u{{301}}.txt` and "
            "`pkg/caf\\u{e9}.txt`), one name in two Unicode normalization forms: macOS file systems take them for one, "
            "so one replaces the other when installed there; rename one"
        ),
        (
            "zlig: warning: the wheel installs `pkg/Data.txt` and `pkg/data.txt`, which differ only in case: macOS and "
            "Windows file systems ignore case, so one replaces the other when installed there; rename one"
        ),
    ]
    assert {"pkg/Data.txt", "pkg/data.txt", f"pkg/{nfc}", f"pkg/{nfd}"} <= set(wheel_names(built.path))
    validate(built.path)


# ---------------------------------------------------------------------------- LDFLAGS

# What Debian, Fedora, Ubuntu, Arch, Alpine and conda-forge put in LDFLAGS.
DISTRIBUTION_LDFLAGS = (
    "-Wl,-z,relro -Wl,-z,now -Wl,-O1 -Wl,--as-needed -Wl,--sort-common -Wl,--hash-style=gnu "
    "-Wl,-Bsymbolic-functions -fstack-protector-strong -flto=auto "
    "-specs=/usr/lib/rpm/redhat/redhat-hardened-ld -Wl,--build-id=sha1 "
    "-Wl,-O2,--sort-common,--as-needed,-z,pack-relative-relocs -Wl,--disable-new-dtags "
    "-Wl,--gc-sections -Wl,--allow-shlib-undefined"
)
LEFT_OUT = [
    "-Wl,-O1, -Wl,-O2 (zig's linker has no optimization levels)",
    "-Wl,--sort-common (ignored by LLD, zig's linker)",
    "-Wl,--hash-style=gnu (zig writes both",
    "-Wl,-Bsymbolic-functions (a module's own symbols are local already",
    "-fstack-protector-strong, -flto=auto (compiler options",
    "-specs=/usr/lib/rpm/redhat/redhat-hardened-ld (read by GCC's driver",
    "-Wl,-z,pack-relative-relocs (not among the linker options zlig passes on",
]


@pytest.mark.parametrize(
    "config",
    [{"backend": "ninja"}, {"backend": "ninja", "optimize": "Debug"}, {"backend": "zig"}],
    ids=["ninja", "ninja-debug", "zig"],
)
def test_distribution_ldflags_build_modules_that_import_with_one_note(
    config, zlig_venv, backend_env, venvs, tmp_path
):
    project = make_project(
        tmp_path / "p",
        '[[tool.zlig.extensions]]\nname = "pkg._fast"\nsources = ["src/pkg/_fast.c"]\n',
        {"src/pkg/__init__.py": "", "src/pkg/_fast.c": IMPORT_NAMES_FILES["src/pkg/_fast.c"]},
    )
    env = dict(backend_env, LDFLAGS=DISTRIBUTION_LDFLAGS)
    built = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", env, config)
    notes = [line for line in built.output.splitlines() if "LDFLAGS" in line]
    assert len(notes) == 1, built.output
    assert notes[0].startswith("zlig: note: LDFLAGS: left out "), notes[0]
    for part in LEFT_OUT:
        assert part in notes[0], notes[0]
    assert notes[0].endswith("; the other flags are passed on"), notes[0]
    validate(built.path)
    venv = venvs.with_wheels(built.path)
    assert venv.run("import pkg._fast; print(pkg._fast.__name__)") == "pkg._fast"
    # `-Wl,--build-id=sha1` and `-Wl,--disable-new-dtags` reached the linker.
    module = extract(built.path, next(n for n in wheel_names(built.path) if n.endswith(".so")), tmp_path / "so")
    assert ".note.gnu.build-id" in section_names(module)


# ---------------------------------------------------------------------------- SBOM


def glibc_versions(path: Path) -> list[tuple[int, ...]]:
    """The GLIBC_ symbol versions the ELF file needs, read with pyelftools."""
    versions = []
    with open(path, "rb") as f:
        section = ELFFile(f).get_section_by_name(".gnu.version_r")
        for _, auxiliaries in section.iter_versions() if section else ():
            for aux in auxiliaries:
                if aux.name.startswith("GLIBC_"):
                    versions.append(tuple(int(p) for p in aux.name[len("GLIBC_"):].split(".")))
    return versions


def test_the_sbom_names_the_glibc_version_the_symbols_need_in_full(zlig_venv, backend_env, tmp_path):
    source = (
        "#include <Python.h>\n#include <stdio.h>\n"
        "static PyObject *say(PyObject *self, PyObject *arg) { puts(\"hi\"); Py_RETURN_NONE; }\n"
        "static PyMethodDef methods[] = {{\"say\", say, METH_NOARGS, NULL}, {NULL}};\n"
        "static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, \"_say\", NULL, -1, methods};\n"
        "PyMODINIT_FUNC PyInit__say(void) { return PyModule_Create(&def); }\n"
    )
    project = make_project(
        tmp_path / "p",
        '[[tool.zlig.extensions]]\nname = "pkg._say"\nsources = ["src/pkg/_say.c"]\n',
        {"src/pkg/__init__.py": "", "src/pkg/_say.c": source},
    )
    wheel = call_hook(zlig_venv, "build_wheel", project, tmp_path / "out", backend_env).path
    validate(wheel)
    module = extract(wheel, next(n for n in wheel_names(wheel) if n.endswith(".so")), tmp_path / "so")
    needed = max(glibc_versions(module))
    if ARCH == "x86_64":
        # puts@GLIBC_2.2.5: the version whose third part the SBOM once lost.
        assert needed == (2, 2, 5)
    sbom = json.loads(wheel_read(wheel, f"{dist_info(wheel)}/sboms/zlig.cdx.json"))
    glibc = next(c for c in sbom["components"] if c["name"] == "glibc")
    assert glibc["version"] == ".".join(map(str, needed))
    assert glibc["bom-ref"] == f"glibc@{glibc['version']}"
