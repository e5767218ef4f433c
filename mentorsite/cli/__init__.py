"""The `mentorsite` command: a thin edge over the library, turning results into exit codes.

The command group is in ``base``; each module beside it adds its commands to it, and is
imported only when one of its commands is named (``base.COMMAND_MODULES``), or all of them
are listed.
"""

from mentorsite.cli.base import main, run

__all__ = ["main", "run"]
