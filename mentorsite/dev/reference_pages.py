"""Writing a reference page of docs/ that is generated from the code (records, templates)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def write_page(make: Callable[[], str], default: Path, argv: list[str] | None = None) -> int:
    """Write ``make()`` into the path the command line gives, else into ``default``; exit code 0."""
    arguments = sys.argv[1:] if argv is None else argv
    target = Path(arguments[0]) if arguments else default
    target.write_text(make(), encoding="utf-8")
    print(f"wrote {target}")
    return 0
