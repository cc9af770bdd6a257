"""Finds the third-party compile backends: the ``zlig.backends`` entry points.

The protocol they implement is in :mod:`zlig.backends`; this module only finds them, and
is imported only when a build has to choose among all backends.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # importing typing costs 10 ms, on every hook call

if TYPE_CHECKING:
    from typing import Any

ENTRY_POINT_GROUP = "zlig.backends"


def load() -> list[Any]:
    """The backends registered in the ``zlig.backends`` entry-point group."""
    if not _declared():
        return []
    from importlib.metadata import entry_points

    found = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        backend = entry.load()
        found.append(backend() if isinstance(backend, type) else backend)
    return found


def _declared() -> bool:
    """Whether an installed distribution may declare the group.

    ``importlib.metadata`` costs about 25 ms to import and reads every distribution's
    metadata, on every hook call; with no plugin installed (the usual case) this look at the
    ``entry_points.txt`` files of ``sys.path`` answers "none" in about a millisecond. A path
    entry that is not a folder (a zip) cannot be looked into this way and is left to
    ``importlib.metadata``.
    """
    for entry in sys.path:
        folder = entry or "."
        try:
            with os.scandir(folder) as found:
                dists = [e.name for e in found if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for dist in dists:
            try:
                with open(os.path.join(folder, dist, "entry_points.txt"), "rb") as text:
                    if ENTRY_POINT_GROUP.encode() in text.read():
                        return True
            except OSError:
                continue
    return False
