"""The benchmark's yardsticks: plain MkDocs projects holding the pages mentorsite builds.

Each is a folder with a ``mkdocs.yml`` and a ``docs`` folder of the Markdown that mentorsite
renders, written as files, so that a plain `mkdocs build` turns the same Markdown into the
same theme's HTML, without the mentorsite plugin: the handbook's pages as one site (what a
rebuild is compared with), or each pair's portfolio as a site of its own (the naive way).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mentorsite.checking.program import read_program
from mentorsite.dev.synthetic import AS_OF
from mentorsite.model.editions import EDITIONS
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio
from mentorsite.pages.rendering import create_environment, handbook_nav, render_handbook

NAIVE_CONFIG = """\
site_name: {name}
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]
"""


def write_plain_handbook(program: Path, target: Path) -> Path:
    """The handbook's pages as a plain MkDocs project in ``target``.

    Its mkdocs.yml is the program's (theme, Markdown extensions, other plugins) with the
    handbook's navigation, and without the mentorsite plugin.
    """
    config: dict[str, Any] = yaml.safe_load((program / "mkdocs.yml").read_text(encoding="utf-8"))
    checked = read_program(program / "content", program)
    handbook = checked.program.handbook
    pages = render_handbook(handbook, create_environment(), site_name=str(config["site_name"]),
                            site_description=str(config.get("site_description") or ""))
    for page in pages:
        path = target / "docs" / page.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.markdown, encoding="utf-8")
    plugins = [plugin for plugin in config.get("plugins") or []
               if plugin != "mentorsite" and not (isinstance(plugin, dict) and "mentorsite" in plugin)]
    config.update(docs_dir="docs", site_dir="site", plugins=plugins, nav=handbook_nav(handbook))
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


def write_naive_sites(program: Path, target: Path) -> list[Path]:
    """For each pair, a plain MkDocs project in ``target`` holding the Markdown of both its editions."""
    checked = read_program(program / "content", program)
    environment = create_environment()
    settings = PortfolioSettings(AS_OF)
    projects = []
    for records in checked.program.pairs:
        project = target / records.pair.id
        for edition in EDITIONS:
            portfolio = render_portfolio(records, edition, checked.program.handbook, settings, environment)
            for page in portfolio.pages:
                path = project / "docs" / edition / page.uri
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(page.markdown, encoding="utf-8")
        (project / "mkdocs.yml").write_text(NAIVE_CONFIG.format(name=records.pair.id), encoding="utf-8")
        projects.append(project)
    return projects
