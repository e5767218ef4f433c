"""A program's template reads no pair's records and no private output, whatever name or link it uses.

Attacker review of issue 18: a link in the templates folder onto the pairs folder, or
``templates_dir: .`` with ``{% include "content/pairs/..." %}``, put one pair's raw records
into every portfolio (and a handbook template could put them in the public handbook).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import add_plugin_options, copy_example

MARKER = "tmplleak7731"
THEMES = Path(__file__).parent.parent / "themes"


def leaking_program(tmp_path: Path, template: str, reading: str, *, templates_dir: str | None = None,
                    link: bool = False) -> Path:
    program = copy_example(tmp_path / "program")
    with (program / "content/pairs/noor-james/pair.yml").open("a", encoding="utf-8") as file:
        file.write(f"summary: {MARKER}\n")
    folder = program / (templates_dir or "templates")
    if templates_dir:
        add_plugin_options(program, f"      templates_dir: {templates_dir}\n")
    if link:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "leak").symlink_to(program / "content/pairs")
    target = folder / template
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(reading + "\n" + (THEMES / template).read_text(encoding="utf-8"), encoding="utf-8")
    return program


def every_output(program: Path) -> str:
    texts = []
    for folder in ("site", "site-private"):
        for path in sorted((program / folder).rglob("*")) if (program / folder).is_dir() else []:
            if path.is_file():
                texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.mark.parametrize(("template", "reading", "templates_dir", "link"), [
    ("portfolio/overview.md.j2", '{% include "leak/noor-james/pair.yml" %}', None, True),
    ("portfolio/overview.md.j2", '{% import "leak/noor-james/pair.yml" as records %}', None, True),
    ("portfolio/overview.md.j2", '{% from "leak/noor-james/pair.yml" import nothing %}', None, True),
    ("portfolio/overview.md.j2", '{% include "content/pairs/noor-james/pair.yml" %}', ".", False),
    ("portfolio/overview.md.j2", '{% include "content/handbook/../pairs/noor-james/pair.yml" %}', ".", False),
    ("handbook/index.md.j2", '{% include "content/pairs/noor-james/pair.yml" %}', ".", False),
    ("handbook/index.md.j2", '{% include "leak/noor-james/pair.yml" %}', None, True),
], ids=["include-through-a-link", "import-through-a-link", "from-through-a-link", "include-from-the-program",
        "include-with-dots", "public-handbook-include", "public-handbook-through-a-link"])
def test_no_template_reads_a_pairs_records(tmp_path: Path, cli: Cli, template: str, reading: str,
                                           templates_dir: str | None, link: bool) -> None:
    program = leaking_program(tmp_path, template, reading, templates_dir=templates_dir, link=link)
    result = cli(program, "build")
    assert result.returncode == 1
    assert MARKER not in every_output(program)
    assert MARKER not in result.stdout + result.stderr
    assert "error[template]" in result.stderr


def test_a_template_reads_no_private_output(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    assert cli(program, "build").returncode == 0
    (program / "templates/portfolio").mkdir(parents=True)
    (program / "templates/built").symlink_to(program / "site-private")
    overview = (THEMES / "portfolio/overview.md.j2").read_text(encoding="utf-8")
    (program / "templates/portfolio/overview.md.j2").write_text(
        '{% include "built/pairs/noor-james/index.html" %}\n' + overview, encoding="utf-8")
    result = cli(program, "build")
    assert result.returncode == 1
    assert "leads to a pair's records or a private output" in result.stderr


def test_a_programs_own_partial_is_still_included(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    (program / "templates/portfolio").mkdir(parents=True)
    (program / "templates/partials").mkdir()
    (program / "templates/partials/note.md.j2").write_text("A note from the program office.\n", encoding="utf-8")
    overview = (THEMES / "portfolio/overview.md.j2").read_text(encoding="utf-8")
    (program / "templates/portfolio/overview.md.j2").write_text(
        '{% include "partials/note.md.j2" %}\n' + overview, encoding="utf-8")
    assert cli(program, "build").returncode == 0
    assert "A note from the program office." in (program / "site-private/pairs/noor-james/index.html").read_text(
        encoding="utf-8")
