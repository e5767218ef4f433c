"""The handbook not built again by `mentorsite build` when nothing it is built from has changed.

MkDocs building the handbook's pages is most of an unchanged rebuild. After a whole build
that counted no warnings, a stamp in the private folder holds one digest of everything the
handbook's output is built from, and one of the site as built (the sealed portfolios' folder
left out). A later whole build whose digest of inputs is the stamp's, and whose site is
still the one the stamp names, builds only the rest: portfolios, reviewer site, report.

Whatever the digest may miss means no fast path: a plugin or Markdown extension not known to
read only the pages (snippets includes other files), hooks, a setting with no stable form, a
build of an edition for mike. A build with the cache off (``--no-cache``) never skips the
handbook, but stamps what it built.
The stamp is removed before the handbook is built, and written only once the new site is in
place, so an interrupted or failed build leaves no stamp vouching for a site it did not make.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import (
    Distribution,
    EntryPoint,
    EntryPoints,
    PackageNotFoundError,
    distribution,
    entry_points,
)
from importlib.util import find_spec
from pathlib import Path

import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import get_build_date

from mentorsite.files.themes import bundled_templates_dir
from mentorsite.reading.caching import UnstableError, code_digest, digest, stable_form
from mentorsite.reading.loading import PAIRS_FOLDER
from mentorsite.session.settings import Settings
from mentorsite.site.mkdocs_program import MIKE_VERSION_VARIABLE, edition_version
from mentorsite.site.stamps import Stamps

HANDBOOK_STAMP = "handbook"
FORMAT = "handbook stamp 1"
# Plugins known to build from the pages and the configuration alone, the same way each time.
KNOWN_PLUGINS = frozenset({"search", "material/search", "mentorsite"})
# Options that change how a build runs, not what it writes.
RUNNING_OPTIONS = frozenset({"jobs", "cache"})
MAX_INHERITED = 10
# Markdown extensions known to read nothing but the page: Python-Markdown's, pymdownx's (but those
# that read other files) and Material's, given no folder to read from.
KNOWN_EXTENSION_PREFIXES = ("markdown.extensions.", "pymdownx.", "material.extensions.")
MARKDOWN_EXTENSIONS = frozenset({"abbr", "admonition", "attr_list", "codehilite", "def_list", "extra",
                                 "fenced_code", "footnotes", "legacy_attrs", "legacy_em", "md_in_html",
                                 "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks"})
FILE_READING_EXTENSIONS = frozenset({"pymdownx.snippets", "pymdownx.b64"})
FOLDER_OPTIONS = frozenset({"base_path", "custom_icons", "auto_append", "restrict_base_path"})

debug = logging.getLogger("mkdocs.plugins.mentorsite")


@dataclass
class HandbookStamp:
    """The handbook's stamp: what it was last built from, and the site that build left."""

    stamps: Stamps
    fingerprint: str | None  # None: no fast path for this build
    site_dir: Path
    sealed_dir: Path | None  # the sealed portfolios' folder, when it is in the site (not digested)

    def fresh(self) -> bool:
        """True when the handbook's inputs are the stamp's and the site is still as that build left it."""
        if self.fingerprint is None:
            return False
        try:
            stamp = (self.stamps.folder / HANDBOOK_STAMP).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return False
        inputs, _, site = stamp.partition(" ")
        return inputs == self.fingerprint and site == self.site_digest()

    def forget(self) -> None:
        """Before the handbook is built: no stamp vouches for the site while it changes."""
        self.stamps.forget([HANDBOOK_STAMP])

    def record(self) -> None:
        """After a whole build with no warnings, its new site in place."""
        site = self.site_digest()
        if self.fingerprint is not None and site is not None:
            self.stamps.record(HANDBOOK_STAMP, f"{self.fingerprint} {site}")

    def site_digest(self) -> str | None:
        """The names and bytes of every file in the site but the sealed portfolios; None without a site."""
        if not self.site_dir.is_dir():
            return None
        return digest(*_files_digest(self.site_dir, [self.sealed_dir] if self.sealed_dir else []))


