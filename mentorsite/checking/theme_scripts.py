"""What the theme itself runs, learnt from its template files.

The theme's own scripts are learnt from the theme's template files (without the program's
overrides, and without the theme's integrations of outside services such as analytics);
an inline script counts as the theme's when it is one of them with only the text of those
string literals changed that the template fills in (relative paths and values of the settings
are written there), and none of those names a scheme (``javascript:``), another host or holds
an escape sequence: the theme's redirect script, say, takes a path, never code. What the
built pages run beside it is ``mentorsite.checking.origins``'s part.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

INTEGRATIONS = "integrations"  # the theme's partials that load outside services (analytics)
DATA_TYPES = ("application/json", "application/ld+json")  # script elements that never run
_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""", re.DOTALL)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TEMPLATE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20]")
_HOLE = "\x00"  # where a template writes a value (a Jinja expression), while it is learnt
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:")


def canonical(script: str) -> str:
    """A script with the text of each string literal left out, and no surrounding space."""
    return _STRING.sub(lambda match: match.group(0)[0] * 2, script).strip()


Shape = tuple["re.Pattern[str] | None", ...]
"""The string literals of a theme script in order: the text each must have, or None where the
template writes a value (any text that is safe, see ``_safe_value``)."""


def _learnt(template: str) -> tuple[str, Shape]:
    """A template's script in canonical form (Jinja outside strings left out) and its literals."""
    marked = _JINJA.sub(_HOLE, template)
    shape: list[re.Pattern[str] | None] = []
    for literal in _STRING.findall(marked):
        text = literal[1:-1]
        shape.append(None if _HOLE in text else re.compile(re.escape(text)))
    return canonical(marked.replace(_HOLE, "")), tuple(shape)


def _safe_value(text: str) -> bool:
    """Whether a value the theme's template wrote into a string literal can carry no code nor leave
    the origin: no escape sequence (which could spell anything), no scheme (``javascript:``,
    ``data:``, ``https:``) and no other host (``//host``), read as a browser reads a URL."""
    if "\\" in text:
        return False
    url = normalised(text.strip()).casefold()
    return not _SCHEME.match(url) and not url.startswith("//")


def _fits(script: str, shapes: frozenset[Shape]) -> bool:
    """Whether the literals of ``script`` are those of one of the theme's scripts of its form."""
    literals = [literal[1:-1] for literal in _STRING.findall(script)]
    return any(len(shape) == len(literals) and all(
        _safe_value(text) if pattern is None else pattern.fullmatch(text) is not None
        for pattern, text in zip(shape, literals, strict=True)) for shape in shapes)


@dataclass(frozen=True)
class ThemeScripts:
    """What the theme itself runs: its files, and its inline scripts in canonical form."""

    folders: tuple[Path, ...]
    """The theme's folders, the program's overrides left out."""
    overrides: Path | None = None
    inline: frozenset[str] = frozenset()
    shapes: tuple[tuple[str, frozenset[Shape]], ...] = ()
    """For each inline script in canonical form, the literals it may have."""

    def owns_inline(self, script: str) -> bool:
        """Whether ``script`` is one of the theme's, with only the values its template writes changed."""
        form = canonical(script)
        if form not in self.inline:
            return False
        return any(_fits(script, shapes) for known, shapes in self.shapes if known == form)

    @classmethod
    def learn(cls, folders: Iterable[Path], overrides: Path | None) -> ThemeScripts:
        """The inline scripts (and ``javascript:`` links) of every template of the theme."""
        theme = tuple(folder.resolve() for folder in folders
                      if overrides is None or folder.resolve() != overrides.resolve())
        found: dict[str, set[Shape]] = {}
        for folder in theme:
            for template in files_under(folder, set(), ("*.html",), hidden=False):
                if INTEGRATIONS in template.relative_to(folder).parts:
                    continue
                text = template.read_text(encoding="utf-8", errors="replace")
                bodies = [body for attributes, body in _TEMPLATE_SCRIPT.findall(text)
                          if "src=" not in attributes and not any(kind in attributes for kind in DATA_TYPES)]
                for body in [*bodies, *re.findall(r'href="javascript:([^"]*)"', text)]:
                    form, shape = _learnt(body)
                    found.setdefault(form, set()).add(shape)
        return cls(theme, overrides.resolve() if overrides else None, frozenset(found),
                   tuple((form, frozenset(shapes)) for form, shapes in found.items()))

    def has_file(self, relative: str) -> bool:
        """Whether the theme has a file at ``relative`` that the program does not override."""
        if self.overrides is not None and (self.overrides / relative).exists():
            return False
        return any((folder / relative).is_file() for folder in self.folders)

    def owns_file(self, relative: str, served: Path) -> bool:
        """Whether the file served at ``relative`` is a theme file, unchanged and not overridden."""
        return _owns_file(self, relative, served)


@functools.cache
def _owns_file(theme: ThemeScripts, relative: str, served: Path) -> bool:
    """One comparison per script file and build, however many pages load it."""
    if theme.overrides is not None and (theme.overrides / relative).exists():
        return False
    try:
        data = served.read_bytes()
    except OSError:
        return False
    return any((folder / relative).is_file() and (folder / relative).read_bytes() == data
               for folder in theme.folders)



def normalised(url: str) -> str:
    """A URL as a browser reads it: no control characters or spaces, backslashes as slashes."""
    return _CONTROL.sub("", url).replace("\\", "/")


def files_under(top: Path, skipped: set[Path], patterns: tuple[str, ...], *,
                hidden: bool = True) -> list[Path]:
    """The files of ``patterns`` (names lowered) under ``top`` in name order, outside ``skipped``.

    ``hidden=False`` leaves out hidden folders (where a theme keeps its thousands of icons).
    """
    pages = []
    for walked, folders, files in os.walk(top):
        root = Path(walked)
        folders[:] = [name for name in folders
                      if (hidden or not name.startswith(".")) and (root / name).resolve() not in skipped]
        pages += [root / name for name in files
                  if any(fnmatch(name.lower(), pattern) for pattern in patterns)]
    return sorted(pages)
