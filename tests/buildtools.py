"""Helpers of the extension, target, editable and CLI tests: calling the hooks in a venv
and reading ELF files.

Plain functions, no pytest state (like helpers.py, which this module leaves alone).
"""

from __future__ import annotations

import json
import re
import struct
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from helpers import ARCH, run, wheel_read, without_zig_on_path

HOOK = (
    "import json, sys, zlig\n"
    "print(getattr(zlig, sys.argv[1])(sys.argv[2], json.loads(sys.argv[3])))"
)

# e_machine of the ELF header, by wheel-tag architecture.
EM = {"x86_64": 62, "aarch64": 183, "i686": 3, "ppc64le": 21, "s390x": 22, "riscv64": 243}


class Hooked:
    """What one hook call wrote, and everything it printed (stdout and stderr, merged)."""

    def __init__(self, path: Path, output: str):
        self.path = path
        self.output = output


def call_hook(venv, name: str, project: Path, out: Path, env: Mapping[str, str], config=None) -> Hooked:
    """Runs `zlig.<name>(out, config)` in `project` with the venv's python (as a frontend
    would, with `project` as the working directory); fails the test if it fails."""
    out.mkdir(parents=True, exist_ok=True)
    proc = venv.call(HOOK, name, str(out), json.dumps(config or {}), cwd=project, env=dict(env), check=True)
    return Hooked(out / proc.stdout.strip().splitlines()[-1], proc.stdout)


def build_failure(zlig_venv, env, project, config) -> str:
    """The output of a build_wheel hook that must fail, with one message and no traceback."""
    out = project.parent / "out"
    out.mkdir(exist_ok=True)
    proc = zlig_venv.call(
        HOOK, "build_wheel", str(out), json.dumps(config),
        cwd=project, env=env,
    )
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout.count("zlig: error:") == 1, proc.stdout
    assert "Traceback" not in proc.stdout and "panicked" not in proc.stdout
    assert list(out.iterdir()) == []
    return proc.stdout


def zig_cc(args: Sequence, cwd: Path) -> None:
    """`python -m ziglang cc ...` with the test venv's ziglang."""
    run([sys.executable, "-m", "ziglang", "cc", *args], cwd=cwd)


# The library examples/extlib links, which its wheel does not ship.
DEP = "libzligtestdep.so"


def build_dep(project: Path, folder: str) -> None:
    """Builds examples/extlib's libzligtestdep.so into `project/folder` with zig."""
    (project / folder).mkdir(parents=True, exist_ok=True)
    zig_cc(
        ["-shared", "-fPIC", "-O2", "-s", "-target", f"{ARCH}-linux-gnu.2.17",
         "-o", f"{folder}/{DEP}", "dep/zligtestdep.c"],
        cwd=project,
    )


def auditwheel_show(wheel: Path) -> str:
    return run([sys.executable, "-m", "auditwheel", "show", wheel]).stdout


def auditwheel_platform(output: str) -> str:
    """The platform tag that `auditwheel show` says the wheel is consistent with."""
    found = re.search(r'consistent with\s+the\s+following\s+platform\s+tag:\s+"([^"]+)"', output)
    assert found, output
    return found.group(1)


def assert_manylinux_at_most_2_17(platform: str, arch: str) -> None:
    """`platform` (from auditwheel) is manylinux_2_17 or an older manylinux, for `arch`:
    auditwheel names the oldest policy the modules satisfy, and a wheel may claim a newer
    one than that, never an older one."""
    found = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", platform)
    assert found, platform
    assert (int(found.group(1)), int(found.group(2))) <= (2, 17), platform
    assert found.group(3) == arch, platform


def tree(root: Path, skip: Sequence[str] = ()) -> dict[str, bytes]:
    """Every file under `root` (relative path → content), less the folders in `skip`."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if path.is_file() or path.is_symlink():
            files[rel] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            files[rel + "/"] = b""
    return files


# ---------------------------------------------------------------------------- ELF


def extract(wheel: Path, member: str, folder: Path) -> Path:
    """Writes one member of the wheel to `folder` and returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(member).name
    path.write_bytes(wheel_read(wheel, member))
    return path


def e_machine(path: Path) -> int:
    """The ELF header's e_machine (offset 18), read by hand: little-endian u16."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    assert header[5] == 1, f"{path} is not little-endian"
    return struct.unpack_from("<H", header, 18)[0]


def section_names(path: Path) -> set[str]:
    with open(path, "rb") as f:
        return {s.name for s in ELFFile(f).iter_sections()}


def text_size(path: Path) -> int:
    """The size of an ELF file's code (`.text`)."""
    with open(path, "rb") as f:
        return ELFFile(f).get_section_by_name(".text").data_size


def exported_symbols(path: Path) -> set[str]:
    """The names the module defines in its dynamic symbol table (what `nm -D
    --defined-only` lists), global or weak."""
    names = set()
    with open(path, "rb") as f:
        dynsym = ELFFile(f).get_section_by_name(".dynsym")
        for symbol in dynsym.iter_symbols() if dynsym else ():
            if (
                symbol.name
                and symbol["st_shndx"] != "SHN_UNDEF"
                and symbol["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")
            ):
                names.add(symbol.name)
    return names


def dynamic_tags(path: Path) -> dict[str, list[str]]:
    """`DT_NEEDED` → needed library names, `DT_RUNPATH`/`DT_RPATH` → paths, ..."""
    tags: dict[str, list[str]] = {}
    with open(path, "rb") as f:
        for section in ELFFile(f).iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    value = {
                        "DT_NEEDED": "needed",
                        "DT_RUNPATH": "runpath",
                        "DT_RPATH": "rpath",
                        "DT_SONAME": "soname",
                    }.get(tag.entry.d_tag)
                    if value:
                        tags.setdefault(tag.entry.d_tag, []).append(getattr(tag, value))
    return tags


def host_em() -> int:
    """e_machine of the host's architecture."""
    return EM[ARCH]


# ---------------------------------------------------------------------------- zig's cache


def zig_global_cache(env: Mapping[str, str]) -> Path | None:
    """zig's global cache folder as zig (and zlig's warm-up markers) find it."""
    for name, tail in (("ZIG_GLOBAL_CACHE_DIR", ()), ("XDG_CACHE_HOME", ("zig",)), ("HOME", (".cache", "zig"))):
        value = env.get(name)
        if value:
            return Path(value, *tail)
    return None


def fresh_user_cache(env: Mapping[str, str], folder: Path) -> dict[str, str]:
    """`env` with a user cache of its own in `folder` (so no tool zlig kept earlier is
    found), and zig's global cache still the warm one (so no one-time compile is paid)."""
    return dict(env, XDG_CACHE_HOME=str(folder), ZIG_GLOBAL_CACHE_DIR=str(zig_global_cache(env)))


def kept_tools_env(frontend_env, tool_wheels: Path, cache: Path) -> dict:
    """No zig or ninja anywhere but in the wheelhouse, and a user cache of the test's own;
    zig's global cache stays the warm one, so that no test pays its one-time compiles."""
    env = dict(fresh_user_cache(frontend_env, cache), PIP_FIND_LINKS=str(tool_wheels))
    del env["ZLIG_ZIG"], env["ZLIG_REUSE_TOOLS"]
    env["PATH"] = ":".join(
        d for d in without_zig_on_path(env["PATH"]).split(":") if not (Path(d) / "ninja").exists()
    )
    return env
