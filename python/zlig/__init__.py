"""zlig: a PEP 517 build backend for C, C++ and Zig extension modules, compiled with zig.

This module is the backend (``build-backend = "zlig"``): the PEP 517 and PEP 660 hooks,
each a call into the Rust core.
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing costs 10 ms, on every hook call

from zlig import _core
from zlig._bridge import call

if TYPE_CHECKING:
    from zlig._bridge import ConfigSettings

__version__: str = _core.__version__

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    return call(_core.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> list[str]:
    return call(_core.get_requires_for_build_wheel, config_settings)


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    return call(_core.prepare_metadata, config_settings, metadata_directory)


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    return call(_core.prepare_metadata, config_settings, metadata_directory)


def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    return call(_core.build_wheel, config_settings, wheel_directory, metadata_directory)


def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    return call(_core.build_editable, config_settings, wheel_directory, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    return call(_core.build_sdist, config_settings, sdist_directory)
