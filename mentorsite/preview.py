"""One pair's portfolio, outside the full build: `mentorsite serve --pair` and `mentorsite export`.

An adapter over MkDocs: the program's mkdocs.yml is loaded as for a build, so the preview
and the export look exactly like the built portfolio.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

from mentorsite.diagnostics import Diagnostic, summarize
from mentorsite.editions import Edition
from mentorsite.output import EXPORTS, private_files, private_folder, write_zip
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
    """Build one edition of one pair into ``target``; the errors that stopped it, if any.

    Every file and folder of it is its owner's only (0600 and 0700), whatever the umask.
    """
    with private_files():
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


@dataclass(frozen=True)
class Export:
    """A written export: where, how many files, and whether git would track it there."""

    path: Path
    files: int
    tracked: bool


def export_pair(config_file: Path, pair_id: str, edition: Edition, destination: Path | None = None) -> Export:
    """Write one edition of one pair's portfolio as a zip (0600).

    By default into ``exports/`` of the private folder (0700, ignored by git in every
    program ``init`` writes) as ``<pair>-<edition>.zip``. Refused inside the public site or
    the sources.
    """
    with private_files():
        config, plugin = load_program(config_file)
        destination = _export_path(config, plugin, config_file, f"{pair_id}-{edition}.zip", destination)
        with tempfile.TemporaryDirectory(prefix="mentorsite-export-") as scratch:
            target = Path(scratch) / "site"
            problems = plugin.build_edition(config, pair_id, edition, target)
            if problems:
                message = f"{summarize(problems)} in the records of {pair_id}; not exported"
                raise PluginError(f"mentorsite: {message}")
            assert plugin.portfolio_settings is not None
            count = write_zip(target, destination, f"{pair_id}-{edition}", plugin.portfolio_settings.as_of)
    return Export(destination, count, would_be_tracked(destination))


def _export_path(config: MkDocsConfig, plugin: MentorsitePlugin, config_file: Path, name: str,
                 chosen: Path | None) -> Path:
    root = config_file.resolve().parent
    destination = chosen or private_folder(root / plugin.config.private_dir / EXPORTS) / name
    for option, folder in public_folders(config, root / plugin.config.content_dir):
        if destination.resolve().is_relative_to(folder):
            raise PluginError(f"mentorsite: the export ({destination}) must not go into {option} ({folder}): "
                              "a portfolio is private")
    return destination


def would_be_tracked(path: Path) -> bool:
    """Whether ``path`` is in a git work tree and not ignored there: one `git add -A` would commit it."""
    folder = path.resolve().parent
    try:
        result = subprocess.run(["git", "check-ignore", "--quiet", "--", path.name], cwd=folder,
                                capture_output=True, check=False)
    except OSError:  # no git, or the folder is gone
        return False
    return result.returncode == 1  # 0: ignored; 128: not in a work tree
