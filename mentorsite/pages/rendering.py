"""Jinja templates to pages: the handbook as Markdown values, ready for any site builder.

Templates live in ``themes/`` (shipped in the wheel as ``mentorsite/themes``); a program
overrides any of them by giving a file of the same name in its own templates folder. The
bundled ones are also found under ``mentorsite/``, whatever the program overrides, so that an
override can extend the bundled template and replace only some of its blocks.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mentorsite.files.themes import bundled_templates_dir
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.scorecards import VERDICT_LABELS, PracticeSettings
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.manifests import EditionContext, edition_context
from mentorsite.model.plurals import plural
from mentorsite.model.record_sets import Handbook
from mentorsite.model.records import CHECK_NAMES, Guideline, Licence
from mentorsite.pages.guideline_diff import readable_change
from mentorsite.reading.template_cache import TemplateCache

READERS = {"mentor": "Mentors", "mentee": "Mentees", "program": "Program owners"}
BUNDLED_PREFIX = "mentorsite"
"""The bundled templates are also named with this prefix: 'mentorsite/portfolio/overview.md.j2'."""
NavItem = str | dict[str, Any]


class TemplateFailure(Exception):  # noqa: N818 - it carries a Diagnostic, it is not an error type
    """A template could not be rendered; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class RenderedPage:
    """A generated page: where it goes in the site, and its Markdown."""

    uri: str
    markdown: str


@dataclass(frozen=True)
class Topic:
    name: str
    anchor: str
    guidelines: tuple[Guideline, ...]


class RefusedTemplateError(TemplateError):
    """A name in the program's template folder that leads where no template may read."""


class ProgramTemplates(FileSystemLoader):
    """The program's template folder, where no name may lead (by a link, or a folder that holds
    them) to a pair's records or a private output: a template is shared by every pair's pages."""

    def __init__(self, folder: Path, refused: Sequence[Path]):
        super().__init__(folder)
        self.refused = tuple(place.resolve() for place in refused)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        where = Path(filename).resolve()
        if any(where == place or where.is_relative_to(place) for place in self.refused):
            raise RefusedTemplateError(f"expected a template of the program, got '{template}', which leads "
                                       "to a pair's records or a private output (no template may read those)")
        return source, filename, uptodate


def create_environment(override_dir: Path | None = None, refused: Sequence[Path] = (),
                       cache_dir: Path | None = None) -> Environment:
    """A strict, sandboxed Jinja environment that looks in ``override_dir`` before the bundled templates.

    A program's templates are its own code, but they render every pair's records: in the
    sandbox a template reads the values it is given and nothing else (no Python internals,
    so no file, module or other pair), and it cannot change them, so one page's rendering
    cannot leak into the next. Names are looked up inside the two folders only: a name
    with '..' in it is not found.

    ``refused``: the places no program template may read (the pairs' records, the private
    outputs, the record cache, the keys file), even through a link in its folder.

    ``mentorsite/NAME`` is always the bundled NAME, so that a program's ``NAME`` can say
    ``{% extends "mentorsite/NAME" %}`` and replace some of its blocks. The bundled folder
    stays a loader of its own with its search path, which is how the portfolio stamps find
    every template folder to digest.

    ``cache_dir``: keep the compiled templates there between builds (``reading.template_cache``);
    the site engine's environments built with this one use the same cache (``bytecode_cache``).
    """
    folders = [override_dir] if override_dir is not None and override_dir.is_dir() else []
    bundled = FileSystemLoader(bundled_templates_dir())
    loader = ChoiceLoader([PrefixLoader({BUNDLED_PREFIX: bundled}),
                           *(ProgramTemplates(folder, refused) for folder in folders), bundled])
    compiled = TemplateCache(cache_dir) if cache_dir is not None else None
    environment = ImmutableSandboxedEnvironment(loader=loader, undefined=StrictUndefined, autoescape=False,
                                                keep_trailing_newline=True, trim_blocks=True,
                                                lstrip_blocks=True, bytecode_cache=compiled)
    environment.filters["anchor"] = anchor
    environment.filters["yaml"] = json.dumps
    environment.filters["html"] = html.escape  # text the theme writes as HTML (page titles)
    environment.filters["cell"] = table_cell
    environment.filters["link_text"] = link_text
    environment.filters["percent"] = percent
    environment.filters["plural"] = plural  # {{ count | plural("session") }}: '1 session', '2 sessions'
    environment.globals["readers"] = READERS
    environment.globals["verdict_badge"] = verdict_badge
    return environment


