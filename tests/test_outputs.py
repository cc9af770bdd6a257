"""The files the hooks write into the frontend's output folder, called directly."""

from __future__ import annotations

import os
import stat
import tarfile
import time
import zipfile

BUILD = "import sys, zlig; print(zlig.build_{kind}(sys.argv[1]))"


def build(venv, kind, project, out, env) -> os.PathLike:
    out.mkdir(exist_ok=True)
    name = venv.run(BUILD.format(kind=kind), str(out), cwd=project, env=env).splitlines()[-1]
    return out / name


def test_outputs_are_only_the_distributions(zlig_venv, copy_example, frontend_env, tmp_path):
    project = copy_example("pure")
    out = tmp_path / "out"
    wheel = build(zlig_venv, "wheel", project, out, frontend_env)
    sdist = build(zlig_venv, "sdist", project, out, frontend_env)
    assert sorted(p.name for p in out.iterdir()) == sorted([wheel.name, sdist.name])


def test_outputs_follow_the_umask_like_any_new_file(zlig_venv, copy_example, frontend_env, tmp_path):
    # Frontends copy or move these files into dist/ or a wheelhouse, keeping the mode: a
    # 0600 wheel there cannot be served or installed by another user.
    project = copy_example("pure")
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        wheel = build(zlig_venv, "wheel", project, out, frontend_env)
        sdist = build(zlig_venv, "sdist", project, out, frontend_env)
    finally:
        os.umask(old)
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in (wheel, sdist)}
    assert modes == {wheel.name: "0o644", sdist.name: "0o644"}


def test_source_date_epoch_sets_every_timestamp(zlig_venv, copy_example, frontend_env, tmp_path):
    epoch = 1_700_000_000  # 2023-11-14 22:13:20 UTC
    env = dict(frontend_env, SOURCE_DATE_EPOCH=str(epoch))
    project = copy_example("pure")
    wheel = build(zlig_venv, "wheel", project, tmp_path / "out", env)
    sdist = build(zlig_venv, "sdist", project, tmp_path / "out", env)
    expected = time.gmtime(epoch)[:6]
    with zipfile.ZipFile(wheel) as zf:
        assert {info.date_time for info in zf.infolist()} == {expected}
    with tarfile.open(sdist) as tf:
        assert {member.mtime for member in tf.getmembers()} == {epoch}
