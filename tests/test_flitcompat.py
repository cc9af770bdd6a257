"""examples/flitcompat: a pyproject.toml in the style of the earlier flit-based design
(inline `extensions`, `[tool.flit.module]`, `[tool.flit.sdist]`) builds unchanged."""

from __future__ import annotations

from helpers import EXT_SUFFIX, STALE_SEED_MODULE, sdist_names, wheel_names, wheel_read


def test_flitcompat_builds_unchanged_and_multiplies(seed_build, venvs):
    assert seed_build.sdist.name == "seed-0.3.0.tar.gz"
    assert seed_build.wheel.name.startswith("seed-0.3.0-")
    venv = venvs.with_wheels(seed_build.wheel)
    assert venv.run("import seed; print(seed.__version__, seed.mul(6, 7))") == "0.3.0 42"


def test_flit_sdist_exclude_drops_the_stale_inplace_module(seed_build):
    # The stale module was beside the sources when the sdist was made.
    assert (seed_build.project / STALE_SEED_MODULE).is_file()
    assert sdist_names(seed_build.sdist) == [
        "PKG-INFO",
        "README.md",
        "pyproject.toml",
        "src/seed/__init__.py",
        "src/seed/seed.c",
    ]


def test_flitcompat_wheel_from_checkout_ships_the_built_module_not_the_stale_one(frontend, copy_example, venvs, tmp_path):
    project = copy_example("flitcompat")
    stale = b"not an ELF file: a stale in-place build"
    (project / STALE_SEED_MODULE).write_bytes(stale)
    wheel = frontend.pip_wheel(project, tmp_path / "out").wheel
    module = f"seed/seed{EXT_SUFFIX}"
    assert wheel_names(wheel).count(module) == 1
    assert wheel_read(wheel, module).startswith(b"\x7fELF")
    venv = venvs.with_wheels(wheel)
    assert venv.run("import seed; print(seed.mul(6, 7))") == "42"
