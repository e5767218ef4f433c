"""mentorsite: static sites for mentoring programs.

The core (records, loading, validation, insights, rendering) has no dependency on MkDocs
or on the command line; `plugin` and `cli` are thin adapters over it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mentorsite")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