def handbook_stamp(config: MkDocsConfig, settings: Settings) -> HandbookStamp:
    """The stamp of this build's handbook, its digest of inputs None when the fast path cannot apply."""
    site_dir = settings.folders.site_dir
    sealed = settings.sealed_dir().resolve()
    inside = sealed if settings.encryption.enabled and sealed.is_relative_to(site_dir) else None
    return HandbookStamp(Stamps(settings.private_dir), handbook_inputs(config, settings), site_dir, inside)


def handbook_inputs(config: MkDocsConfig, settings: Settings) -> str | None:
    """One digest of everything the handbook's output is built from; None when one part has no digest."""
    why = _refused(config, settings)
    if why is not None:
        debug.debug(f"mentorsite: the handbook is built: {why}")
        return None
    try:
        configuration = _config_form(config)
        chosen = stable_form(dataclasses.replace(settings, jobs=0, cache=True))
    except UnstableError as error:
        debug.debug(f"mentorsite: the handbook is built: a setting has no stable form to compare ({error})")
        return None
    docs_dir = Path(config.docs_dir).resolve()
    outputs = [settings.folders.site_dir, settings.private_dir.resolve(), settings.cache_dir.resolve()]
    content = settings.content_dir.resolve()
    return digest(
        FORMAT, sys.version, code_digest(), configuration, chosen,
        *_config_files(settings.folders.config_file), *_files_digest(bundled_templates_dir(), []),
        *_files_digest(docs_dir, outputs),
        *_files_digest(content, [content / PAIRS_FOLDER, docs_dir, *outputs]),
        *_files_digest(settings.templates_dir.resolve(), outputs), *_engine_parts(config),
        get_build_date(), os.environ.get("SOURCE_DATE_EPOCH", "-"),
        edition_version(settings) or "-", _deploy_tips(settings))


def _refused(config: MkDocsConfig, settings: Settings) -> str | None:
    """Why this build cannot skip the handbook (None: it may)."""
    if MIKE_VERSION_VARIABLE in os.environ:
        return f"{MIKE_VERSION_VARIABLE} is set (an edition is being built)"
    if config.hooks:
        return "mkdocs.yml lists hooks"
    unknown = sorted(set(config.plugins) - KNOWN_PLUGINS)
    if unknown:
        return f"a plugin may read more than the pages: {', '.join(unknown)}"
    reading = [str(name) for name in config.markdown_extensions if not _known_extension(name)
               or FOLDER_OPTIONS & set(config.mdx_configs.get(name) or ())]
    if reading:
        return f"a Markdown extension may read more than the pages: {', '.join(reading)}"
    return None


def _known_extension(name: object) -> bool:
    if not isinstance(name, str) or name in FILE_READING_EXTENSIONS:
        return False
    return name in MARKDOWN_EXTENSIONS or name.startswith(KNOWN_EXTENSION_PREFIXES)


def _config_form(config: MkDocsConfig) -> str:
    """The loaded configuration written the same way each run (``--strict`` and the worker count left out)."""
    values = {key: config[key] for key in config if key not in ("strict", "plugins", "theme", "hooks")}
    theme = config.theme
    values["theme"] = {"name": theme.name, "dirs": list(theme.dirs),
                       "settings": {key: str(theme[key]) if key == "locale" else theme[key] for key in theme}}
    values["plugins"] = [(name, {key: value for key, value in plugin.config.items()
                                 if not (name == "mentorsite" and key in RUNNING_OPTIONS)})
                         for name, plugin in config.plugins.items()]
    return stable_form(values)


