"""`python -m mentorsite` runs the command line."""

from mentorsite.cli import run

run()
