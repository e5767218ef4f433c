"""The `mentorsite` command: a thin edge over the library, turning results into exit codes.

The command group is in ``base``; each module beside it adds its commands to it.
"""

from mentorsite.cli import authoring, building, keys, publish
from mentorsite.cli.base import main

__all__ = ["authoring", "building", "keys", "main", "publish"]
