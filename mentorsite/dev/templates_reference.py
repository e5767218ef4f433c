"""docs/templates.md, written from the bundled templates themselves.

Each template says what it renders in the comment that opens it; its blocks and the values
it reads are found in its parsed source, so the page cannot drift from the templates. Run
``python -m mentorsite.dev.templates_reference`` after changing one (the tests compare the
committed page with what this writes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, meta, nodes

from mentorsite.dev.reference_pages import write_page
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.pages.rendering import BUNDLED_PREFIX, create_environment

REFERENCE = Path("docs/templates.md")
FOLDERS = ("handbook", "portfolio", "report", "review", "vault", "records")
"""The folders a program may override, in the order of the page. ``starter/`` is left out: its
files are written by ``mentorsite init``, before there is a program with templates of its own."""
FOLDER_NOTES = {
    "handbook": "The handbook's generated pages, for every edition.",
    "portfolio": "Each pair's portfolio, once per edition (the pair's own and the review edition).",
    "report": "The program report, for the people who run the program.",
    "review": "The reviewer site's own page.",
    "vault": "The page of an encrypted site that asks for its passphrase.",
    "records": "The records `mentorsite new` drafts. They are records, not pages, so they have no blocks; "
               "`hint` is the line that names the record's schema.",
}
PAGE_SUFFIXES = (".md.j2", ".html.j2")
"""A page template ends so; the others are macros and the records ``mentorsite new`` drafts."""

FILTERS = {
    "anchor": "the heading id the table of contents gives a text: `{{ topic.name | anchor }}`",
    "yaml": "a value quoted for the front matter: `title: {{ goal.title | yaml }}`",
    "html": "text escaped for HTML, for page titles the theme writes outside the Markdown",
    "cell": "text kept inside one cell of a Markdown table",
    "link_text": "text kept as the text of one Markdown link: `[{{ item.title | link_text }}](<url>)`",
    "percent": "a share as a percentage (`0.75` as `75%`), no value as an em dash",
    "plural": "a count and its noun, plural unless the count is one: `{{ n | plural(\"session\") }}` "
              "is `1 session`, `2 sessions`",
}

INTRODUCTION = f"""\
# Templates

Every page mentorsite writes comes from a Jinja template in `themes/` (shipped in the package
as `mentorsite/themes`). This page lists each one: what it renders, its blocks and the values
it reads. It is written from the templates by `python -m mentorsite.dev.templates_reference`,
so it cannot drift from them.

## Overriding a template

A file in the program's templates folder (the `templates_dir` setting, `templates/` unless
set) replaces the bundled template of the same name: `templates/portfolio/overview.md.j2`
replaces the dashboard. To change one section only, extend the bundled template, which is
always found under the prefix `{BUNDLED_PREFIX}/`, and replace that section's block; the rest of
the page stays as the bundled template writes it:

```jinja
{{% extends "{BUNDLED_PREFIX}/portfolio/overview.md.j2" %}}
{{% block goals %}}
## Goals

{{{{ overview.goals | length | plural("goal") }}}} so far.

{{% endblock %}}
```

`{{{{ super() }}}}` inside a block writes the bundled block's own text. Templates run in a
sandbox: they read the values they are given and nothing else, and a name with `..` in it
is not found. A program's templates (and every bundled one) count in the stamps that decide
whether a portfolio is built again, so changing either builds the portfolios again.

A block starts at a line of its own and ends with the blank line after its section, so a
replacement ends with one too. The pages are Markdown (the unlock page is HTML), and the
whitespace around the block tags is left out: `trim_blocks` and `lstrip_blocks` are set.

## Filters

Besides Jinja's own filters:

