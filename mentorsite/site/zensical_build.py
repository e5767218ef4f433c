"""The handbook built by Zensical (``engine: zensical``), the private sites by mentorsite's own builder.

Zensical runs no MkDocs plugin, so the plugin's part is done before it runs: the program is
opened and checked as for `mkdocs build`, the generated handbook pages (guidelines, indexes,
checklists, What's new) are written beside the program's own pages into a build folder, and a
derived configuration (mkdocs.yml's own settings inherited, with that folder, the new site
folder beside the site and the handbook's navigation) is handed to `zensical build`, run as a
process of its own. The portfolios, the reviewer site and the report are then built as after
an MkDocs build, and the new site is swapped in whole: a failed build leaves the previous one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from mentorsite.model.manifests import MANIFEST_FILE
from mentorsite.pages.checkboxes import named_checkboxes
from mentorsite.pages.rendering import RenderedPage, TemplateFailure, handbook_nav, render_handbook
from mentorsite.reading.loading import GUIDELINES_FOLDER, PAIRS_FOLDER
from mentorsite.session.settings import Settings
from mentorsite.site.builder import Shard
from mentorsite.site.mkdocs_program import log, publishing_an_edition
from mentorsite.site.pool import Progress
from mentorsite.site.privacy import HandbookTheme
from mentorsite.site.program_builds import LOCK_HINT, OpenProgram, locked, log_diagnostics, open_program
from mentorsite.site.swap import HandbookSwap

BUILD_FOLDER = "zensical"  # in cache_dir: the pages Zensical reads and its derived configuration
DERIVED_CONFIG = "mkdocs.yml"  # Zensical reads a mkdocs.yml-style file by its name's ending
CHECKLISTS = ("checklists/mentor.md", "checklists/mentee.md")
_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # its colours, which it writes to a pipe too
_ISSUES = re.compile(r"^\d+ issues? found$")
_PROGRESS = re.compile(r"^Build (started|finished in .*)$")
_ERROR = re.compile(r"^(Error: |[\w.]*(Error|Exception): )")


def zensical_command() -> list[str]:
    """`zensical build` in this Python's environment (the package, not whatever is on PATH)."""
    return [sys.executable, "-m", "zensical", "build", "--clean"]


def build_with_zensical(config: MkDocsConfig, *, progress: Progress | None = None,
                        shard: Shard | None = None) -> None:
    """The whole build: the handbook by Zensical, then the private sites; the site swapped in whole."""
    config_file = Path(config.config_file_path or "mkdocs.yml")
    program = open_program(config_file, config=config)
    program.progress, program.shard = progress, shard
    program.handbook_theme = zensical_theme(config)
    settings = program.settings
    pages = handbook_pages(program)
    swap = HandbookSwap()
    lock = locked(settings, "build", LOCK_HINT)
    encryption = swap.begin(config, lock, program.session.encryption, dirty=False)
    program.session = program.session.with_encryption(encryption)
    try:
        folder = settings.cache_dir / BUILD_FOLDER
        docs = write_build_folder(settings, pages, folder)
        nav = config.nav if config.nav is not None else (handbook_nav(program.session.handbook)
                                                         if settings.nav else None)
        derived = write_derived_config(config_file, folder, docs, folder / "site", nav)
        run_zensical(derived, settings.root, strict=bool(config.strict))
        site = Path(config.site_dir)
        move_into(folder / "site", site)
        name_checkboxes(site, settings.folders.directory_urls)
        (site / MANIFEST_FILE).write_text(program.session.edition.manifest.to_json(), encoding="utf-8")
        failure = None
        if settings.portfolios and not publishing_an_edition():
            try:
                program.build_portfolios()
            except PluginError as error:  # said once the new site is in place, as after MkDocs
                failure = error
                swap.rename_error(failure)
        swap.swap_in(config)
        if swap.site is not None:  # kept out by a strict build's counted warnings
            swap.abandon()
            raise PluginError("mentorsite: warnings with --strict; the previous site is kept")
    except Exception as error:
        _, message = swap.failed(error, settings.root)
        if message is not None:
            raise PluginError(message) from None
        raise
    except BaseException:  # an interrupt: the previous site stays
        swap.abandon()
        raise
    if failure is not None:
        raise failure


def zensical_theme(config: MkDocsConfig) -> HandbookTheme | None:
    """The templates Zensical builds the handbook from: its own copy of the theme (for ``material``),
    under the program's overrides; None for a theme it takes from elsewhere (then the scripts are
    checked against the configuration's theme, and what is not that theme's refused)."""
    name = config.theme.name or "material"
    spec = importlib.util.find_spec("zensical")
    if name not in ("material", "zensical") or spec is None or not spec.submodule_search_locations:
        return None
    builtin = Path(next(iter(spec.submodule_search_locations))) / "templates"
    overrides = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    return HandbookTheme((builtin,), overrides) if builtin.is_dir() else None


