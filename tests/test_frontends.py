"""Each frontend builds the examples, and what it builds installs and works."""

from __future__ import annotations

from helpers import EXT_SUFFIX, MANYLINUX_TAG, PY_TAG, run, wheel_tag


def assert_extension_wheel(wheel, name: str, version: str) -> None:
    assert wheel is not None, "no wheel was built"
    python, abi, platform = wheel_tag(wheel)
    assert wheel.name.startswith(f"{name}-{version}-")
    assert (python, abi) == (PY_TAG, PY_TAG)
    assert platform == MANYLINUX_TAG


def test_pip_wheel_demo_installs_and_adds(demo_pip_wheel, venvs):
    assert_extension_wheel(demo_pip_wheel.wheel, "demo", "0.1.0")
    venv = venvs.with_wheels(demo_pip_wheel.wheel)
    assert venv.run("import demo; print(demo.add(2, 3))") == "5"


def test_pip_install_demo_into_fresh_venv_adds(frontend, venvs, copy_example):
    venv = venvs.create()
    frontend.pip_install(copy_example("demo"), venv.python)
    assert venv.run("import demo; print(demo.add(2, 3))") == "5"
    # The module is the built one, installed where the import system finds it.
    assert venv.run("import demo.demo as m; print(m.__file__)").endswith(f"demo{EXT_SUFFIX}")


def test_build_demo_makes_sdist_then_wheel_that_adds(demo_build, venvs):
    assert demo_build.sdist is not None and demo_build.sdist.name == "demo-0.1.0.tar.gz"
    assert "Building wheel from sdist" in demo_build.output
    assert_extension_wheel(demo_build.wheel, "demo", "0.1.0")
    venv = venvs.with_wheels(demo_build.wheel)
    assert venv.run("import demo; print(demo.add(2, 3))") == "5"


def test_build_multi_makes_sdist_then_wheel_that_imports(multi_build, venvs):
    assert multi_build.sdist is not None and multi_build.sdist.name == "multi-1.2.0.tar.gz"
    assert_extension_wheel(multi_build.wheel, "multi", "1.2.0")
    venv = venvs.with_wheels(multi_build.wheel)
    code = "import alpha, beta, gamma, _speedups; print(alpha.greeting(), gamma.fib10())"
    assert venv.run(code) == "hi 55"


def test_uv_build_demo_makes_sdist_then_wheel_that_adds(demo_uv_build, venvs):
    assert demo_uv_build.sdist is not None and demo_uv_build.sdist.name == "demo-0.1.0.tar.gz"
    assert_extension_wheel(demo_uv_build.wheel, "demo", "0.1.0")
    venv = venvs.with_wheels(demo_uv_build.wheel)
    assert venv.run("import demo; print(demo.add(2, 3))") == "5"


def test_uv_build_pure_installs_and_runs(pure_uv_build, venvs):
    assert pure_uv_build.sdist is not None
    assert pure_uv_build.sdist.name == "pure_example-2.1.0.tar.gz"
    assert pure_uv_build.wheel is not None
    assert pure_uv_build.wheel.name == "pure_example-2.1.0-py3-none-any.whl"
    # Its dependencies are declared, not needed: installed with --no-deps.
    venv = venvs.with_wheels(pure_uv_build.wheel)
    code = "import pure_example; print(pure_example.__version__, pure_example.answer())"
    assert venv.run(code) == "2.1.0 42"


def test_pure_console_script_runs(pure_uv_build, venvs):
    venv = venvs.with_wheels(pure_uv_build.wheel)
    script = venv.bin("pure-example")
    assert script.is_file(), "the console script was not installed"
    assert run([script]).stdout.strip() == "pure-example 2.1.0: 42"
    assert venv.bin("pure-example-gui").is_file(), "the gui script was not installed"


def test_pure_entry_point_plugin_loads(pure_uv_build, venvs):
    venv = venvs.with_wheels(pure_uv_build.wheel)
    code = (
        "from importlib.metadata import entry_points\n"
        "(ep,) = entry_points(group='pure_example.plugins')\n"
        "print(ep.name, ep.load()())"
    )
    assert venv.run(code) == "hello hello from a plugin"
