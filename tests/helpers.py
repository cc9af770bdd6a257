"""Plain helpers of the end-to-end suite: running commands, and reading wheels and sdists.

Fixtures live in conftest.py; this module has no pytest state, so tests import from it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import platform
import re
import shlex
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Union

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CACHE = ROOT / "tests" / ".cache"

# What the current interpreter's wheels must be called.
PY_TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"
ARCH = platform.machine()
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
# The platform tag before the ELF audit, and after it when the modules pass manylinux2014
# (what every zig build of the examples must get).
LINUX_TAG = f"linux_{ARCH}"
MANYLINUX_TAG = f"manylinux_2_17_{ARCH}.manylinux2014_{ARCH}"

# A stale in-place build beside flitcompat's sources (the seed-style layout).
STALE_SEED_MODULE = f"src/seed/seed{EXT_SUFFIX}"

# The session's built-artifact fixtures (conftest.py), by the name tests parametrize over.
WHEEL_FIXTURES = [
    "demo_pip_wheel",
    "demo_build",
    "demo_uv_build",
    "multi_build",
    "pure_uv_build",
    "seed_build",
]
EXTENSION_WHEEL_FIXTURES = [f for f in WHEEL_FIXTURES if not f.startswith("pure")]
SDIST_FIXTURES = ["demo_build", "demo_uv_build", "multi_build", "pure_uv_build", "seed_build"]

Command = Sequence[Union[str, os.PathLike]]


def run(
    command: Command,
    *,
    cwd: os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 900,
    split: bool = False,
) -> subprocess.CompletedProcess:
    """Runs `command` with stdout and stderr merged into `.stdout` (text), or with `split`
    kept apart in `.stdout` and `.stderr`.

    With `check`, a non-zero exit fails the test and shows the command and its output.
    """
    argv = [os.fspath(part) for part in command]
    proc = subprocess.run(
        argv,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if split else subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"exit {proc.returncode}: {shlex.join(argv)}\n(cwd: {cwd})\n{proc.stdout}",
            pytrace=False,
        )
    return proc


def without_zig_on_path(path: str) -> str:
    """`PATH` less every folder that holds a `zig`."""
    return os.pathsep.join(
        d for d in path.split(os.pathsep) if d and not (Path(d) / "zig").exists()
    )


# ---------------------------------------------------------------------------- wheels


def wheel_names(wheel: Path) -> list[str]:
    """The entry names of a wheel, in archive order."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def wheel_read(wheel: Path, name: str) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(name)


def dist_info(wheel: Path) -> str:
    """The `.dist-info` folder name of a wheel, from its file name (`{name}-{version}`)."""
    name, version = wheel.name.split("-")[:2]
    return f"{name}-{version}.dist-info"


def wheel_text(wheel: Path, member: str) -> str:
    """A `.dist-info` file of the wheel, as text (`member` is `METADATA`, `WHEEL`, ...)."""
    return wheel_read(wheel, f"{dist_info(wheel)}/{member}").decode("utf-8")


def wheel_tag(wheel: Path) -> tuple[str, str, str]:
    """(python, abi, platform) from the wheel's file name."""
    python, abi, plat = wheel.name[: -len(".whl")].split("-")[-3:]
    return python, abi, plat


def wheel_fields(wheel: Path) -> dict[str, list[str]]:
    """The WHEEL file as `key → values` (`Tag` repeats)."""
    fields: dict[str, list[str]] = {}
    for line in wheel_text(wheel, "WHEEL").splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), []).append(value.strip())
    return fields


def record_hash(data: bytes) -> str:
    """`sha256=<urlsafe base64, no padding>`, computed here, independently of zlig."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def record_rows(wheel: Path) -> list[list[str]]:
    text = wheel_text(wheel, "RECORD")
    return [row for row in csv.reader(io.StringIO(text)) if row]


# ---------------------------------------------------------------------------- sdists


def sdist_members(sdist: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(sdist, "r:gz") as tf:
        return tf.getmembers()


def sdist_names(sdist: Path) -> list[str]:
    """The sdist's file names below its top folder, sorted."""
    top = sdist.name[: -len(".tar.gz")]
    names = []
    for member in sdist_members(sdist):
        assert member.name.startswith(f"{top}/"), f"{member.name} is outside {top}/"
        names.append(member.name[len(top) + 1 :])
    return sorted(names)