def handbook_pages(program: OpenProgram) -> list[RenderedPage]:
    """The generated handbook pages, as the plugin gives them to MkDocs; a template's fault stops here."""
    session, settings, config = program.session, program.settings, program.config
    try:
        return render_handbook(session.handbook, session.environment, site_name=config.site_name,
                               site_description=config.site_description or "", edition=session.edition,
                               practices=settings.practices, licence=settings.licence)
    except TemplateFailure as problem:
        log_diagnostics([problem.diagnostic])
        raise PluginError(f"mentorsite: {problem.diagnostic}; the site was not built") from None


def write_build_folder(settings: Settings, pages: list[RenderedPage], folder: Path) -> Path:
    """The pages Zensical builds: docs_dir's own files (not the pairs' or guidelines' folders) and the
    generated pages in their place; the folder of a previous build removed first."""
    docs = folder / "docs"
    shutil.rmtree(folder, ignore_errors=True)
    docs.mkdir(parents=True)
    source = settings.folders.docs_dir.resolve()
    left_out = [(settings.content_dir / name).resolve() for name in (PAIRS_FOLDER, GUIDELINES_FOLDER)]
    generated = {page.uri for page in pages}
    for directory, folders, files in os.walk(source):
        here = Path(directory)
        folders[:] = [name for name in folders if (here / name).resolve() not in left_out
                      and not (here / name).resolve().is_relative_to(folder.resolve())]
        for name in files:
            relative = (here / name).relative_to(source)
            if relative.as_posix() in generated or name.startswith("."):
                continue
            if any((here / name).resolve().is_relative_to(folder) for folder in left_out):
                continue  # a link to a pair's record (or a guideline's) never reaches the handbook
            (docs / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(here / name, docs / relative)
    for page in pages:
        target = docs / page.uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
    return docs


def write_derived_config(config_file: Path, folder: Path, docs: Path, site: Path, nav: object) -> Path:
    """mkdocs.yml inherited whole, with the build folder's pages, a site folder in it and the navigation."""
    # Zensical takes both folders relative to its configuration's folder, and only within it.
    derived: dict[str, object] = {"INHERIT": str(config_file.resolve()),
                                  "docs_dir": docs.relative_to(folder).as_posix(),
                                  "site_dir": site.relative_to(folder).as_posix()}
    if nav is not None:
        derived["nav"] = nav
    path = folder / DERIVED_CONFIG
    path.write_text(yaml.safe_dump(derived, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def move_into(built: Path, site: Path) -> None:
    """What Zensical wrote (in the build folder: it writes only within its configuration's folder) moved
    into the new site beside the site folder."""
    site.mkdir(parents=True, exist_ok=True)
    for entry in built.iterdir():
        shutil.move(entry, site / entry.name)


def run_zensical(derived: Path, root: Path, *, strict: bool = False) -> None:
    """`zensical build` on the derived configuration; its warnings logged, its own words in the error
    when it fails (it exits 1, with a traceback when it stops on a warning with ``--strict``)."""
    command = [*zensical_command(), *(["--strict"] if strict else []), "-f", str(derived)]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    except OSError as error:
        raise PluginError(f"mentorsite: cannot run zensical: {error.strerror}; the previous site is "
                          "kept") from None
    said = [line.rstrip() for line in _ESCAPES.sub("", f"{done.stdout}\n{done.stderr}").splitlines()]
    if done.returncode == 0:
        if any(_ISSUES.match(line) for line in said):  # each issue drawn over lines, then "N issues found"
            log.warning("zensical: " + "\n".join(line for line in said if line and not _PROGRESS.match(line)))
        return
    errors = [line for line in said if _ERROR.match(line)]
    reason = errors[-1] if errors else next((line for line in reversed(said) if line.strip()), "no message")
    if "No module named zensical" in done.stderr:
        reason = "the zensical package is not installed (pip install zensical)"
    raise PluginError(f"mentorsite: zensical build failed (exit {done.returncode}): {reason.strip()}; the "
                      "previous site is kept")


def name_checkboxes(site: Path, directory_urls: bool) -> None:
    """The checklists' checkboxes named after their lines, as the plugin names them for MkDocs."""
    for uri in CHECKLISTS:
        stem = uri.removesuffix(".md")
        page = site / (f"{stem}/index.html" if directory_urls else f"{stem}.html")
        if page.is_file():
            page.write_text(named_checkboxes(page.read_text(encoding="utf-8")), encoding="utf-8")
