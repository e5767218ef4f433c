"""A program that Zensical would build directly, with the mentorsite plugin listed: nothing generated.

Zensical reads mkdocs.yml (or a zensical.toml, which it prefers when both are there) and skips
every plugin it does not implement without a word, so `zensical build` run in such a program makes
a handbook with no guideline pages, no indexes and no checklists. When a Zensical configuration
lies beside mkdocs.yml and the plugin's ``engine`` is not ``zensical``, that is said at the plugin's
settings; with ``engine: zensical``, `mentorsite build` runs Zensical itself on the generated pages.
"""

from __future__ import annotations

from pathlib import Path

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.positions import Position
from mentorsite.reading.problems import problem

ZENSICAL_CONFIG = "zensical.toml"
CODE = "zensical-direct"


def zensical_problems(config_file: Path, engine: str, position: Position, shown: str) -> list[Diagnostic]:
    """A warning at ``position`` (the plugin's ``engine`` setting, else the plugin's entry) in
    mkdocs.yml when a Zensical configuration is beside it and ``engine`` is not ``zensical``."""
    beside = config_file.parent / ZENSICAL_CONFIG
    if engine == "zensical" or not beside.is_file():
        return []
    return [problem(shown, position, CODE,
                    f"expected 'engine: zensical' in the mentorsite plugin's settings, got engine '{engine}' "
                    f"with {ZENSICAL_CONFIG} beside mkdocs.yml: 'zensical build' skips the plugin and "
                    "builds a handbook with no guideline pages, indexes or checklists; set 'engine: "
                    "zensical' and build with 'mentorsite build'", "engine", Severity.WARNING)]
