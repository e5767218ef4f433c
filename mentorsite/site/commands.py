"""The engine's side of each command: what `mentorsite` asks of MkDocs, and nothing the command line knows.

The command line never imports MkDocs: it loads mkdocs.yml, builds, serves and reads the
program's settings through these functions, and gets MkDocs' refusals as ``EngineError``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from mentorsite.files.locking import BuildLock, LockHeldError
from mentorsite.model.diagnostics import Diagnostic
from mentorsite.reading.loading import ProgramPlaces
from mentorsite.session.settings import Settings
from mentorsite.site.builder import Shard
from mentorsite.site.handbook_stamp import HANDBOOK_STAMP, handbook_stamp
from mentorsite.site.mkdocs_program import (
    PLUGIN,
    checked_settings,
    load_program_config,
    log,
    plugin_options,
    program_places,
    read_plugin_settings,
)
from mentorsite.site.pool import Progress
from mentorsite.site.program_builds import OpenProgram, open_program, take_build_lock
from mentorsite.site.stamps import Stamps
from mentorsite.vault.keyring import KeysError, check_keys_location


class Warnings(logging.Handler):
    """The warnings (and errors) a build logs, to tell whether its handbook may be stamped."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def besides(self, program: OpenProgram) -> list[str]:
        """Those not about the records or passphrases (a build that skips the handbook logs those again)."""
        session = program.session
        again = {f"{PLUGIN}: {found}" for found in [*session.checked.diagnostics, *session.keys_problems]}
        return [message for message in self.messages if message not in again]


class EngineError(Exception):
    """MkDocs (or the plugin inside it) refused: its message, ready to print."""


@contextmanager
def engine_errors() -> Iterator[None]:
    """MkDocs' refusals (a bad setting, a plugin's error, an aborted build) as one EngineError."""
    try:
        yield
    except (Abort, ConfigurationError, PluginError) as error:
        raise EngineError(str(error)) from None


def load(config_file: Path, strict: bool | None = None) -> MkDocsConfig:
    """mkdocs.yml read within bounds, then loaded by MkDocs (``mkdocs_program.load_program_config``)."""
    return load_program_config(config_file, strict)


def options_of(config: MkDocsConfig) -> Mapping[str, Any] | None:
    """The mentorsite plugin's options; None when mkdocs.yml does not list the plugin."""
    return plugin_options(config)


def set_options(config: MkDocsConfig, **chosen: object) -> None:
    """Options given on the command line in place of mkdocs.yml's (None: as mkdocs.yml says)."""
    plugin = config.plugins.get("mentorsite")
    if plugin is None:
        raise PluginError(f"{config.config_file_path} does not list the mentorsite plugin")
    for name, value in chosen.items():
        if value is not None:
            plugin.config[name] = value


def settings_and_places(config: MkDocsConfig) -> tuple[Settings, list[Diagnostic], ProgramPlaces]:
    """The plugin's settings with every problem (none stops here), and the program's places."""
    settings, problems = read_plugin_settings(config)
    return settings, problems, program_places(settings, config)


def settings_of(config: MkDocsConfig) -> Settings:
    """The plugin's settings; a PluginError listing every problem when one is an error."""
    settings, _ = checked_settings(config, strict=False)
    return settings


def lock(settings: Settings, *, wait: bool = False,
         waiting: Callable[[LockHeldError], None] | None = None) -> BuildLock:
    return take_build_lock(settings, wait=wait, waiting=waiting)


def build(config: MkDocsConfig, *, pair_id: str | None, shard: Shard | None, progress: Progress) -> None:
    """The whole build through MkDocs, or only some pairs' portfolios (``--pair``, ``--shard``)."""
    from mkdocs.commands.build import build as build_site  # noqa: PLC0415 - only for a whole build

    from mentorsite.site.plugin import MentorsitePlugin  # noqa: PLC0415

    if pair_id is None and shard is None:
        plugin = config.plugins.get("mentorsite")
        if not isinstance(plugin, MentorsitePlugin):
            raise PluginError(f"{config.config_file_path} does not list the mentorsite plugin")
        settings, problems = read_plugin_settings(config)
        stamp = handbook_stamp(config, settings) if not problems else None
        if stamp is not None and settings.cache and stamp.fresh():
            log.info("the handbook is unchanged since the last build; not built again (--no-cache builds it)")
            program = open_program(Path(config.config_file_path or "mkdocs.yml"), config=config,
                                   seal=settings.portfolios)
            program.progress = progress
            if settings.portfolios:
                program.build_portfolios()
            return
        plugin.progress, plugin.shard = progress, shard
        Stamps(settings.private_dir).forget([HANDBOOK_STAMP])  # no stamp vouches for a site being rebuilt
        warnings = Warnings()
        logging.getLogger("mkdocs").addHandler(warnings)
        try:
            build_site(config)
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)
            plugin.abandon_site()  # a build stopped by an interrupt: the previous site stays
        if stamp is not None and plugin.program is not None and not warnings.besides(plugin.program):
            stamp.record()
        return
    program = open_program(Path(config.config_file_path or "mkdocs.yml"), config=config)
    program.progress, program.shard = progress, shard
    program.build_portfolios(only=pair_id)


def serve_handbook(config_file: Path, dev_addr: str, open_in_browser: bool) -> None:
    from mkdocs.commands.serve import serve as serve_site  # noqa: PLC0415

    serve_site(config_file=str(config_file), dev_addr=dev_addr, open_in_browser=open_in_browser)


def parse_shard(value: str) -> Shard:
    return Shard.parse(value)


def sealing_program(config_file: Path, replacing: Collection[str | None] = ()) -> OpenProgram:
    """The program with its passphrases read; a PluginError when encryption is off."""
    program = open_program(config_file, replacing=replacing)
    if program.session.encryption is None:
        program.sealed_folder(None)  # says why
    return program


def keys_file_of(config_file: Path) -> Path:
    """The keys file of a program with encryption on (as named), checked where it is, before any record
    is read."""
    from mentorsite.vault.passphrases import SECRET_VARIABLE  # noqa: PLC0415

    settings = settings_of(load(config_file))
    if not settings.encryption.enabled:
        raise PluginError("mentorsite: encryption is not enabled; set 'encryption: {enabled: true}' in the "
                          "mentorsite plugin's settings in mkdocs.yml")
    keys_file = settings.encryption.keys_file
    if keys_file is None:
        from mentorsite.vault.keyring import KEYS_FILE_VARIABLE  # noqa: PLC0415

        raise PluginError(f"mentorsite: expected a keys file (encryption.keys_file or {KEYS_FILE_VARIABLE}), "
                          f"got none; without one, set {SECRET_VARIABLE} in the environment instead")
    forbidden = [*settings.public_folders(), ("private_dir", settings.private_dir),
                 ("encryption.output_dir", settings.sealed_dir())]
    try:
        check_keys_location(keys_file.resolve(), forbidden)
    except KeysError as error:
        raise PluginError(f"mentorsite: {error}") from None
    return keys_file
