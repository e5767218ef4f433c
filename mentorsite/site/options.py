"""The mentorsite plugin's options as MkDocs reads them from mkdocs.yml: their types and defaults.

MkDocs checks each option's type (and ``reading.config_file`` locates its complaints); the
values are then checked whole, each problem at its line, in ``session.settings``.
"""

from __future__ import annotations

from datetime import date

from mkdocs.config import base
from mkdocs.config import config_options as options

from mentorsite.pages.program_report import MIN_PAIRS
from mentorsite.vault.passphrases import ITERATIONS


class EncryptionConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = options.Type(bool, default=False)
    """Also publish every portfolio and the reviewer site encrypted, for any static host."""
    output_dir = options.Optional(options.Type(str))
    """Where the encrypted portfolios go, relative to mkdocs.yml; default: `portfolios` in `site_dir`."""
    keys_file = options.Optional(options.Type(str))
    """The passphrases (YAML), outside the content and the output; else $MENTORSITE_KEYS_FILE."""
    iterations = options.Type(int, default=ITERATIONS)
    """PBKDF2 iterations of the key derivation; at least 600000."""
    shared_origin = options.Choice(("refuse", "warn"), default="refuse")
    """When `output_dir` is in `site_dir` and the handbook runs scripts not the theme's: stop, or warn."""


class ReportConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = options.Type(bool, default=True)
    """Build the program report (counts only) into `report/` in `private_dir` with the portfolios."""
    min_pairs = options.Type(int, default=MIN_PAIRS)
    """The smallest group of pairs a figure of the report may count; at least 3."""


class LicenceConfig(base.Config):  # type: ignore[no-untyped-call]
    name = options.Optional(options.Type(str))
    """The handbook's licence, such as `CC BY-SA 4.0`; shown on its home page and every guideline."""
    url = options.Optional(options.Type(str))
    """Where the licence's text can be read (https:// or http://)."""
    attribution = options.Optional(options.Type(str))
    """Who wrote the handbook's text and where it comes from, as the licence asks it to be credited."""


class MentorsiteConfig(base.Config):  # type: ignore[no-untyped-call]
    content_dir = options.Type(str, default="content")
    """The program's records, relative to mkdocs.yml."""
    templates_dir = options.Type(str, default="templates")
    """Templates here replace the bundled ones of the same name, relative to mkdocs.yml."""
    nav = options.Type(bool, default=True)
    """Generate the navigation when mkdocs.yml has no `nav`."""
    portfolios = options.Type(bool, default=True)
    """Build the pairs' portfolios and the reviewer site after the handbook (not during `serve`)."""
    private_dir = options.Type(str, default="site-private")
    """Where portfolios go, relative to mkdocs.yml; must be apart from `site_dir` and the sources."""
    handbook_url = options.Type(str, default="/{version}/")
    """Where portfolios find the handbook; `{version}` becomes the pair's `handbook_version`."""
    default_version = options.Type(str, default="latest")
    """The handbook version portfolios link to when a pair names none."""
    as_of = options.Optional(options.Type((str, date)))  # YAML reads an unquoted date as a date
    """The date of figures that depend on today (YYYY-MM-DD); else SOURCE_DATE_EPOCH, else today."""
    version = options.Optional(options.Type(str))
    """The handbook edition being built; else the one mike is deploying; else none (a preview)."""
    deploy_branch = options.Type(str, default="gh-pages")
    """The branch mike publishes editions to; read for What's new and to check handbook_version."""
    jobs = options.Type(int, default=0)
    """Worker processes building portfolios; 0 means one per processor."""
    cache = options.Type(bool, default=True)
    """Skip record files and portfolios whose inputs are unchanged since the last build."""
    cache_dir = options.Type(str, default=".cache/mentorsite")
    """Where parsed records are kept between builds, relative to mkdocs.yml; holds private text."""
    encryption = options.SubConfig(EncryptionConfig)
    """Encrypted copies of the portfolios (see the README, "Encrypted portfolios")."""
    practices = options.Type(dict, default={})
    """Thresholds of the practice checks, by check name (see the README, "Practice checks")."""
    report = options.SubConfig(ReportConfig)
    """The program report for the people who run the program (see the README, "Program report")."""
    licence = options.SubConfig(LicenceConfig)
    """The handbook's licence and attribution; a guideline's own `licence` replaces it on its page."""
    private_extensions_left_out = options.ListOfItems(options.Type(str), default=[])
    """Extensions the owners know private sites leave out: each is an info line instead of a warning."""
    engine = options.Choice(("mkdocs", "zensical"), default="mkdocs")
    """What builds the handbook: MkDocs, or Zensical on the generated pages (`mentorsite build` only)."""
    pair_sources = options.ListOfItems(options.Type((str, dict)), default=[])
    """Pairs in repositories of their own: folder patterns (`pairs/*`) or `{git: REMOTE}` entries."""
