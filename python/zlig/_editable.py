"""The import hook of zlig editable installs.

An editable install puts the project's Python sources on ``sys.path`` and calls
:func:`install` at startup. The finder it installs answers for the project's extension
modules: on the first such import in a process it rebuilds the extensions (a no-op costs a
few tens of milliseconds: zig checks what changed), then loads the module from the build dir.

Turn rebuilding off with ``-C editable-rebuild=false`` at install time, or with the
environment variable ``ZLIG_EDITABLE_REBUILD=0`` at run time.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, Dict, Optional, Sequence

REBUILD_ENV = "ZLIG_EDITABLE_REBUILD"


class ExtensionFinder(importlib.abc.MetaPathFinder):
    """Finds one editable project's extension modules, rebuilding them first."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.project: str = config["project"]
        self.project_dir: str = config["project_dir"]
        self.config_settings: Dict[str, Any] = config["config_settings"]
        self.modules: Dict[str, str] = config["modules"]
        self.rebuild: bool = config["rebuild"] and os.environ.get(REBUILD_ENV, "1").lower() not in (
            "0",
            "false",
            "no",
            "off",
        )
        self.zig: Optional[str] = config.get("zig")
        self.rebuilt = False

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]] = None,
        target: Optional[ModuleType] = None,
    ) -> Optional[ModuleSpec]:
        if fullname not in self.modules:
            return None
        if self.rebuild and not self.rebuilt:
            self._rebuild(fullname)
        built = self.modules[fullname]
        if not os.path.isfile(built):
            raise ImportError(
                f"{fullname}: the extension module of the editable install of {self.project} "
                f"is missing ({built}); reinstall with `pip install -e {self.project_dir}`",
                name=fullname,
            )
        loader = importlib.machinery.ExtensionFileLoader(fullname, built)
        return importlib.util.spec_from_file_location(fullname, built, loader=loader)

    def _rebuild(self, fullname: str) -> None:
        try:
            from zlig import _core
            from zlig._bridge import request
        except ImportError as error:
            raise ImportError(
                f"{fullname}: cannot rebuild the editable install of {self.project}: "
                f"zlig is not importable ({error}); set {REBUILD_ENV}=0 to use the last build",
                name=fullname,
            ) from None
        try:
            built = _core.rebuild(request(self.config_settings, self.project_dir, self.zig))
        except _core.BuildError as error:
            raise ImportError(
                f"{fullname}: rebuilding the editable install of {self.project} failed:\n{error}",
                name=fullname,
            ) from None
        self.modules.update({name: str(path) for name, path in built.items()})
        self.rebuilt = True


def install(config_json: str) -> None:
    """Puts the finder for one editable project first on ``sys.meta_path``."""
    config = json.loads(config_json)
    for finder in sys.meta_path:
        if isinstance(finder, ExtensionFinder) and finder.project_dir == config["project_dir"]:
            return
    sys.meta_path.insert(0, ExtensionFinder(config))
