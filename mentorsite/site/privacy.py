"""What keeps a private page private: its security policy, its marks, and the host it is served from.

Every portfolio page carries a policy that lets the browser run no script but the theme's
and fetch nothing from another host; it asks not to be indexed and sends no referrer
(``mark_private``, applied by the ``PrivatePages`` plugin of every private site). Sealed
portfolios inside the handbook's site share its host name, so the handbook must then run
no script but the theme's (``check_shared_origin``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from mentorsite.checking.origins import scan_site, setting_findings
from mentorsite.checking.theme_scripts import ThemeScripts
from mentorsite.files.output import PAIRS, REVIEW
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.plurals import plural
from mentorsite.pages.fetches import Fetch, remove_fetches
from mentorsite.pages.sanitising import prefix_anchors, sanitise
from mentorsite.reading.positions import Positions, node_positions

log = logging.getLogger("mkdocs.plugins.mentorsite")


# Every portfolio page carries this policy: the browser itself then refuses any request to
# another host, and runs no script but the theme's files and the theme's own inline scripts
# (allowed by hash, page by page). Inline styles stay allowed: the charts use them.
POLICY = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
          "manifest-src 'self'; base-uri 'none'; form-action 'none'")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL)


class PrivatePages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Marks every portfolio page as private: clean content, its security policy, no indexing, no referrer."""

    def __init__(self, policy: bool = True):
        self.policy = policy
        self.theme_scripts: frozenset[str] | None = None  # learnt by the site factory
        self.warned: set[str] = set()  # what the theme's templates fetch from another host, said once
        self.seen: set[tuple[Fetch, str]] = set()

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        prefix_anchors(page.toc)  # the table of contents points at the ids as the cleaning writes them
        return sanitise(html, page.url)  # before search indexes the page, so the index is clean too

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        output, fetches = remove_fetches(output, page.content or "")  # the whole page: the templates too
        for fetch in fetches:
            self._warn(fetch, str(page.meta.get("template") or "main.html"), config)
        if self.theme_scripts is None:
            return output  # a probe page, to learn the theme's scripts
        return mark_private(output, page.content or "", policy=self.policy, theme_scripts=self.theme_scripts)

    def _warn(self, fetch: Fetch, template: str, config: MkDocsConfig) -> None:
        """One warning per build for each tag the templates write: where it is, when a template holds it."""
        if (fetch, template) in self.seen:
            return  # the same tag on another page
        self.seen.add((fetch, template))
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        custom = Path(config.theme.custom_dir) if config.theme.custom_dir else None
        holders = sorted(custom.rglob("*")) if custom is not None and custom.is_dir() else []
        for holder in holders:
            text = holder.read_text(encoding="utf-8", errors="replace") if holder.is_file() else ""
            if fetch.url in text:  # the template's own text, not a record's: quoted
                line, column = position_of(text, fetch.url)
                where = f"{shown_path(holder, root)}:{line}:{column}"
                message = (f"{where}: warning[offsite-template] expected no request to another host from a "
                           f"private page, got {fetch} to '{fetch.url}'; private pages leave it out")
                break
        else:  # made by the template from values: the URL is not quoted
            where = f"{template}: {fetch}"
            message = (f"mentorsite: the theme's template {template} writes {fetch} naming another host; "
                       "private pages leave it out")
        if where not in self.warned:
            self.warned.add(where)
            log.warning(message)