def sdist_read(sdist: Path, name: str) -> bytes:
    top = sdist.name[: -len(".tar.gz")]
    with tarfile.open(sdist, "r:gz") as tf:
        member = tf.extractfile(f"{top}/{name}")
        assert member is not None, f"{name} is not a file in {sdist.name}"
        return member.read()


def compiled_sources(output: str, project: Path) -> set[str]:
    """The project's C files named in the compiler commands of a verbose build: by their
    path, or through the backend's `project` link to the project root."""
    prefix = r"(?:" + re.escape(str(project)) + r"|(?<![^\s'\"])project)/"
    return set(re.findall(prefix + r"([\w/]+\.c)\b", output))


# ---------------------------------------------------------------------------- messages

# What differs between runs and machines in a message, named as uv's snapshot filters name
# it, longest first so that a folder inside another is named by the inner one: a path both
# as given and resolved (the test venv may be a link).
_PLACES = [
    (sysconfig.get_path("purelib"), "[SITE_PACKAGES]"),
    (sys.prefix, "[VENV]"),
    (sysconfig.get_path("include"), "[PYTHON_INCLUDE]"),
    (sys._base_executable, "[PYTHON]"),
    (str(CACHE), "[CACHE]"),
    (str(ROOT), "[ROOT]"),
    (os.path.expanduser("~"), "[HOME]"),
]
_VALUES = [
    # Hashes in names of caches and zig's temporary files.
    (r"\b[0-9a-f]{12,}\b", "[HASH]"),
    # zlig's temporary files, named for their process.
    (r"(?<=/)\.zlig-\d+-\w+", "[ZLIG_TEMP]"),
    # The number of jobs, from the machine's cores.
    (r"(?<= -Djobs=)\d+|(?<= -j)\d+\b", "[N]"),
    (rf"\b{PY_TAG}\b", "[PY_TAG]"),
    (rf"(?<![\w.]){sys.version_info[0]}\.{sys.version_info[1]}(?![\w.])", "[PY_VERSION]"),
]


# A line of a located message that shows the file, and the line under it that points
# into the value.
_SNIPPET = re.compile(r"\s*\d+ \| ")
_CARETS = re.compile(r"(\s*\| *)(\^+)$")


def scrubbed(text: str, tmp: Path | None = None) -> str:
    """`text` with what differs between runs named: `tmp` (the test's temporary folder) as
    `[TMP]`, the test venv, Python, the suite's cache, the repo and the home folder, hashes,
    job counts and the running Python's version; each line without trailing blanks (which
    editors strip from the expected texts). Carets under a named value of a located message
    span the name."""
    places = [(str(tmp), "[TMP]")] if tmp is not None else []
    lines = []
    for line in text.splitlines():
        named = line
        for path, name in places + _PLACES:
            if len(path) < 2:  # a home folder of `/` names nothing
                continue
            for spelling in sorted({path, os.path.realpath(path)}, key=len, reverse=True):
                named = re.sub(re.escape(spelling) + r"(?![\w.-])", name, named)
        for pattern, name in _VALUES:
            named = re.sub(pattern, name, named)
        carets = _CARETS.match(named)
        if carets and lines and _SNIPPET.match(lines[-1][0]):
            shorter = len(lines[-1][0]) - len(lines[-1][1])
            named = carets[1] + "^" * max(1, len(carets[2]) - shorter)
        lines.append((line, named))
    return "\n".join(named.rstrip() for _, named in lines)


# Where a frontend's own lines start after a hook's output: pip's end of the hook's output
# (which it indents), uv's error, and build's hint and error.
_FRONTEND_LINES = re.compile(r"\s*\[end of output\]$|error: Failed to build|TIP |ERROR ")


def error_message(output: str) -> str:
    """The one `zlig: error:` message in a build's output, in full: from that mark to the
    end of the hook's output, through pip, uv or build as well."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if "zlig: error:" in line]
    assert len(starts) == 1, f"not exactly one `zlig: error:` in:\n{output}"
    first = lines[starts[0]]
    indent = first[: len(first) - len(first.lstrip())]
    message = []
    for line in lines[starts[0] :]:
        if _FRONTEND_LINES.match(line):
            break
        message.append(line.removeprefix(indent))
    return "\n".join(message).rstrip()


def warning_lines(output: str) -> list[str]:
    """The `zlig: warning:` lines of a build's output, in order."""
    return [line for line in output.splitlines() if line.startswith("zlig: warning:")]


def expected(text: str) -> str:
    """An expected message as written in a test: indented like the code, between lines of
    its own."""
    return textwrap.dedent(text).strip("\n").rstrip()
