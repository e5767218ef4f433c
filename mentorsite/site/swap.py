"""The handbook built beside the site and swapped in whole: the previous site or the new one, never a mix.

MkDocs empties its site folder and writes in place. Under the program's build lock, the
plugin points MkDocs at a new folder beside the site; once the handbook (and the sealed
portfolios in it) is complete, the new folder takes the site's place in one rename. A
build that fails or is stopped removes the new folder and keeps the previous site.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.utils import CountHandler

from mentorsite.files.failures import BUILD_OUTPUTS, describe, explain, reason
from mentorsite.files.locking import BuildLock
from mentorsite.files.output import handbook_scratch, replace_directory
from mentorsite.site.mkdocs_program import config_file_of, log
from mentorsite.site.program_builds import shown_path
from mentorsite.vault.sealing import Encryption

RENAMED_LOGGERS = ("mkdocs.commands.build", log.logger.name)


class HandbookSwap:
    """The handbook build under way (at most one), from ``begin`` to ``swap_in`` or ``abandon``."""

    def __init__(self) -> None:
        self.site: SiteBuild | None = None

    def begin(self, config: MkDocsConfig, lock: BuildLock, encryption: Encryption | None, *,
              dirty: bool) -> Encryption | None:
        """Point MkDocs at a new folder beside the site; the encryption with its folder moved into it.

        A dirty build starts from a copy of the site. A site that is a mount point is written
        in place (no folder beside it can take its place).
        """
        target = Path(config.site_dir).resolve()
        if os.path.ismount(target):
            log.info(f"{shown_path(target)} is a mount point: the handbook is written in place there, "
                     "not swapped in whole")
            self.site = SiteBuild(config, config.site_dir, target, None, lock, encryption)
            return encryption
        try:
            scratch = handbook_scratch(target, copy=dirty)
        except OSError as error:
            lock.release()
            why = explain(error, "the folder that holds site_dir must be writable")
            raise PluginError(f"mentorsite: cannot build: cannot make a folder beside {shown_path(target)}: "
                              f"{why}") from None
        self.site = SiteBuild(config, config.site_dir, target, scratch, lock, encryption)
        if encryption is not None and encryption.target_dir.is_relative_to(target):
            # Sealed into the new site, as they were into the site MkDocs had emptied.
            inside = encryption.target_dir.relative_to(target)
            encryption = dataclasses.replace(encryption, target_dir=scratch / inside,
                                             previous_dir=encryption.target_dir)
        self.site.name_as_real()
        config.site_dir = str(scratch)
        return encryption

    def in_new_site(self, path: Path) -> Path:
        """Where ``path``, if it is in the site, is in the new site being built beside it."""
        site = self.site
        if site is None or site.scratch is None or not path.is_relative_to(site.target):
            return path
        return site.scratch / path.relative_to(site.target)

    def swap_in(self, config: MkDocsConfig) -> Encryption | None:
        """The new site in place of the old one (unless a strict build has warnings); the lock let go.

        Returns the encryption as it was before ``begin`` moved its folder.
        """
        site = self.site
        if site is None:
            return None
        config.site_dir = site.given  # gh-deploy reads it after the build
        if strict_warnings():
            return site.encryption  # MkDocs stops the build now: on_build_error removes the new site
        try:
            if site.scratch is not None:
                replace_directory(site.scratch, site.target)
        except OSError as error:
            raise PluginError(f"mentorsite: cannot put the new site in place of {shown_path(site.target)}: "
                              f"{reason(error)}; the previous site is kept") from None
        self.site = None
        site.end()
        return site.encryption

    def abandon(self, error: Exception | None = None) -> Encryption | None:
        """The new site removed and the previous one kept; the site folder setting back; the lock let go."""
        site = self.site
        if site is None:
            return None
        self.site = None
        site.config.site_dir = site.given
        if isinstance(error, MkDocsException):  # MkDocs prints it after this hook
            site.rename_error(error)
        if site.scratch is not None:
            shutil.rmtree(site.scratch, ignore_errors=True)
        site.end()
        return site.encryption

    def failed(self, error: Exception, root: Path) -> tuple[Encryption | None, str | None]:
        """A failed build: the new site removed. A fault of the machine while MkDocs wrote (a full
        disk) becomes one line naming the path in the site, returned to be raised."""
        site = self.site
        message = None
        if isinstance(error, OSError) and site is not None:
            message = site.renamed(f"mentorsite: {describe(error, root, kept=True, where=BUILD_OUTPUTS)}")
        return self.abandon(error), message

    def rename_error(self, error: MkDocsException) -> None:
        if self.site is not None:
            self.site.rename_error(error)


@dataclass
class SiteBuild:
    """A handbook build under way: the site folder as set, the site, the new one beside it, the lock.

    ``encryption`` is the program's as it was (its folder is moved into the new site while
    building). While it lasts, mentorsite's and MkDocs' build messages name the new site by
    the name of the site it replaces, as the reader knows it.
    """

    config: MkDocsConfig
    given: str
    target: Path
    scratch: Path | None  # None: written in place (the site is a mount point)
    lock: BuildLock
    encryption: Encryption | None
    renaming: _RealNames | None = None

    def name_as_real(self) -> None:
        assert self.scratch is not None
        root = config_file_of(self.config).parent
        self.renaming = _RealNames([(str(self.scratch), str(self.target)),
                                    (shown_path(self.scratch), shown_path(self.target)),
                                    (os.path.relpath(self.scratch, root),
                                     os.path.relpath(self.target, root))])
        for name in RENAMED_LOGGERS:
            logging.getLogger(name).addFilter(self.renaming)

    def renamed(self, text: str) -> str:
        return self.renaming.rename(text) if self.renaming is not None else text

    def rename_error(self, error: MkDocsException) -> None:
        """The error's message with the site's own name (``message`` is final to type checkers only)."""
        if self.renaming is not None:
            setattr(error, "message", self.renaming.rename(error.message))  # noqa: B010
            error.args = (error.message,)

    def end(self) -> None:
        if self.renaming is not None:
            for name in RENAMED_LOGGERS:
                logging.getLogger(name).removeFilter(self.renaming)
        self.lock.release()


class _RealNames(logging.Filter):
    """Messages that name a new site being built beside its folder name the folder instead."""

    def __init__(self, names: list[tuple[str, str]]):
        super().__init__()
        self.names = sorted(set(names), key=lambda pair: -len(pair[0]))  # the longest form first

    def rename(self, text: str) -> str:
        for built, real in self.names:
            text = text.replace(built, real)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        renamed = self.rename(message)
        if renamed != message:
            record.msg, record.args = renamed, None
        return True


def strict_warnings() -> bool:
    """Whether a strict build has counted warnings (MkDocs then stops it after ``post_build``)."""
    return any(isinstance(handler, CountHandler) and handler.get_counts()
               for handler in logging.getLogger("mkdocs").handlers)
