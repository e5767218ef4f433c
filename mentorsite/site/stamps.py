"""What the private folder keeps from one build to the next, so that a build does only what changed.

Each site has a stamp of what it was last built from (a fingerprint of its inputs): a site
whose inputs are those of its stamp is not built again. Beside each review edition, its
summary is its entry in the reviewer index, read back when its pair is not built again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig

from mentorsite.checking.program import CheckedProgram
from mentorsite.files.output import private_folder
from mentorsite.pages.portfolio import Portfolio, PortfolioSettings
from mentorsite.reading.caching import UnstableError, code_digest, digest, stable_form, tree_digest
from mentorsite.site.factory import on_another_host, search_settings, theme_settings

log = logging.getLogger("mkdocs.plugins.mentorsite")


SUMMARY_FILE = "summary.json"  # beside each review edition: its entry in the reviewer index


class Stamps:
    """What each site in the private folder was last built from: one small file per site.

    A stamp is written after its site is swapped in, and removed before the site is built
    again or withdrawn, so an interrupted build never leaves a stamp that vouches for other
    output. One file per site lets the outputs of several machines (``--shard``) be merged.
    Besides the stamp of what a pair's portfolios were built from, a pair has one of the
    records (and code) its review edition was built from: a build that does not build the
    pair (``--pair``, ``--shard``) keeps its review edition only when that stamp holds.
    """

    FOLDER = ".stamps"

    def __init__(self, private_dir: Path):
        self.folder = private_dir / self.FOLDER

    def fresh(self, name: str, fingerprint: str | None, outputs: list[Path]) -> bool:
        """True when ``name`` was last built from ``fingerprint`` and its output is all there."""
        if fingerprint is None:
            return False
        try:
            stamp = (self.folder / name).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return False
        return stamp == fingerprint and all(path.is_file() for path in outputs)

    def forget(self, names: list[str]) -> None:
        for name in names:
            (self.folder / name).unlink(missing_ok=True)

    def forget_pair(self, pair_id: str) -> None:
        """Every stamp of the pair's sites (``PAIR_STAMPS``): nothing of it is taken as up to date."""
        self.forget([prefix + pair_id for prefix in PAIR_STAMPS])

    def record(self, name: str, fingerprint: str | None) -> None:
        if fingerprint is None:
            return
        private_folder(self.folder)
        handle, temporary = tempfile.mkstemp(prefix=".stamp-", dir=self.folder)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(fingerprint)
        Path(temporary).replace(self.folder / name)

    def prune(self, prefix: str, keep: set[str]) -> None:
        """Remove the stamps of sites that are gone."""
        if self.folder.is_dir():
            for stamp in self.folder.glob(f"{prefix}*"):
                if stamp.name[len(prefix):] not in keep:
                    stamp.unlink(missing_ok=True)


PAIR_STAMP = "pair-"
SHARED_STAMP = "shared-"  # + pair id: the records (and code) its review edition was built from
REVIEW_EDITION_STAMP = "review-edition-"  # + pair id: the pages its review edition was last built from
PAIR_STAMPS = (PAIR_STAMP, SHARED_STAMP, REVIEW_EDITION_STAMP)  # a pair's, but its sealed folder's
SEALED_STAMP = "sealed-"  # + pair id: the name of the folder its edition was last sealed into
REVIEW_STAMP = "review-index"
REPORT_STAMP = "report"


def portfolio_inputs(handbook_config: MkDocsConfig, settings: PortfolioSettings,
                     environment: Environment) -> str | None:
    """One digest of everything a portfolio is built from besides its records and the handbook.

    The code and library versions, every template folder, the theme and Markdown settings,
    local stylesheets and the portfolio settings. None when a setting has no stable form
    (a Python object in mkdocs.yml), and then nothing is taken as unchanged.
    """
    loaders = getattr(environment.loader, "loaders", [environment.loader])
    template_dirs = [Path(folder) for loader in loaders for folder in getattr(loader, "searchpath", [])]
    theme = handbook_config.theme
    docs_dir = Path(handbook_config.docs_dir)
    stylesheets = [docs_dir / css for css in handbook_config.extra_css if not on_another_host(css)]
    try:
        configuration = stable_form({
            "theme": theme_settings(handbook_config, quiet=True),
            "extensions": handbook_config.markdown_extensions, "mdx_configs": handbook_config.mdx_configs,
            "search": search_settings(handbook_config), "extra_css": handbook_config.extra_css,
            "settings": settings,
        })
    except UnstableError as why:
        log.info(f"mentorsite: every portfolio is built: a setting has no stable form to compare ({why})")
        return None
    custom = [Path(theme.custom_dir)] if theme.custom_dir else []
    styles = [hashlib.sha256(css.read_bytes()).hexdigest() if css.is_file() else "-" for css in stylesheets]
    return digest(code_digest(), configuration, tree_digest(template_dirs), tree_digest(custom), *styles)


def pair_fingerprint(inputs: str | None, checked: CheckedProgram, pair_id: str) -> str | None:
    """What a pair's portfolios are built from: the shared inputs, the handbook, the pair's records."""
    records = checked.pair_digests.get(pair_id)
    if inputs is None or records is None:
        return None
    return digest(inputs, checked.handbook_digest, pair_id, records)


def edition_fingerprint(inputs: str | None, portfolio: Portfolio,
                        extra_files: dict[str, bytes]) -> str | None:
    """What one edition's site is built from: the shared inputs, its rendered pages, navigation and
    name, and the files put beside them. These are all the site factory is given, so a site
    whose fingerprint is unchanged would be built byte for byte as it is. None without ``inputs``."""
    if inputs is None:
        return None
    files = [part for name in sorted(extra_files) for part in (name, extra_files[name])]
    return digest("edition", inputs, stable_form(portfolio), *files)


def stamp_shared(stamps: Stamps, checked: CheckedProgram, pair_id: str) -> None:
    shared = shared_fingerprint(checked, pair_id)
    if not stamps.fresh(SHARED_STAMP + pair_id, shared, []):
        stamps.record(SHARED_STAMP + pair_id, shared)


def shared_fingerprint(checked: CheckedProgram, pair_id: str) -> str | None:
    """What decides which records a pair's review edition holds: the pair's record files and the code."""
    records = checked.pair_digests.get(pair_id)
    return None if records is None else digest("review edition", code_digest(), pair_id, records)


def report_fingerprint(inputs: str | None, checked: CheckedProgram, min_pairs: int) -> str | None:
    """What the program report is built from: every pair's records (it is built only when all pass)."""
    if inputs is None:
        return None
    parts = [inputs, checked.handbook_digest, str(min_pairs)]
    for pair_id in sorted(checked.pair_folders):
        parts += [pair_id, checked.pair_digests.get(pair_id, "-")]
    return digest(*parts)