INHERIT = re.compile(rb"^INHERIT:[ \t]*['\"]?([^'\"\r\n#]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


def _config_files(config_file: Path) -> list[str]:
    """The bytes of mkdocs.yml and of every file it INHERITs."""
    parts: list[str] = []
    path: Path | None = config_file
    for _ in range(MAX_INHERITED + 1):
        if path is None:
            break
        try:
            data = path.read_bytes()
        except OSError:
            return [*parts, str(path), "-"]
        parts += [str(path), hashlib.sha256(data).hexdigest()]
        found = INHERIT.search(data)
        path = path.parent / found.group(1).decode("utf-8", "replace") if found else None
    return parts


def _files_digest(folder: Path, left_out: Iterable[Path]) -> list[str]:
    """The names and bytes of every file under ``folder`` but those under ``left_out`` (none: the folder)."""
    skipped = {str(path) for path in left_out}
    parts = [str(folder)]
    if not folder.is_dir():
        return [*parts, "-"]
    found: list[tuple[str, Path]] = []
    walked: set[tuple[int, int]] = set()  # folders by device and inode: a link loop is walked once
    for top, folders, files in os.walk(folder, followlinks=True):  # as MkDocs reads docs_dir
        try:
            seen = Path(top).stat()
        except OSError:
            continue
        if (seen.st_dev, seen.st_ino) in walked:
            folders[:] = []
            continue
        walked.add((seen.st_dev, seen.st_ino))
        folders[:] = sorted(name for name in folders if str(Path(top, name)) not in skipped
                            and name != "__pycache__")
        for name in files:
            path = Path(top, name)
            found.append((path.relative_to(folder).as_posix(), path))
    for name, path in sorted(found):
        parts += [name, _file_digest(path)]
    return parts


def _file_digest(path: Path) -> str:
    """The SHA-256 of a regular file, read in pieces; a pipe, a device or a socket is never opened
    (a build must not wait on one: the checks name it), and stands for itself."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return "not-a-file"
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return "-"


def _record(dist: Distribution | None) -> list[str]:
    """A distribution's name, version and list of installed files with their hashes."""
    if dist is None:
        return ["-"]
    return [dist.metadata["Name"] or "-", dist.version, dist.read_text("RECORD") or "-"]


def _engine_parts(config: MkDocsConfig) -> list[str]:
    """The theme's folders and the plugins' distributions (the installed entry points read once)."""
    points = entry_points()
    return [*_theme_parts(config, points.select(group="mkdocs.themes")),
            *_plugin_parts(config, points.select(group="mkdocs.plugins"))]


def _theme_parts(config: MkDocsConfig, themes: EntryPoints) -> list[str]:
    """Each theme folder: an installed theme by its distribution's record, any other by its files."""
    installed: dict[str, EntryPoint] = {}
    for point in themes:
        spec = find_spec(point.value)
        if spec is not None and spec.origin:
            installed[str(Path(spec.origin).resolve().parent)] = point
    mkdocs_templates = str(Path(mkdocs.__file__).resolve().parent / "templates")
    parts: list[str] = []
    for folder in map(str, config.theme.dirs):
        resolved = str(Path(folder).resolve())
        if resolved in installed:
            parts += [folder, *_record(installed[resolved].dist)]
        elif resolved == mkdocs_templates:
            parts += [folder, *_record(_distribution("mkdocs"))]
        else:
            parts += _files_digest(Path(resolved), [])
    return parts


def _plugin_parts(config: MkDocsConfig, plugins: EntryPoints) -> list[str]:
    """The distribution and version of each plugin."""
    points = {point.name: point for point in plugins}
    parts: list[str] = []
    for name in config.plugins:
        dist = points[name].dist if name in points else None
        parts += [name, dist.metadata["Name"] or "-", dist.version] if dist is not None else [name, "-"]
    return parts


def _distribution(name: str) -> Distribution | None:
    try:
        return distribution(name)
    except PackageNotFoundError:
        return None


def _deploy_tips(settings: Settings) -> str:
    """The commits the deploy branch is at, here and on origin (the editions listed are read from it)."""
    branch = settings.deploy_branch
    refs = [f"refs/heads/{branch}", f"refs/remotes/origin/{branch}", f"refs/tags/{branch}"]
    try:
        result = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)", *refs],
                                cwd=settings.root, capture_output=True, text=True, check=False)
    except OSError:
        return "no git"
    return f"{result.returncode}\n{result.stdout}"
