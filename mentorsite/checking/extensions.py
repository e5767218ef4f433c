"""Which of the handbook's Markdown extensions private sites may use: an allowlist.

Portfolios, the reviewer site and the report render pair records. An extension that reads
a file or the network while it renders (an include, an embedded image) would let one line
of a record copy another pair's records or the passphrases into a portfolio, so private
sites use only the extensions below, each read in its source and found to read nothing but
the text it is given. Anything else in the handbook's list is left out of private sites,
with the reason. Options that name Python code (``!!python/name:`` in mkdocs.yml) are kept
only when the code is in a module known to read nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

# Python-Markdown's own extensions: none opens a file or a connection.
_MARKDOWN = ("abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code",
             "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty",
             "tables", "toc", "wikilinks")
# pymdown-extensions that work on the text alone (emoji and keys read their tables from Python modules).
_PYMDOWNX = ("arithmatex", "betterem", "blocks.admonition", "blocks.caption", "blocks.definition",
             "blocks.details", "blocks.html", "blocks.tab", "bracketspan", "caret", "critic", "details",
             "emoji", "escapeall", "extra", "fancylists", "highlight", "inlinehilite", "keys", "magiclink",
             "mark", "progressbar", "quotes", "saneheaders", "smartsymbols", "striphtml", "superfences",
             "tabbed", "tasklist", "tilde")
SAFE_EXTENSIONS = frozenset((*(f"markdown.extensions.{name}" for name in _MARKDOWN),
                             *(f"pymdownx.{name}" for name in _PYMDOWNX),
                             "material.extensions.preview"))  # marks links to preview; reads nothing

# Known extensions that read files, the network or the build's folders, and why they are left out.
READING_EXTENSIONS = {
    "pymdownx.snippets": "it copies files (and, with url_download, pages from the network) into the page",
    "pymdownx.b64": "it embeds local image files in the page",
    "pymdownx.pathconverter": "it rewrites links against the build's folders, and can name them in the page",
    "markdown_include.include": "it copies files into the page",
    "mdx_include": "it copies files (and pages from the network) into the page",
}

# Options that name a file or folder the extension reads (or, for pathconverter, writes into links),
# each found in the extension's source: "file" is read whole, "folder" is where the files that a
# page names are looked up, "icons" is a folder whose every file a page may read by name. An
# option inside another is written with a dot ("options.custom_icons").
READING_OPTIONS: dict[str, dict[str, str]] = {
    "pymdownx.snippets": {"base_path": "folder", "auto_append": "file"},
    "pymdownx.b64": {"base_path": "folder", "root_path": "folder"},
    "pymdownx.pathconverter": {"base_path": "folder", "relative_path": "folder"},
    "pymdownx.emoji": {"options.custom_icons": "icons"},
    "markdown_include.include": {"base_path": "folder"},
    "mdx_include": {"base_path": "folder"},
}

# Modules whose functions an option may name (a custom fence's formatter, the emoji index, a slugify).
SAFE_CODE = ("pymdownx.", "material.extensions.", "markdown.", "materialx.emoji")
_READING_MODULES = tuple(READING_EXTENSIONS)


@dataclass(frozen=True)
class LeftOut:
    """An extension (or a part of its options) that private sites do without, and why."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} ({self.reason})"


@dataclass
class PrivateExtensions:
    """The extensions private sites use, with their options, and those left out."""

    names: list[str] = field(default_factory=list)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)

    def as_config(self) -> list[Any]:
        """The list for a MkDocs ``markdown_extensions`` setting."""
        return [{name: self.configs[name]} if self.configs.get(name) else name for name in self.names]


def module_of(name: str) -> str:
    """The module an extension name loads: 'toc' -> 'markdown.extensions.toc'; ':Class' is dropped."""
    module = name.split(":", 1)[0].strip()
    return module if "." in module else f"markdown.extensions.{module}"


def private_extensions(names: Sequence[object], configs: Mapping[str, Mapping[str, Any]], *,
                       needed: Sequence[str] = (), root: PurePath | None = None,
                       forbidden: Sequence[PurePath] = ()) -> PrivateExtensions:
    """The handbook's extensions (``names``, ``configs`` by name) as private sites may use them.

    ``needed`` are added (without options) when the handbook lacks them. Folders of custom
    icons (relative to ``root``) that are, hold or lie inside one of the ``forbidden``
    folders are dropped: an icon is a file read into the page.
    """
    result = PrivateExtensions()
    for entry in names:
        kept = _kept(entry, configs, root, forbidden, result.left_out)
        if kept is not None:
            result.names.append(kept[0])
            result.configs[kept[0]] = kept[1]
    kept_modules = {module_of(name) for name in result.names}
    for entry in needed:
        if module_of(entry) not in kept_modules:
            result.names.append(entry)
            kept_modules.add(module_of(entry))
    return result


