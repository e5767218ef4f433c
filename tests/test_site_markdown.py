"""One Markdown converter per private site (``engine.SiteMarkdown``): every page comes out as a
converter of its own would make it, whatever the pages before it held, and a site whose
extensions are not all known to reset gets a converter per page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from mentorsite.site import engine
from mentorsite.site.commands import load
from mentorsite.site.factory import VisibleTemplates
from tests.programs import copy_example, write_files

EXTENSIONS: list[Any] = ["abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes",
                         "md_in_html", "sane_lists", "tables", "toc", "pymdownx.tasklist"]

# Pages that leave behind what a converter could carry into the next: footnotes, abbreviations,
# reference links, heading ids taken, HTML stashed, an admonition or a list left open at the end.
PAGES = {
    "index.md": "# Home\n\nSee [the notes](notes.md#plans) and [ref][r] and the HTML page.\n\n"
                "*[HTML]: Hypertext Markup Language\n\n[r]: agreement.md\n\nA claim.[^1]\n\n"
                "[^1]: The first page's footnote.\n\n## Plans\n\n## Plans\n\n!!! note \"Open\"\n    Left open",
    "notes.md": "# Notes\n\nHTML again, and [ref][r] undefined here, and a claim.[^1]\n\n## Plans {: #plans }\n\n"
                "<div markdown>\n**Inside** a block\n</div>\n\n- [x] done\n- [ ] to do\n\n1. one\n* two",
    "agreement.md": "# Agreement\n\nTerm\n:   Its definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                    "```python\nprint('x')\n```\n\n<span id=\"raw\">raw</span>\n\n## Plans\n",
    "sessions/2026-01-01.md": "# A session\n\nBack to [home](../index.md) and [notes](../notes.md#plans).\n\n"
                              "No footnote here: [^1] and no HTML abbreviation.\n",
}


def site(extensions: list[Any], folder: Path) -> tuple[MkDocsConfig, Files]:
    named = [{name: {"permalink": True}} if name == "toc" else name for name in extensions]
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(
        {"site_name": "Test", "docs_dir": "docs", "markdown_extensions": named, "plugins": []}), encoding="utf-8")
    config = load_config(str(folder / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = Files([File.generated(config, uri, content=text) for uri, text in PAGES.items()])
    get_navigation(files, config)
    return config, files


def rendered(page: Page) -> tuple[Any, ...]:
    return (page.content, str(page.toc), page._title_from_render, page.present_anchor_ids,
            page.links_to_anchors)


def every_page(render: Any, config: MkDocsConfig, files: Files) -> dict[str, tuple[Any, ...]]:
    out = {}
    for file in files.documentation_pages():
        page = file.page
        assert page is not None
        page.read_source(config)
        render(page, config, files)
        out[file.src_uri] = rendered(page)
    return out


@pytest.mark.parametrize("order", [list(PAGES), list(reversed(PAGES))])
def test_each_page_is_what_a_converter_of_its_own_makes(order: list[str], tmp_path: Path) -> None:
    config, files = site(EXTENSIONS, tmp_path)
    files = Files([files.get_file_from_path(uri) for uri in order])  # type: ignore[misc]
    get_navigation(files, config)
    converter = engine.SiteMarkdown(config)
    assert converter.shared
    fresh = every_page(Page.render, config, files)
    shared = every_page(converter.render, config, files)
    assert shared == fresh
    # Nothing of one page reaches the next: the first page's footnote, abbreviation and reference.
    later = shared["sessions/2026-01-01.md"][0]
    assert "first page" not in later and "<abbr" not in later and "agreement" not in later


def test_an_extension_not_known_to_reset_gets_a_converter_per_page(tmp_path: Path) -> None:
    config, files = site([*EXTENSIONS, "pymdownx.superfences"], tmp_path)
    converter = engine.SiteMarkdown(config)
    assert not converter.shared
    fresh = every_page(Page.render, config, files)
    assert every_page(converter.render, config, files) == fresh
    assert converter.converter is None


def test_only_extensions_known_to_reset_and_footnotes_without_unique_ids_share_a_converter() -> None:
    from markdown.extensions import Extension
    from markdown.extensions.toc import TocExtension

    class Tables(Extension):  # another class, whatever name it was loaded by
        pass

    built = engine.resettable_extensions(["markdown.extensions.tables", TocExtension(), "pymdownx.tasklist",
                                          "footnotes"], {})
    assert built is not None
    assert [type(extension).__name__ for extension in built] == [
        "TableExtension", "TocExtension", "TasklistExtension", "FootnoteExtension"]
    assert engine.resettable_extensions([Tables()], {}) is None
    assert engine.resettable_extensions(["footnotes"], {"footnotes": {"UNIQUE_IDS": True}}) is None


def test_footnotes_with_unique_ids_give_the_pages_a_converter_of_their_own(tmp_path: Path) -> None:
    config, _ = site(EXTENSIONS, tmp_path)
    config["mdx_configs"]["footnotes"] = {"UNIQUE_IDS": True}
    assert not engine.SiteMarkdown(config).shared


@pytest.mark.parametrize("custom", [False, True])
def test_the_theme_files_staged_for_private_sites_are_those_mkdocs_finds(tmp_path: Path, custom: bool) -> None:
    """The private sites' theme files are listed without walking hidden folders (Material's icons):
    the same files, in the same order, as MkDocs' own listing, with a theme folder of the program's
    own holding files, hidden ones and a hidden folder too."""
    program = copy_example(tmp_path / "program")
    if custom:
        write_files(program, {"overrides/assets/extra.js": "// extra\n", "overrides/.hidden.css": "a {}\n",
                              "overrides/.private/kept.js": "// not a theme file\n",
                              "overrides/assets/.cache/x.js": "// nor this\n", "overrides/notes.md": "# x\n"})
        config_file = program / "mkdocs.yml"
        config_file.write_text(config_file.read_text(encoding="utf-8").replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"), encoding="utf-8")
    config = load(program / "mkdocs.yml")
    environment = config.theme.get_env()
    theirs, ours = Files([]), Files([])
    theirs.add_files_from_theme(environment, config)
    ours.add_files_from_theme(VisibleTemplates(environment), config)  # type: ignore[arg-type]
    assert [(f.src_uri, f.abs_src_path) for f in ours] == [(f.src_uri, f.abs_src_path) for f in theirs]
    assert len(theirs) > 10 and (not custom or "assets/extra.js" in {f.src_uri for f in ours})
