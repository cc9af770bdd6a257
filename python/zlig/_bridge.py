"""The bridge to the Rust core: gathers interpreter facts and turns core errors into exits.

Every entry point (the PEP 517 hooks and the CLI) goes through :func:`request` to describe
the running interpreter the same way.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from importlib.machinery import PathFinder

# Importing typing costs 10 ms, json 8 ms (it imports re), importlib.util 4 ms and
# collections.abc 1.5 ms, on every hook call: the request goes to the core as a dict,
# packages are found on sys.path, and config_settings is any object with `items()`.
TYPE_CHECKING = False

from zlig import _core

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Callable, Optional, TypeVar

    T = TypeVar("T")
    ConfigSettings = Optional[Mapping[str, Any]]

BuildError = _core.BuildError


def ziglang_zig() -> str | None:
    """The zig binary of the ``ziglang`` package, found without importing it."""
    spec = PathFinder.find_spec("ziglang")
    for location in (spec and spec.submodule_search_locations) or ():
        zig = os.path.join(location, "zig")
        if os.path.isfile(zig):
            return zig
    return None


def cython_package() -> str | None:
    """The folder of the ``Cython`` package this interpreter can import, found without
    importing it."""
    spec = PathFinder.find_spec("Cython")
    for location in (spec and spec.submodule_search_locations) or ():
        if os.path.isfile(os.path.join(location, "Shadow.py")):
            return location
    return None


class IncludeDirError(Exception):
    """Why an include-dirs entry ``{ package = ... }`` names no include folder; ``key`` is
    the key at fault, ``package`` or ``attr``."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def package_include(package: str, attr: str) -> str:
    """The folder ``package.attr()`` names (``numpy.get_include()``), or ``package.attr``
    when it is not callable, for an include-dirs entry ``{ package = ... }``. Raises
    ``ModuleNotFoundError`` when the package is not importable, ``IncludeDirError`` when it
    is not a package, lacks ``attr`` or gives no absolute path, and anything else its
    function raises."""
    import importlib

    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as error:
        parent = package.rpartition(".")[0]
        if parent and error.name == package and not hasattr(sys.modules.get(parent), "__path__"):
            message = f"`{parent}` is a module, not a package, so there is no `{package}` to import"
            raise IncludeDirError("package", message) from None
        raise
    if not hasattr(module, attr):
        namespace = getattr(module, "__file__", None) is None and hasattr(module, "__path__")
        what = " (a namespace package: a folder without `__init__.py`)" if namespace else ""
        raise IncludeDirError(
            "attr",
            f"`{package}`{what} has no `{attr}`: name the function or attribute that gives its include folder, as in `attr = \"get_include\"`",
        )
    value = getattr(module, attr)
    named = f"{package}.{attr}"
    if callable(value):
        value, named = value(), f"{named}()"
    if not isinstance(value, (str, os.PathLike)):
        raise IncludeDirError("attr", f"`{named}` is {type(value).__name__}, not the path of a folder of headers")
    path = os.fspath(value)
    if not isinstance(path, str) or not os.path.isabs(path):
        shown = repr(path) if len(path) <= 60 else f"{path[:60]!r}..."
        raise IncludeDirError("attr", f"`{named}` is {shown}, not an absolute path of a folder of headers")
    return path


def _utf8_path(path: str, what: str) -> str:
    """``path``, which the core (and every archive) takes as UTF-8 text."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise BuildError(f"{what} {shown} is not valid UTF-8; zlig needs UTF-8 paths: rename it") from None
    return path


def build_details() -> str | None:
    """The interpreter's PEP 739 ``build-details.json`` in its standard library folder (3.14
    and later): by the PEP's name, or by Debian's, which adds the ABI flags and the platform
    so that its builds of one version (``python3.X``, its debug build) share the folder."""
    stdlib = sysconfig.get_path("stdlib")
    flags = getattr(sys, "abiflags", "")
    platform = getattr(sys.implementation, "_multiarch", "")
    for name in ("build-details.json", f"build-details.{flags}.{platform}.json"):
        path = os.path.join(stdlib, name)
        if os.path.isfile(path):
            return path
    return None


def ninja_binary() -> str | None:
    """The ninja of the ``ninja`` package, which installs it among the scripts."""
    if PathFinder.find_spec("ninja") is None:
        return None
    ninja = os.path.join(sysconfig.get_path("scripts"), "ninja")
    return ninja if os.path.isfile(ninja) else None


def request(config_settings: ConfigSettings) -> dict[str, Any]:
    """The request every core function takes."""
    if config_settings is not None and not hasattr(config_settings, "items"):
        raise BuildError(
            f"config_settings must be a mapping of setting names to values, not {type(config_settings).__name__} (a bug in the frontend calling zlig)"
        )
    settings = {
        str(key): [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        for key, value in (config_settings or {}).items()
    }
    return {
        "project_dir": _utf8_path(os.getcwd(), "the project folder"),
        "interpreter": {
            "implementation": sys.implementation.name,
            "version": list(sys.version_info[:2]),
            "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or ".so",
            "soabi": sysconfig.get_config_var("SOABI"),
            "include_dir": sysconfig.get_paths()["include"],
            "machine": os.uname().machine,
            "platform": sys.platform,
            "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "base_executable": getattr(sys, "_base_executable", None) or sys.executable,
            "build_details": build_details(),
        },
        "config_settings": settings,
        "ziglang": ziglang_zig(),
        "cython": cython_package(),
        "python": os.path.realpath(sys.executable) if sys.executable else None,
        "sys_path": [p for p in sys.path if os.path.isabs(p)],
        "ninja": ninja_binary(),
    }


def call(hook: Callable[..., T], config_settings: ConfigSettings, *args: Any) -> T:
    """Runs a core function for a hook; a failure prints its message and exits with status 1
    (130 when interrupted), with no traceback: the message is all the user needs."""
    try:
        return hook(request(config_settings), *args)
    except BuildError as error:
        message, status = f"zlig: error: {error}", 1
    except KeyboardInterrupt:
        message, status = "zlig: interrupted", 130
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(status)
