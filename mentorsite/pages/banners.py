"""The problems of a preview, shown at the top of its pages while it is served, never built into a site.

A banner lists each problem (its place, message and code, escaped) in the theme's look of a
failed admonition. The handbook preview puts one on every page it builds while a record or
setting is wrong, and on the pages of its last good build when a rebuild fails; the
portfolio preview puts one on the pages it serves, or serves an error page when the pair
has no good build yet. Wording lives here, not in templates.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from pathlib import Path

from mentorsite.model.diagnostics import Diagnostic, summarize

BANNER_ID = "mentorsite-problems"
BANNER_END = f"<!-- /{BANNER_ID} -->"
# Where a page's content starts: the theme's article, else the main region, else the body.
CONTENT_START = (re.compile(rb"<article\b[^>]*>"), re.compile(rb"<div\b[^>]*\brole=\"main\"[^>]*>"),
                 re.compile(rb"<body\b[^>]*>"))
OLD_BANNER = re.compile(rb"<div class=\"admonition failure\" id=\"" + BANNER_ID.encode() + rb"\".*?"
                        + re.escape(BANNER_END.encode()), re.DOTALL)
STALE_NOTE = "Where a record could not be read, its page shows its last good content."
RELOAD_NOTE = "Shown only while serving: the page reloads by itself once the problems are fixed."


def problem_items(problems: Sequence[Diagnostic]) -> str:
    """One list item per problem: where (path:line:col), what, and its code, all escaped."""
    items = []
    for problem in problems:
        where = html.escape(f"{problem.path}:{problem.line}:{problem.column}")
        subject = f"{problem.field}: " if problem.field else ""
        what = html.escape(f"{subject}{problem.message}")
        code = html.escape(f"{problem.severity.value}[{problem.code}]")
        items.append(f"<li><code>{where}</code> {what} <code>{code}</code></li>")
    return "<ul>" + "".join(items) + "</ul>" if items else ""


def banner(title: str, problems: Sequence[Diagnostic], notes: Sequence[str]) -> str:
    """The banner's HTML: a title, the problems, then the notes (plain text, escaped here)."""
    paragraphs = "".join(f"<p>{html.escape(note)}</p>" for note in notes)
    return (f'<div class="admonition failure" id="{BANNER_ID}" role="alert">'
            f'<p class="admonition-title">{html.escape(title)}</p>{problem_items(problems)}{paragraphs}'
            f"</div>{BANNER_END}")


def problems_banner(problems: Sequence[Diagnostic], subject: str, *, stale: bool = True) -> str:
    """The banner of a build that went on despite ``problems`` (``subject``: 'the handbook')."""
    notes = [STALE_NOTE, RELOAD_NOTE] if stale else [RELOAD_NOTE]
    return banner(_first_up(f"{summarize(problems)} in {subject}"), problems, notes)


def failure_banner(subject: str, reason: str, problems: Sequence[Diagnostic] = (), *,
                   stale: bool = True) -> str:
    """The banner of a build that failed; ``stale``: the pages are those of the last good build."""
    notes = [f"This page is from the last good build of {subject}.", RELOAD_NOTE] if stale else [RELOAD_NOTE]
    return banner(_first_up(f"{subject} could not be {'rebuilt' if stale else 'built'}: {reason}"), problems,
                  notes)


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def with_banner(page: bytes, shown: str) -> bytes:
    """``page`` with ``shown`` (a banner) at the top of its content, in place of any banner it had."""
    page = OLD_BANNER.sub(b"", page)
    for start in CONTENT_START:
        found = start.search(page)
        if found:
            return page[:found.end()] + shown.encode("utf-8") + page[found.end():]
    return shown.encode("utf-8") + page


def stamp_pages(site_dir: Path, shown: str) -> int:
    """Put ``shown`` on every HTML page under ``site_dir`` (a served build's folder); how many pages."""
    count = 0
    for folder, _, names in os.walk(site_dir):
        for name in names:
            if not name.endswith(".html"):
                continue
            path = Path(folder) / name
            try:
                path.write_bytes(with_banner(path.read_bytes(), shown))
            except OSError:
                continue  # a page that cannot be stamped is served as it is
            count += 1
    return count


ERROR_PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:1.5rem 1rem;"
    "line-height:1.5;color:#222}h1{font-size:1.4rem;font-weight:600}"
    ".admonition{border-left:.25rem solid #ff5252;border-radius:.2rem;background:#fff5f5;"
    "padding:.1rem 1rem .6rem;overflow-wrap:anywhere}"
    ".admonition-title{font-weight:700;margin:.6rem 0}ul{padding-left:1.2rem}li{margin:.4rem 0}"
    "code{font-size:.85em;background:#f2f2f2;padding:.05rem .25rem;border-radius:.15rem}")


def error_page(title: str, shown: str, policy: str) -> bytes:
    """A page of its own for a preview that has no good build yet: ``shown`` (a banner) under a title.

    ``policy`` is the Content-Security-Policy of the pages it stands in for.
    """
    attribute = policy.replace('"', "&quot;")  # single quotes stay: the preview adds its hash there
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{attribute}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{ERROR_PAGE_STYLE}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><article>{shown}</article></body></html>\n").encode()
