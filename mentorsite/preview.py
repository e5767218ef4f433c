"""One pair's portfolio, outside the full build: `mentorsite serve --pair` and `mentorsite export`.

An adapter over MkDocs: the program's mkdocs.yml is loaded as for a build, so the preview
and the export look exactly like the built portfolio.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

from mentorsite.diagnostics import Diagnostic, summarize
from mentorsite.editions import Edition
from mentorsite.output import write_zip
from mentorsite.plugin import MentorsitePlugin
from mentorsite.portfolios import public_folders

log = logging.getLogger("mkdocs.plugins.mentorsite")


def load_program(config_file: Path) -> tuple[MkDocsConfig, MentorsitePlugin]:
    """The program's configuration, with the plugin's view of the records (checked and logged)."""
    config = load_config(str(config_file))
    plugin = MentorsitePlugin.of(config)
    return config.plugins.on_config(config), plugin


def build_pair_edition(config_file: Path, pair_id: str, edition: Edition, target: Path,
                       policy: bool = True) -> tuple[MentorsitePlugin, list[Diagnostic]]:
    """Build one edition of one pair into ``target``; the errors that stopped it, if any."""
    config, plugin = load_program(config_file)
    return plugin, plugin.build_edition(config, pair_id, edition, target, policy)


def serve_pair(config_file: Path, pair_id: str, edition: Edition, host: str, port: int,
               open_in_browser: bool = False) -> None:
    """Serve one pair's portfolio, rebuilt and reloaded in the browser when a record changes.

    The preview leaves out the pages' Content-Security-Policy so that the live-reload script
    the server adds can run; everything else is as built.
    """
    with tempfile.TemporaryDirectory(prefix="mentorsite-preview-") as scratch:
        target = Path(scratch) / "site"
        plugin, problems = build_pair_edition(config_file, pair_id, edition, target, policy=False)
        if problems:
            raise PluginError(f"mentorsite: {summarize(problems)} in the records of {pair_id}; "
                              "nothing to preview")

        def rebuild() -> None:
            _, problems = build_pair_edition(config_file, pair_id, edition, target, policy=False)
            if problems:
                log.error(f"mentorsite: {summarize(problems)} in the records of {pair_id}; "
                          "the preview shows the last good build")

        server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(target))
        root = config_file.resolve().parent
        for folder in (plugin.config.content_dir, plugin.config.templates_dir):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        server.watch(str(config_file.resolve()), recursive=False)
        try:
            server.serve(open_in_browser=open_in_browser)  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()


def export_pair(config_file: Path, pair_id: str, edition: Edition, destination: Path) -> int:
    """Write one edition of one pair's portfolio as a zip; returns the number of files in it."""
    config, plugin = load_program(config_file)
    content = config_file.resolve().parent / plugin.config.content_dir
    for name, folder in public_folders(config, content):
        if destination.resolve().is_relative_to(folder):
            raise PluginError(f"mentorsite: the export ({destination}) must not go into {name} ({folder}): "
                              "a portfolio is private")
    with tempfile.TemporaryDirectory(prefix="mentorsite-export-") as scratch:
        target = Path(scratch) / "site"
        problems = plugin.build_edition(config, pair_id, edition, target)
        if problems:
            raise PluginError(f"mentorsite: {summarize(problems)} in the records of {pair_id}; not exported")
        assert plugin.portfolio_settings is not None
        return write_zip(target, destination, f"{pair_id}-{edition}", plugin.portfolio_settings.as_of)