def _kept(entry: object, configs: Mapping[str, Mapping[str, Any]], root: PurePath | None,
          forbidden: Sequence[PurePath], left_out: list[LeftOut]) -> tuple[str, dict[str, Any]] | None:
    """The extension and the options private sites use, or None (with why in ``left_out``)."""
    if not isinstance(entry, str):
        left_out.append(LeftOut(type(entry).__name__, "an extension object, not a name to check"))
        return None
    module = module_of(entry)
    if module not in SAFE_EXTENSIONS:
        left_out.append(LeftOut(entry, READING_EXTENSIONS.get(module, "it is not known to read no files "
                                                                      "and no network")))
        return None
    raw = configs.get(entry) or {}
    options, problems = _safe_options(entry, dict(raw) if isinstance(raw, Mapping) else {}, root, forbidden)
    left_out += problems
    return None if options is None else (entry, options)


def _safe_options(name: str, options: dict[str, Any], root: PurePath | None,
                  forbidden: Sequence[PurePath]) -> tuple[dict[str, Any] | None, list[LeftOut]]:
    """The options with unsafe custom fences and icon folders dropped; None when the extension must go."""
    dropped: list[LeftOut] = []
    for key in ("custom_fences", "custom_inline"):
        if isinstance(options.get(key), list):
            kept = []
            for custom in options[key]:
                unsafe = _unsafe_code(custom)
                if unsafe is None:
                    kept.append(custom)
                else:
                    label = custom.get("name", "?") if isinstance(custom, dict) else "?"
                    dropped.append(LeftOut(f"{name} {key} '{label}'", f"it names code in {unsafe}"))
            options[key] = kept
    emoji_options = options.get("options")
    if isinstance(emoji_options, dict) and isinstance(emoji_options.get("custom_icons"), list):
        folders = []
        for folder in emoji_options["custom_icons"]:
            if isinstance(folder, str) and not _overlaps(folder, root, forbidden):
                folders.append(folder)
            else:
                reason = "icons are read from it, and it overlaps the records or the private output"
                dropped.append(LeftOut(f"{name} custom_icons '{folder}'", reason))
        options["options"] = {**emoji_options, "custom_icons": folders}
    unsafe = _unsafe_code(options)
    if unsafe is not None:
        return None, [*dropped, LeftOut(name, f"an option names code in {unsafe}")]
    return options, dropped


def _unsafe_code(value: object) -> str | None:
    """The module of the first piece of code in ``value`` that is not known to be safe, else None."""
    if value is None or isinstance(value, str | bytes | int | float | bool):
        return None
    if isinstance(value, Mapping):
        return next((found for item in value.values() if (found := _unsafe_code(item))), None)
    if isinstance(value, list | tuple | set | frozenset):
        return next((found for item in value if (found := _unsafe_code(item))), None)
    if isinstance(value, functools.partial):
        return _unsafe_code([value.func, value.args, value.keywords])
    if not callable(value):
        return None  # a value, such as a date: nothing to run
    module = getattr(value, "__module__", None)
    if not isinstance(module, str):
        return type(value).__name__
    if not module.startswith(SAFE_CODE) or module.startswith(_READING_MODULES):
        return module
    return None


def _overlaps(folder: str, root: PurePath | None, forbidden: Sequence[PurePath]) -> bool:
    """Whether ``folder`` (relative to ``root``) is, holds or lies inside a forbidden folder, by name."""
    path = PurePath(os.path.normpath(PurePath(root or PurePath(), folder)))
    return any(path.is_relative_to(other) or other.is_relative_to(path) for other in forbidden)


def acknowledged_problem(name: str, handbook: Sequence[object], left_out: Sequence[LeftOut]) -> str | None:
    """Why ``name``, given as an extension the owners know private sites leave out, is not one; else None."""
    modules = {module_of(entry) for entry in handbook if isinstance(entry, str)}
    if module_of(name) not in modules:
        return f"expected an extension of markdown_extensions, got '{name}', which is not in it"
    if not any(module_of(left.name) == module_of(name) for left in left_out):
        return f"expected an extension that private sites leave out, got '{name}', which they keep"
    return None


def is_acknowledged(left: LeftOut, acknowledged: Sequence[str]) -> bool:
    """Whether a whole extension left out is among those the owners know of (a part of one never is)."""
    return " " not in left.name and any(module_of(name) == module_of(left.name) for name in acknowledged)