"""


def template_names(root: Path | None = None) -> list[str]:
    """Every template a program may override, folder by folder, by name."""
    root = root or bundled_templates_dir()
    return [path.relative_to(root).as_posix() for folder in FOLDERS
            for path in sorted((root / folder).glob("*.j2"))]


def is_page(name: str) -> bool:
    return name.endswith(PAGE_SUFFIXES)


def description(source: str, name: str) -> str:
    """The opening comment of a template, on one line."""
    found = re.match(r"\{#(.*?)#\}", source, re.DOTALL)
    if found is None:
        raise ValueError(f"expected {name} to open with a comment saying what it renders, got none")
    return " ".join(found.group(1).split())


def blocks(tree: nodes.Template) -> list[str]:
    """The names of the blocks of a parsed template, in the order they open."""
    return [block.name for block in tree.find_all(nodes.Block)]


def context_names(environment: Environment, tree: nodes.Template) -> list[str]:
    """The values a template reads from its context: every name it does not set, but the globals.

    Jinja counts a name as read from the context where it cannot prove it set first (a name
    set inside an ``if``, a macro imported outside the block that calls it); a name the
    template sets or imports anywhere is its own.
    """
    return sorted(meta.find_undeclared_variables(tree) - set(environment.globals) - own_names(tree))


def own_names(tree: nodes.Template) -> set[str]:
    """The names a template sets, imports or defines as macros."""
    names = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    names |= {node.name for node in tree.find_all(nodes.Macro)}
    names |= {node.target for node in tree.find_all(nodes.Import)}
    for node in tree.find_all(nodes.FromImport):
        names |= {name[1] if isinstance(name, tuple) else name for name in node.names}
    return names


def imported(tree: nodes.Template) -> list[str]:
    """The templates this one imports, includes or extends, as it names them."""
    return sorted({name for name in meta.find_referenced_templates(tree) if name is not None})


def section(environment: Environment, name: str) -> str:
    loader = environment.loader
    assert loader is not None
    source = loader.get_source(environment, name)[0]
    tree = environment.parse(source)
    lines = [f"### {BUNDLED_PREFIX}/{name}", "", description(source, name), ""]
    found = blocks(tree)
    if is_page(name):
        lines.append(f"- Blocks: {', '.join(f'`{b}`' for b in found)}" if found else "- Blocks: none")
    names = context_names(environment, tree)
    lines.append(f"- Reads: {', '.join(f'`{n}`' for n in names)}" if names else "- Reads: nothing")
    uses = imported(tree)
    if uses:
        lines.append(f"- Uses: {', '.join(f'`{u}`' for u in uses)}")
    return "\n".join([*lines, ""])


def folder_sections(environment: Environment) -> Iterator[str]:
    names = template_names()
    for folder in FOLDERS:
        inside = [name for name in names if name.startswith(f"{folder}/")]
        if inside:
            yield f"## {folder}/\n\n{FOLDER_NOTES[folder]}\n"
            yield from (section(environment, name) for name in inside)


def reference() -> str:
    """The text of docs/templates.md."""
    environment = create_environment()
    added = sorted(set(environment.filters) - set(Environment().filters))
    missing = [name for name in added if name not in FILTERS]
    if missing:
        raise ValueError(f"expected a line in FILTERS for every filter mentorsite adds, got none for "
                         f"{', '.join(missing)}")
    filters = "".join(f"- `{name}`: {FILTERS[name]}\n" for name in added)
    values = ("\nEvery page also has `readers` (the audiences and their names) and `verdict_badge(verdict, "
              "text=None)` (a verdict, `pass`, `warn`, `fail` or `not-assessed`, as a badge with its colour, "
              "icon and word; `text` replaces the word), and the pages of the "
              "handbook, the portfolios and the report have `link(target)` (a link relative to the page) "
              "and `page_uri`. The values each template reads besides are listed with it; a portfolio "
              "page also has every value its edition's pages share (`pair`, `records`, `overview`, "
              "`wording` and the rest), whichever it reads.\n")
    return "\n".join([INTRODUCTION + filters + values, *folder_sections(environment)])


def main(argv: list[str] | None = None) -> int:
    """Write the reference (into the path given, else docs/templates.md)."""
    return write_page(reference, REFERENCE, argv)


if __name__ == "__main__":
    raise SystemExit(main())
