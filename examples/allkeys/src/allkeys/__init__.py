"""Every extension key of zlig, observable from Python."""

from allkeys._keys import cube_root, report
from allkeys._linked_as_cxx import demangle

try:
    from allkeys import _optional  # optional = true: it fails to build and is left out
except ImportError:
    _optional = None

__all__ = ["cube_root", "demangle", "report"]
