"""The JSON schema of ``[tool.zlig]``, for validate-pyproject: zlig's pyproject.toml registers
``tool_schema`` in the ``validate_pyproject.tool_schema`` entry-point group.

The schema is made from zlig's settings model, the same that reads ``[tool.zlig]`` and
writes the README's tables (``cargo test`` checks that the shipped file is what the model
gives), and ships as ``zlig/resources/schema.json``. The hooks never import this module.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # importing typing costs 10 ms

if TYPE_CHECKING:
    from typing import Any

SCHEMA = os.path.join(os.path.dirname(__file__), "resources", "schema.json")


def tool_schema(tool: str = "zlig") -> dict[str, Any]:
    """``tool.$tool``: zlig's build settings (extension modules compiled with zig)."""
    with open(SCHEMA, encoding="utf-8") as file:
        return json.load(file)