def anchor(text: str) -> str:
    """The heading id Python-Markdown's table of contents gives ``text`` by default."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^\w\s-]", "", ascii_text).strip().lower()
    return re.sub(r"[-\s]+", "-", words)


# What Python-Markdown reads as a heading, a code fence or a list item, line by line.
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ATX = re.compile(r"(?P<lead> {0,3}(?:>[ \t]?)*)(?P<hashes>#{1,6})(?!#)")
_INDENTED_ATX = re.compile(r"(?P<lead>[ \t]+(?:>[ \t]?)*)(?P<hashes>#{1,6})(?!#)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d+\.)[ \t]")
_HTML_HEADING = re.compile(r"(</?h)([1-6])(?=[\s/>])", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def nest_headings(markdown: str, levels: int) -> str:
    """``markdown`` with every heading ``levels`` deeper (at most h6), code left as it is.

    A record's body is shown under a section heading of its page, and the page's own
    title is its one H1: a body's ``# heading`` becomes ``###`` under ``## Notes``. Its id
    comes from its text, so anchors to it stay what they were. Headings written as HTML
    (``<h1>``) and underlined ones (``===``, ``---``) are nested too.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    fence = ""
    in_list = False
    for line in lines:
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = ""
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        if line.strip():
            if _LIST_ITEM.match(line):
                in_list = True
            elif not line[0].isspace():
                in_list = False
        underline = _SETEXT.fullmatch(line)
        if underline and out and out[-1].strip() and not out[-1].startswith(("    ", "\t", "#")) \
                and not _FENCE.match(out[-1]):
            level = 1 if underline.group(1)[0] == "=" else 2
            out[-1] = f"{'#' * min(6, level + levels)} {out[-1].strip()}"
            continue
        heading = (_INDENTED_ATX if in_list else _ATX).match(line) or _ATX.match(line)
        text = line
        if heading:
            hashes = "#" * min(6, len(heading.group("hashes")) + levels)
            text = heading.group("lead") + hashes + line[heading.end():]
        parts = _CODE_SPAN.split(text)
        out.append("".join(part if index % 2 else _HTML_HEADING.sub(
            lambda found: f"{found.group(1)}{min(6, int(found.group(2)) + levels)}", part)
            for index, part in enumerate(parts)))
    return "\n".join(out)


def table_cell(text: object) -> str:
    """Text that stays inside one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def link_text(text: object) -> str:
    """Text that stays the text of one Markdown link: its brackets are not the link's own."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def verdict_badge(verdict: str, text: str | None = None) -> str:
    """A verdict as a badge (HTML): the stylesheet gives each verdict its colour and icon, and
    the word is always written, so no verdict is told by colour alone. ``text`` replaces the
    word ("3 overdue" in the colour of a fail)."""
    if verdict not in VERDICT_LABELS:
        raise ValueError(f"no verdict {verdict!r}; one of {', '.join(VERDICT_LABELS)}")
    label = VERDICT_LABELS[verdict] if text is None else text
    return f'<span class="mentorsite-verdict mentorsite-verdict--{verdict}">{html.escape(str(label))}</span>'


def percent(share: float | None) -> str:
    """0.75 as '75%'; no value as an em dash."""
    return "—" if share is None else f"{round(share * 100)}%"


