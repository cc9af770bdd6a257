"""Debian 12's own python3.11 for other architectures, run here under qemu-user: the
interpreters that prove zlig's cross targets (ZIG.md, section 8).

Each architecture gets a sysroot in tests/.cache/sysroots/<debian arch>/, unpacked from
Debian's packages (the interpreter, its standard library and the C libraries it loads,
and libpython3.11-dev for the target's own headers) once per machine, then reused. On a
machine without qemu-user-static or the foreign architecture, they are set up first
(Debian, as root; the CI machine is both); elsewhere the tests that need them are skipped.

Plain functions, no pytest state but `pytest.skip`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from helpers import CACHE

SYSROOTS = CACHE / "sysroots"

# What a sysroot holds: the interpreter, the standard library (ctypes too, with libffi),
# and the target's own headers.
PACKAGES = [
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "libpython3.11-dev",
    "libc6",
    "libexpat1",
    "zlib1g",
    "libffi8",
    "libgcc-s1",  # armhf's python3.11 links it
]


@dataclasses.dataclass(frozen=True)
class DebianTarget:
    """One architecture: its names for zlig, Debian and qemu."""

    arch: str  # the wheel's arch, `platform_machine`
    debian: str  # Debian's architecture name
    qemu: str  # the qemu-user binary
    triplet: str  # CPython's platform triplet, in module names

    @property
    def target(self) -> str:
        """The `target` setting that builds for it."""
        return f"{self.arch}-linux-gnu"


TARGETS = [
    DebianTarget("aarch64", "arm64", "qemu-aarch64-static", "aarch64-linux-gnu"),
    DebianTarget("armv7l", "armhf", "qemu-arm-static", "arm-linux-gnueabihf"),
    DebianTarget("i686", "i386", "qemu-i386-static", "i386-linux-gnu"),
    DebianTarget("ppc64le", "ppc64el", "qemu-ppc64le-static", "powerpc64le-linux-gnu"),
    DebianTarget("s390x", "s390x", "qemu-s390x-static", "s390x-linux-gnu"),
]


@dataclasses.dataclass(frozen=True)
class Sysroot:
    """A target's unpacked Debian packages, and the qemu that runs its interpreter."""

    target: DebianTarget
    root: Path
    qemu: Path

    @property
    def include_dir(self) -> Path:
        """The target's Python headers (Debian's switch over multiarch folders)."""
        return self.root / "usr" / "include" / "python3.11"

    @property
    def pyconfig(self) -> Path:
        """The target's own pyconfig.h."""
        return self.root / "usr" / "include" / self.target.triplet / "python3.11" / "pyconfig.h"

    def python(self, code: str, site: Path, timeout: float = 300) -> subprocess.CompletedProcess:
        """Runs `code` with the target's python3.11 (isolated, `site` first on sys.path)."""
        program = f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"
        return subprocess.run(
            [self.qemu, "-L", self.root, self.root / "usr" / "bin" / "python3.11", "-I", "-c", program],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            check=False,
        )


def system(command: Sequence, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a command of the machine's (apt-get, dpkg, debootstrap), never asking a
    question; with `check`, a failure raises with its output."""
    proc = subprocess.run(
        [str(c) for c in command],
        check=False,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {' '.join(map(str, command))}\n{proc.stdout}")
    return proc


def _can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None and shutil.which("dpkg") is not None


def _apt_update() -> None:
    # A mirror's index can fail for one architecture now and then; what was fetched is
    # used, and a download that then fails is retried after another update.
    system(["apt-get", "update", "-qq"], check=False)


def tool(binary: str, package: str) -> Path:
    """`binary`, installed from Debian's `package` if need be (skipped where this machine
    cannot install it)."""
    found = shutil.which(binary)
    if found:
        return Path(found)
    if not _can_install():
        pytest.skip(f"{binary} is not installed, and this machine cannot install it (Debian, as root)")
    _apt_update()
    system(["apt-get", "install", "-y", "-qq", package])
    found = shutil.which(binary)
    assert found, f"{package} installed no {binary}"
    return Path(found)


def qemu(target: DebianTarget) -> Path:
    """The qemu-user binary for `target`, installed from Debian's packages if need be."""
    return tool(target.qemu, "qemu-user-static")


def _download(target: DebianTarget, folder: Path) -> None:
    """Downloads the target's packages into `folder`, adding its architecture to dpkg and
    updating the package lists where needed, retrying twice."""
    foreign = system(["dpkg", "--print-foreign-architectures"]).stdout.split()
    if target.debian not in foreign:
        system(["dpkg", "--add-architecture", target.debian])
        _apt_update()
    packages = [f"{p}:{target.debian}" for p in PACKAGES]
    for attempt in range(3):
        proc = system(["apt-get", "download", "-q", *packages], cwd=folder, check=False)
        if proc.returncode == 0:
            return
        if attempt == 2:
            raise RuntimeError(f"apt-get download failed for {target.debian}:\n{proc.stdout}")
        _apt_update()


def sysroot(target: DebianTarget) -> Sysroot:
    """The target's sysroot, made once per machine."""
    binary = qemu(target)
    root = SYSROOTS / target.debian
    done = root / ".complete"
    if done.is_file():
        return Sysroot(target, root, binary)
    if not _can_install():
        pytest.skip(f"no sysroot for {target.debian} in {SYSROOTS}, and this machine cannot make one (Debian, as root)")
    SYSROOTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=SYSROOTS) as temp:
        debs = Path(temp) / "debs"
        debs.mkdir()
        _download(target, debs)
        unpacked = Path(temp) / "root"
        for deb in sorted(debs.glob("*.deb")):
            system(["dpkg-deb", "-x", deb, unpacked])
        # Absolute links inside the sysroot must point into it: qemu finds the loader
        # (ppc64le's ld64.so.2) through them.
        for link in [p for p in unpacked.rglob("*") if p.is_symlink()]:
            destination = os.readlink(link)
            if destination.startswith("/"):
                link.unlink()
                link.symlink_to(root / destination.lstrip("/"))
        (unpacked / ".complete").write_text("\n".join(sorted(d.name for d in debs.glob("*.deb"))) + "\n")
        unpacked.rename(root)
    return Sysroot(target, root, binary)