def position_of(text: str, found: str) -> tuple[int, int]:
    """Line and column (1-based) where ``found`` first is in ``text``; 1:1 when it is not there as such."""
    at = text.find(found)
    if at < 0:
        return 1, 1
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def mark_private(html: str, content: str, *, policy: bool = True,
                 theme_scripts: frozenset[str] | None = None) -> str:
    """Put the policy first in ``<head>``, allowing the theme's inline scripts outside ``content``.

    Scripts inside the page's own content (from the records) are not allowed: only those
    the theme wrote around it and, when ``theme_scripts`` is given, only those among them
    that the theme writes on every page. Search engines are asked not to index the page,
    and links out send no referrer, which would name the pair and the page.
    """
    allowed = set(INLINE_SCRIPT.findall(html)) - set(INLINE_SCRIPT.findall(content))
    if theme_scripts is not None:
        allowed &= theme_scripts
    hashes = " ".join(sorted(f"'sha256-{_digest(script)}'" for script in allowed))
    tags = [f'<meta http-equiv="Content-Security-Policy" content="{POLICY.format(hashes=hashes)}">']
    if not policy:
        tags = []
    tags += ['<meta name="referrer" content="no-referrer">',
             '<meta name="robots" content="noindex, nofollow">']
    return html.replace("<head>", "<head>" + "".join(f"\n    {tag}" for tag in tags), 1)


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


SharedOrigin = Literal["refuse", "warn"]
"""What a build does when the encrypted portfolios would share the handbook's host with its scripts."""


@dataclass(frozen=True)
class HandbookTheme:
    """The template folders the handbook was built from: the program's overrides, and the theme's own."""

    folders: tuple[Path, ...]
    overrides: Path | None = None


def check_shared_origin(handbook_config: MkDocsConfig, target_dir: Path, policy: SharedOrigin,
                        theme: HandbookTheme | None = None) -> list[Diagnostic]:
    """Refuse (with ``policy="warn"``, warn) to seal portfolios beside scripts that are not the theme's.

    Only when the encrypted portfolios are inside the handbook's ``site_dir``, and so on
    its host name: then ``extra_javascript``, ``extra.analytics`` and every script in the
    built handbook's pages (a theme override, a plugin, raw HTML) must be the theme's own.
    Returns what was found (as warnings when they do not stop the build). ``theme``: the theme
    the handbook was built with, when that is not the configuration's (another engine's own copy).
    """
    site_dir = Path(handbook_config.site_dir).resolve()
    if not target_dir.resolve().is_relative_to(site_dir):
        return []
    if theme is None:
        configured = handbook_config.theme
        theme = HandbookTheme(tuple(Path(folder) for folder in configured.dirs),
                              Path(configured.custom_dir) if configured.custom_dir else None)
    scripts = ThemeScripts.learn(list(theme.folders), theme.overrides)
    config_file = Path(handbook_config.config_file_path or "mkdocs.yml").resolve()
    try:
        positions = node_positions(config_file.read_text(encoding="utf-8"))
    except OSError:
        positions = Positions()
    severity = Severity.ERROR if policy == "refuse" else Severity.WARNING
    listed = [str(script) for script in handbook_config.extra_javascript]
    root = config_file.parent
    found = setting_findings(shown_path(config_file, root), positions, listed, scripts,
                             handbook_config.extra.get("analytics"), severity)
    # Only the folders written here are left out: a handbook page that lands beside them is scanned.
    found += scan_site(site_dir, scripts, shown=shown_path(site_dir, root),
                       skip=[target_dir / PAIRS, target_dir / REVIEW], known=listed, severity=severity)
    for problem in found:
        (log.error if problem.is_error else log.warning)(str(problem))
    scripts_found = plural(len(found), "script")
    if found and policy == "refuse":
        sealed = shown_path(target_dir, root)
        raise PluginError(
            f"mentorsite: the encrypted portfolios ({sealed}) are inside site_dir, on the "
            f"handbook's host name, beside {scripts_found} not the theme's own (see above): any script there "
            "can use a portfolio a reader has unlocked. Serve them from a host name of their own (set "
            "encryption.output_dir to a folder outside site_dir, and publish that folder on its own host "
            "name), or set encryption.shared_origin: warn to publish them beside the handbook anyway. "
            "Nothing was built or encrypted")
    if found:
        log.warning(f"mentorsite: the encrypted portfolios share the handbook's host name with "
                    f"{scripts_found} not the theme's own (encryption.shared_origin: warn)")
    return found


def shown_path(path: Path, root: Path) -> str:
    """A path relative to the program's folder when it is inside it."""
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