def relative_link(from_uri: str, to_uri: str) -> str:
    """A Markdown link from one page's source path to another's."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def guideline_uri(guideline: Guideline) -> str:
    return f"guidelines/{guideline.id}.md"


def group_by_topic(guidelines: Sequence[Guideline]) -> list[Topic]:
    """Topics in the order of their first guideline; guidelines keep their handbook order."""
    names: list[str] = []
    for guideline in guidelines:
        if guideline.topic not in names:
            names.append(guideline.topic)
    return [Topic(name, anchor(name), tuple(g for g in guidelines if g.topic == name)) for name in names]


def render_handbook(handbook: Handbook, environment: Environment, *, site_name: str,
                    site_description: str = "", edition: EditionContext | None = None,
                    practices: PracticeSettings | None = None,
                    licence: Licence | None = None) -> list[RenderedPage]:
    """Every generated page of the handbook, in a stable order.

    ``edition`` places this build among the published editions (default: an unpublished
    build with no edition before it); ``practices`` holds the thresholds that the pages
    describing the practice checks state (default: the checks' own); ``licence`` is the
    handbook's (the plugin's ``licence`` option), which a guideline's own replaces on its page.
    """
    topics = group_by_topic(handbook.guidelines)
    edition = edition or edition_context(handbook, None)
    practices = practices or PracticeSettings()
    shared = {"handbook": handbook, "topics": topics, "site_name": site_name,
              "site_description": site_description, "edition": edition, "check_names": CHECK_NAMES,
              "check_title": lambda name: CHECKS[name].title, "describe_check": practices.describe,
              "licence": licence}
    render: Callable[..., RenderedPage] = partial(render_page, environment, shared)
    pages = [] if handbook.landing_markdown is not None else [render("index.md", "handbook/index.md.j2")]
    pages.append(render("whats-new.md", "handbook/whats-new.md.j2", changes=edition.changes,
                        titles={g.id: g for g in handbook.guidelines},
                        readable={c.after.id: readable_change(c) for c in edition.changes.changed}))
    pages.append(render("topics.md", "handbook/topics.md.j2"))
    pages.append(render("audiences.md", "handbook/audiences.md.j2"))
    for reader in ("mentor", "mentee"):
        chosen = [g for g in handbook.guidelines if g.is_for(reader)]
        pages.append(render(f"checklists/{reader}.md", "handbook/checklist.md.j2", reader=reader,
                            topics=group_by_topic(chosen)))
    for guideline in handbook.guidelines:
        related = [g for g in (handbook.guideline(i) for i in guideline.related) if g is not None]
        pages.append(render(guideline_uri(guideline), "handbook/guideline.md.j2",
                            guideline=guideline, related=related, history=edition.history[guideline.id]))
    return pages


def render_page(environment: Environment, shared: dict[str, Any], uri: str, template: str,
                **context: Any) -> RenderedPage:
    """Render one template into the page at ``uri``; ``link()`` in it is relative to that page."""
    def link(target: str | Guideline) -> str:
        return relative_link(uri, guideline_uri(target) if isinstance(target, Guideline) else target)

    try:
        markdown = environment.get_template(template).render({**shared, **context, "page_uri": uri,
                                                               "link": link})
    except TemplateError as error:
        raise TemplateFailure(_template_diagnostic(error, template)) from None
    except TEMPLATE_FAULTS as error:  # a program's own template computing what it cannot: located too
        raise TemplateFailure(_template_diagnostic(error, template)) from None
    return RenderedPage(uri, markdown)


# What an expression in a template can raise on the values it is given ({{ 1 / 0 }}, {{ 'a' + 1 }},
# a template that includes itself), besides Jinja's own errors.
TEMPLATE_FAULTS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError)


def _template_diagnostic(error: Exception, template: str) -> Diagnostic:
    """Locate a template error: the syntax error's own line, or the deepest template frame."""
    path, line = template, 1
    if isinstance(error, TemplateSyntaxError):
        path, line = error.filename or error.name or template, error.lineno
    else:
        traceback = error.__traceback__
        while traceback is not None:
            frame_file = traceback.tb_frame.f_code.co_filename
            if frame_file.endswith(".j2"):
                path, line = frame_file, traceback.tb_lineno
            traceback = traceback.tb_next
    if isinstance(error, SecurityError):
        message = _unsafe_message(error)
    elif isinstance(error, TemplateError):
        message = error.message or str(error)
    elif isinstance(error, RecursionError):
        message = "expected a template that ends, got one that includes or calls itself without end"
    else:
        message = f"expected a template that can compute its values, got {type(error).__name__}: {error}"
    return Diagnostic(path, line, 1, Severity.ERROR, "template", message)


_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute ('[^']*') of ('[^']*') object is unsafe\.")


def _unsafe_message(error: SecurityError) -> str:
    """What the sandbox refused, in the voice of the other messages."""
    text = error.message or str(error)
    found = _UNSAFE_ATTRIBUTE.fullmatch(text)
    refused = f"attribute {found.group(1)} of a {found.group(2)} value" if found else text.rstrip(".")
    return ("expected a template that uses only the values it is given and leaves them as they are "
            f"(templates run in a sandbox), got a use of {refused}")


def handbook_nav(handbook: Handbook) -> list[NavItem]:
    """A navigation for the handbook in the shape of MkDocs' ``nav`` setting."""
    topics = group_by_topic(handbook.guidelines)
    by_topic: list[NavItem] = [{topic.name: [guideline_uri(g) for g in topic.guidelines]} for topic in topics]
    return [
        {"Home": "index.md"},
        {"What's new": "whats-new.md"},
        {"Guidelines": by_topic},
        {"Find a guideline": [{"By topic": "topics.md"}, {"By audience": "audiences.md"}]},
        {"Checklists": [{"For mentors": "checklists/mentor.md"}, {"For mentees": "checklists/mentee.md"}]},
    ]
