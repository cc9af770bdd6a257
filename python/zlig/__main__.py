"""``python -m zlig``: the zlig command."""

from zlig.cli import main

raise SystemExit(main())
