"""The program as mkdocs.yml configures it: loaded through MkDocs, its settings and places for the core.

This is where the engine's configuration becomes the core's plain values: the plugin's
options and the folders MkDocs names (``session.settings``), and the places the checks of
records and pages need (``reading.loading.ProgramPlaces``). Both the plugin (inside
`mkdocs build`) and the commands (which load mkdocs.yml themselves) go through here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError
from mkdocs.plugins import get_plugin_logger

from mentorsite.checking.config_places import configured_places
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.reading.config_file import ConfigFileError, load_config_file, top_setting
from mentorsite.reading.loading import PAIRS_FOLDER, ProgramPlaces, site_folders
from mentorsite.reading.pair_sources import PRIVATE_NAME, checkouts_dir, remembered_folders, source_folders
from mentorsite.session.settings import EngineSettings, Settings, SettingsError, read_settings, usable

PLUGIN = "mentorsite"
log = get_plugin_logger(PLUGIN)  # "mentorsite: " before each line, as MkDocs shows a plugin's
MIKE_VERSION_VARIABLE = "MIKE_DOCS_VERSION"  # set by mike for the build of the edition it deploys


def config_file_of(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or "mkdocs.yml").resolve()


def engine_settings(config: MkDocsConfig, *, serving: bool = False) -> EngineSettings:
    """The folders MkDocs' settings name; while serving, the site folder mkdocs.yml names (MkDocs
    serves from a temporary one, but the private folders must keep out of the real one)."""
    config_file = config_file_of(config)
    site_dir = Path(config.site_dir)
    if serving:
        site_dir = config_file.parent / (top_setting(config_file, "site_dir") or "site")
    return EngineSettings(config_file, site_dir.resolve(), Path(config.docs_dir).resolve(),
                          bool(config.use_directory_urls))


def plugin_options(config: MkDocsConfig) -> Mapping[str, Any] | None:
    """The mentorsite plugin's options in ``config``; None when it does not list the plugin."""
    plugin = config.plugins.get(PLUGIN)
    return dict(plugin.config) if plugin is not None else None


def edition_version(settings: Settings) -> str | None:
    """The handbook edition being built: the setting, else the one mike is deploying, else none."""
    return settings.version or os.environ.get(MIKE_VERSION_VARIABLE) or None


def publishing_an_edition() -> bool:
    """Whether this build is mike's build of an edition (portfolios are not built then)."""
    return MIKE_VERSION_VARIABLE in os.environ


def read_plugin_settings(config: MkDocsConfig, options: Mapping[str, Any] | None = None, *,
                         serving: bool = False) -> tuple[Settings, list[Diagnostic]]:
    """The plugin's settings, typed, and every problem with them, each at its line in mkdocs.yml."""
    chosen = plugin_options(config) if options is None else options
    if chosen is None:
        raise PluginError(f"{config.config_file_path} does not list the mentorsite plugin")
    return read_settings(chosen, engine_settings(config, serving=serving))


def checked_settings(config: MkDocsConfig, options: Mapping[str, Any] | None = None, *,
                     strict: bool = False, serving: bool = False) -> tuple[Settings, list[Diagnostic]]:
    """The settings; a PluginError listing every problem when one is an error (or, if strict, any).

    The warnings are returned, for the caller to log (or, while serving, to show on the pages).
    """
    settings, problems = read_plugin_settings(config, options, serving=serving)
    try:
        return settings, usable(problems, strict=strict)
    except SettingsError as error:
        raise PluginError(str(error)) from None


def program_places(settings: Settings, config: MkDocsConfig, *, remembering: bool = False) -> ProgramPlaces:
    """The program's folders, for the checks of what records and handbook pages point at.

    ``remembering``: whether reading the pair sources writes down which pair each held (a
    build's, not a check's or a preview's: what a read-only command saw never holds a pair).
    """
    private = [("private_dir", settings.private_dir), ("cache_dir", settings.cache_dir)]
    keys_file = settings.keys_file()
    if keys_file is not None:
        private.append(("the keys file", keys_file))
    outputs = (("site_dir", settings.folders.site_dir), *private[:2])
    # Include extensions read paths against their base_path options, relative to where the build runs.
    bases = [Path.cwd()]
    for options in config.mdx_configs.values():
        base = options.get("base_path") if isinstance(options, dict) else None
        for folder in [base] if isinstance(base, str) else base if isinstance(base, list) else []:
            bases.append((Path.cwd() / str(folder)).resolve())
    pairs = (settings.content_dir / PAIRS_FOLDER).resolve()
    # The reviewer site keeps the theme's folders beside the pairs' review editions: no pair is named so.
    theme_folders = site_folders([Path(folder) for folder in config.theme.dirs], config.extra_css)
    sources = source_folders(settings.pair_sources, settings.root)  # private too: no page may include them
    # And whatever the entries say now: the checkouts' folder (old checkouts, the sync's own files)
    # and every folder a pattern ever matched (a pair's records, once its entry is gone).
    kept = [checkouts_dir(settings.root), *remembered_folders(settings.root), *(one.path for one in sources)]
    private += [(PRIVATE_NAME, folder.resolve()) for folder in dict.fromkeys(kept)]
    places = ProgramPlaces(settings.root, pairs, settings.folders.docs_dir, outputs, tuple(private),
                           tuple(bases), theme_folders, tuple(sources), remembering)
    # With the options in mkdocs.yml that name places, checked with the records (check_settings).
    return configured_places(places, settings.folders.config_file, config.markdown_extensions,
                             config.mdx_configs, settings.private_extensions_left_out)


def as_built(config: MkDocsConfig) -> MkDocsConfig:
    """The configuration as a build has it once MkDocs has run the other plugins' ``on_config``.

    Portfolios are derived from the handbook's configuration, which the theme's plugins fill
    in when a build starts (search's language and word separator, the theme's folders): a
    command that builds portfolios without building the handbook runs those handlers, so that
    its portfolios (and their stamps) are those of a whole build. The mentorsite plugin's own
    handler is not run: the command opens the program session itself.
    """
    ours = config.plugins.get(PLUGIN)
    for handler in list(config.plugins.events["config"]):
        if getattr(handler, "__self__", None) is not ours:
            config = handler(config) or config
    return config


def load_program_config(config_file: Path, strict: bool | None = None) -> MkDocsConfig:
    """mkdocs.yml, read within bounds, then loaded by MkDocs; every problem a located ConfigFileError."""
    return load_config_file(config_file, lambda path: load_config(path, strict=strict),
                            (Abort, ConfigurationError))


def loaded_or_refused(config_file: Path, strict: bool | None = None) -> MkDocsConfig:
    """As ``load_program_config``, its problems a ConfigurationError (as MkDocs' own are told)."""
    try:
        return load_program_config(config_file, strict)
    except ConfigFileError as error:
        raise ConfigurationError(str(error)) from None
