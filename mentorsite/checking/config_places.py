"""The options in mkdocs.yml that name files and folders the handbook's build reads.

The options of the handbook's Markdown extensions that read files (a file added to every
page, the folders files are read from, a folder of icons) follow the rule of include lines
(``mentorsite.checking.inclusions``), each reported at its line; so do the extensions the
plugin's settings name as left out of private sites, which must be ones that are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from mentorsite.checking.extensions import (
    READING_OPTIONS,
    acknowledged_problem,
    module_of,
    private_extensions,
)
from mentorsite.checking.inclusions import Included, Shown, check_included, include_reaches, reaches
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.loading import ProgramPlaces
from mentorsite.reading.positions import Position, Positions, field_name, node_positions
from mentorsite.reading.problems import problem


@dataclass(frozen=True)
class SettingTarget:
    """A file or folder that an option in mkdocs.yml names, which the handbook's build reads.

    ``kind`` is as in ``mentorsite.checking.extensions.READING_OPTIONS``; a "file" is read against
    ``bases`` (the extension's own folders), the others against the folder the build runs in.
    """

    position: Position
    option: str  # as messages show it: "pymdownx.snippets auto_append[0]"
    written: str
    kind: str
    bases: tuple[Path, ...]


@dataclass(frozen=True)
class Acknowledged:
    """An extension the program names as one private sites leave out, and why it is not, if it is not."""

    name: str
    position: Position
    problem: str | None


@dataclass(frozen=True)
class ConfiguredPlaces(ProgramPlaces):
    """A program's places as its mkdocs.yml sets them, with the settings there that name places.

    ``config_file`` is mkdocs.yml; ``settings`` the options of the handbook's Markdown
    extensions that name a file or folder; ``acknowledged`` the plugin's
    ``private_extensions_left_out``.
    """

    config_file: Path | None = None
    settings: tuple[SettingTarget, ...] = ()
    acknowledged: tuple[Acknowledged, ...] = ()


def configured_places(places: ProgramPlaces, config_file: Path, names: Sequence[object],
                      configs: Mapping[str, Any], acknowledged: Sequence[str]) -> ConfiguredPlaces:
    """``places`` with what mkdocs.yml names: the handbook's extensions (``names``, their
    ``configs``) and the extensions the plugin's settings acknowledge as left out."""
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        positions = Positions()
    forbidden = [places.pairs_dir, *(path for _, path in places.private)]
    left_out = private_extensions(names, configs, root=Path.cwd(), forbidden=forbidden).left_out
    plugin = next((key for key in positions.keys if key[:1] == ("plugins",) and key[-1:] == ("mentorsite",)),
                  ("plugins",))
    named = tuple(Acknowledged(name, positions.of_value((*plugin, "private_extensions_left_out", index)),
                               acknowledged_problem(name, names, left_out))
                  for index, name in enumerate(acknowledged))
    settings = tuple(target for name in names if isinstance(name, str)
                     for target in _setting_targets(name, configs.get(name) or {}, positions))
    given = {f.name: getattr(places, f.name) for f in fields(ProgramPlaces)}
    # A base path in a private place (its own error) would make every path read against it one.
    given["base_paths"] = tuple(base for base in places.base_paths
                                if reaches(base, places, outside=False) is None)
    return ConfiguredPlaces(**given, config_file=config_file, settings=settings, acknowledged=named)


def _setting_targets(name: str, options: Mapping[str, Any], positions: Positions) -> Iterator[SettingTarget]:
    """The targets of the options of extension ``name`` that name places, with where each is written."""
    reading = READING_OPTIONS.get(module_of(name), {})
    entry = next((key for key in positions.keys if key[:1] == ("markdown_extensions",) and key[-1] == name
                  and len(key) <= 3), ("markdown_extensions",))
    base = options.get("base_path", ".")
    bases = tuple(Path.cwd() / str(folder) for folder in ([base] if isinstance(base, str) else base or []))
    for option, kind in sorted(reading.items()):
        value: Any = options
        for part in option.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        location: tuple[str | int, ...] = (*entry, *option.split("."))
        items = [(value, location)] if isinstance(value, str) else [
            (item, (*location, index)) for index, item in enumerate(value) if isinstance(item, str)
        ] if isinstance(value, list) else []
        for written, where in items:
            if written:
                yield SettingTarget(positions.of_value(where), f"{name} {field_name(where[len(entry):])}",
                                    written, kind, bases)


def check_settings(places: ProgramPlaces, shown: Shown, included: Included) -> list[Diagnostic]:
    """The options of mkdocs.yml that name places, by the rule of include lines, at their line.

    A file the handbook reads whole (``auto_append``) may not reach the pairs, the private
    places or outside the program's folder, and its own include lines are checked; a folder
    files are read from may not be or lie in one of them (it may hold them: the include
    lines are checked), and a folder of icons may not hold one either.
    """
    if not isinstance(places, ConfiguredPlaces) or places.config_file is None:
        return []
    path = shown(places.config_file)
    diagnostics = []
    for setting in places.settings:
        if setting.kind == "file":
            # A base that is itself refused has its own error; reading every file against it would repeat it.
            bases = [base for base in setting.bases if reaches(base, places) is None]
            reached = include_reaches(setting.written, bases, places)
            if reached is None:
                diagnostics += check_included(setting.written, bases, places, included)
                continue
            message = f"expected a file of the handbook, got '{setting.written}', which {reached}"
        else:
            reached = reaches(Path.cwd() / setting.written, places, holding=setting.kind == "icons")
            if reached is None:
                continue
            message = f"expected a folder of the handbook, got '{setting.written}', which {reached}"
        diagnostics.append(problem(path, setting.position, "setting-private", message, setting.option))
    for named in places.acknowledged:
        if named.problem is not None:
            diagnostics.append(problem(path, named.position, "unknown-extension", named.problem,
                                       "private_extensions_left_out", Severity.WARNING))
    return diagnostics
