"""zlig: a PEP 517 build backend for C, C++ and Zig extension modules, compiled with zig.

This module is the backend (``build-backend = "zlig"``). It exposes the PEP 517 hooks and
nothing else: each gathers facts about the running interpreter and calls the Rust core.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import sys
import sysconfig
from typing import Any, Callable, Mapping, Optional, TypeVar

from zlig import _core

__version__: str = _core.__version__

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_wheel",
]

_T = TypeVar("_T")
ConfigSettings = Optional[Mapping[str, Any]]


def _ziglang_zig() -> Optional[str]:
    """The zig binary of the ``ziglang`` package, found without importing it."""
    spec = importlib.util.find_spec("ziglang")
    for location in (spec and spec.submodule_search_locations) or ():
        zig = os.path.join(location, "zig")
        if os.path.isfile(zig):
            return zig
    return None


def _request(config_settings: ConfigSettings) -> str:
    settings = {
        key: [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        for key, value in (config_settings or {}).items()
    }
    return json.dumps(
        {
            "project_dir": os.getcwd(),
            "interpreter": {
                "implementation": sys.implementation.name,
                "version": list(sys.version_info[:2]),
                "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or ".so",
                "soabi": sysconfig.get_config_var("SOABI"),
                "include_dir": sysconfig.get_paths()["include"],
                "machine": platform.machine(),
                "platform": sys.platform,
                "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            },
            "config_settings": settings,
            "ziglang": _ziglang_zig(),
        }
    )


def _call(hook: Callable[..., _T], config_settings: ConfigSettings, *args: Any) -> _T:
    """Runs a core hook; a failure prints its message and exits, with no traceback."""
    try:
        return hook(_request(config_settings), *args)
    except _core.BuildError as error:
        print(f"zlig: error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    return _call(_core.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    return _call(_core.prepare_metadata_for_build_wheel, config_settings, metadata_directory)


def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: Optional[str] = None,
) -> str:
    return _call(_core.build_wheel, config_settings, wheel_directory, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    return _call(_core.build_sdist, config_settings, sdist_directory)
