"""Debian unstable (sid) in a root of its own, for the newest CPythons as their users have
them: Debian's python3.14 and python3.15 with their -dev and -venv packages, and python3.13
without python3.13-dev (an interpreter whose C headers are not installed).

The root is made once per machine in tests/.cache/debian-sid/ (debootstrap's minbase
variant, then the interpreters without recommended packages: about 40 s and 600 MB) and
kept. Commands run in it with `chroot`, inside a mount namespace of their own (`unshare
--mount`), where /proc, /dev, /tmp and the folders a test shares (zlig's wheelhouse, the
build requirements' wheels, the test venv's zig, zig's global cache) are bind-mounted at
the same paths as outside: a path means the same on both sides, and no mount outlives its
command. Making the root needs Debian, as root (CI's machine is both); elsewhere the tests
that need it are skipped.

Plain functions, no pytest state but `pytest.skip`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from debian_targets import system, tool
from helpers import CACHE, Command, run

SID = CACHE / "debian-sid"

# The interpreters with their headers and venv module, and one without headers.
WITH_HEADERS = ["3.14", "3.15"]
WITHOUT_HEADERS = "3.13"
PACKAGES = [
    *(f"python{v}{part}" for v in WITH_HEADERS for part in ("", "-dev", "-venv")),
    f"python{WITHOUT_HEADERS}",
    f"python{WITHOUT_HEADERS}-venv",
]
# What the root is made of: a root made from another recipe is made again.
RECIPE = f"packages: {' '.join(PACKAGES)}; pip venvs: {' '.join([*WITH_HEADERS, WITHOUT_HEADERS])}"

# In the root: a venv per interpreter with the pip its -venv package brings (Debian's
# python3.X has no pip of its own).
PIP_VENVS = "/opt/pip"

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Runs in a new mount namespace: mounts /proc, /dev and each `source target` pair of
# arguments (up to a `--`) into the root, then runs the rest of the arguments in it.
ENTER = """\
root=$1; shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
while [ "$1" != -- ]; do
    if [ -d "$1" ]; then mkdir -p "$root$2"; else mkdir -p "$(dirname "$root$2")"; touch "$root$2"; fi
    mount --bind "$1" "$root$2"
    shift 2
done
shift
exec chroot "$root" "$@"
"""


@dataclasses.dataclass(frozen=True)
class SidRoot:
    """The root, and the host folders every command in it sees."""

    root: Path
    shares: tuple[Path, ...] = ()

    def sharing(self, *folders: Path) -> SidRoot:
        """The same root, with `folders` seen in it too."""
        return dataclasses.replace(self, shares=self.shares + tuple(Path(f).resolve() for f in folders))

    def python(self, version: str) -> str:
        """Debian's interpreter of that version, by its path in the root."""
        return f"/usr/bin/python{version}"

    def pip(self, version: str) -> str:
        """The interpreter of a venv (made with the root) holding Debian's pip for that
        version; `pip --python` installs into other venvs with it."""
        return f"{PIP_VENVS}/{version}/bin/python"

    def run(
        self,
        command: Command,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        over: Sequence[tuple[Path, str]] = (),
        check: bool = True,
        timeout: float = 900,
    ) -> subprocess.CompletedProcess:
        """Runs `command` in the root (stdout and stderr merged, as `helpers.run`), with
        only `env` besides PATH, HOME and LC_ALL, in `cwd` (a path in the root, or a
        shared one); `over` puts host files or folders over paths of the root for this
        command alone."""
        pairs: list[str] = []
        for source in (Path("/tmp"), *self.shares):
            pairs += [str(source), str(source)]
        for source, target in over:
            pairs += [str(source), target]
        variables = {"PATH": PATH, "HOME": "/root", "LC_ALL": "C.UTF-8", **(env or {})}
        inside = ["/usr/bin/env", "-i", "-C", str(cwd or "/"), *(f"{k}={v}" for k, v in variables.items())]
        return run(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-ec", ENTER, "enter",
             self.root, *pairs, "--", *inside, *command],
            check=check,
            timeout=timeout,
        )


def _why_not() -> str | None:
    """Why this machine cannot make or enter the root, if it cannot."""
    if os.geteuid() != 0:
        return "making and entering a Debian root needs root"
    for needed in ("apt-get", "unshare", "chroot"):
        if shutil.which(needed) is None:
            return f"{needed} is missing (making the Debian root needs Debian)"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], check=False, capture_output=True, text=True
    )
    if probe.returncode != 0:
        return f"no mount namespace can be made here: {probe.stderr.strip()}"
    return None


def _make(root: Path) -> None:
    """Makes the root in `root`: a minimal sid, the interpreters, a pip venv for each."""
    # debootstrap's default mirror; a download that fails mid-way is retried once.
    command = [tool("debootstrap", "debootstrap"), "--variant=minbase", "sid", root]
    if system(command, check=False).returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        system(command)
    inside = SidRoot(root)
    apt = ["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q"]
    inside.run([*apt, "install", "--no-install-recommends", *PACKAGES], timeout=1800)
    inside.run([*apt, "clean"])
    for version in [*WITH_HEADERS, WITHOUT_HEADERS]:
        inside.run([inside.python(version), "-m", "venv", f"{PIP_VENVS}/{version}"])
    listed = inside.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *PACKAGES]).stdout
    (root / ".complete").write_text(f"{RECIPE}\n{listed}")


def sid_root() -> SidRoot:
    """The root, made once per machine."""
    done = SID / "root" / ".complete"
    why = _why_not()
    if why:
        pytest.skip(f"no Debian sid root: {why}")
    if not (done.is_file() and done.read_text().splitlines()[:1] == [RECIPE]):
        SID.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(SID / "root", ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=SID) as temp:
            root = Path(temp) / "root"
            _make(root)
            root.rename(SID / "root")
    return SidRoot(SID / "root")
