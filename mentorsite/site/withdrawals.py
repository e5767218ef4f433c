"""What a build takes out of the private folder: the portfolios of pairs no longer in the content.

Their sites, exports, stamps and sealed folders go at once, whichever pairs a build builds
(``--pair`` and ``--shard`` too); and the reviewer index lists only the review editions on
disk that are still vouched for.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from mentorsite.files.output import EXPORTS, PAIRS, REVIEW, withdraw
from mentorsite.pages.portfolio import ReviewEntry
from mentorsite.site.stamps import PAIR_STAMPS, SEALED_STAMP, SUMMARY_FILE, Stamps
from mentorsite.vault.keyring import KeysError
from mentorsite.vault.sealing import Encryption

log = logging.getLogger("mkdocs.plugins.mentorsite")


def review_entries(review_dir: Path, stamps: Stamps) -> list[ReviewEntry]:
    """Every review edition on disk: built now, or kept from an earlier build and still vouched for.

    Review editions that could hold a record their pair no longer shares are withdrawn
    before this is read (``builder.withdraw_review_editions``). One whose summary is damaged (cut
    short, edited by hand) is withdrawn too, and its pair's stamps forgotten, so the next
    build builds it again; it is left out of the index meanwhile.
    """
    entries = []
    for summary in sorted(review_dir.glob(f"[!.]*/{SUMMARY_FILE}")):
        try:
            entries.append(ReviewEntry(**json.loads(summary.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            pair_id = summary.parent.name
            stamps.forget_pair(pair_id)
            withdraw(summary.parent)
            log.warning(f"mentorsite: the review edition of {pair_id} was damaged ({REVIEW}/{pair_id}/"
                        f"{SUMMARY_FILE} cannot be read): it is withdrawn, and built again by the next build")
    return entries


def review_editions(review_dir: Path) -> list[Path]:
    """The folders of review editions in the reviewer site (not its own assets and search index)."""
    if not review_dir.is_dir():
        return []
    return [site for site in sorted(review_dir.iterdir()) if site.is_dir() and not site.name.startswith(".")
            and ((site / SUMMARY_FILE).is_file() or (site / "index.html").is_file())]


def remove_stale(private_dir: Path, pair_ids: set[str], stamps: Stamps,
                 encryption: Encryption | None) -> list[str]:
    """Portfolios of pairs no longer in the content folder are deleted, not left behind; their ids.

    So are their exports in the private folder, their stamps and, with ``encryption``, their
    sealed folders, whose names say nothing of their pair: the stamp written when each was
    sealed names it, else (a folder sealed before such stamps) the pair's passphrase, while
    the keyring still has it.
    """
    removed = set()
    pair_sites = sorted(private_dir.joinpath(PAIRS).iterdir()) if private_dir.joinpath(PAIRS).is_dir() else []
    for site in [*(s for s in pair_sites if s.is_dir()), *review_editions(private_dir / REVIEW)]:
        if site.name not in pair_ids and not site.name.startswith(".") and withdraw(site):
            removed.add(site.name)
    for export in sorted(private_dir.joinpath(EXPORTS).glob("*.zip")):  # `export` names them PAIR-EDITION.zip
        pair_id = re.sub(r"-(?:pair|review)\.zip$", "", export.name)
        if pair_id != export.name and pair_id not in pair_ids:
            export.unlink(missing_ok=True)
            removed.add(pair_id)
    prefixes = list(PAIR_STAMPS)
    if encryption is not None:
        removed |= _remove_stale_sealed(encryption, stamps, pair_ids, removed)
        prefixes.append(SEALED_STAMP)  # kept while not sealing: only they name the sealed folders
    for prefix in prefixes:
        stamps.prune(prefix, pair_ids)
    return sorted(removed)


SEALED_FOLDER = re.compile(r"[0-9a-f]{32}")


def _remove_stale_sealed(encryption: Encryption, stamps: Stamps, pair_ids: set[str],
                         gone: set[str]) -> set[str]:
    """The sealed folders of pairs no longer in the content, withdrawn; the ids of those pairs."""
    stamped = {stamp.name.removeprefix(SEALED_STAMP): stamp
               for stamp in stamps.folder.glob(f"{SEALED_STAMP}*")}
    removed = set()
    for pair_id in sorted((gone | set(stamped)) - pair_ids):
        stamp = stamped.get(pair_id)
        folder = stamp.read_text(encoding="ascii", errors="replace") if stamp is not None else None
        if folder is None or not SEALED_FOLDER.fullmatch(folder):
            passphrase, _ = encryption.keyring.usable(pair_id)
            try:
                folder = encryption.folder(pair_id, passphrase).name if passphrase else None
            except KeysError:
                folder = None
        if folder is not None and withdraw(encryption.target_dir / PAIRS / folder):
            removed.add(pair_id)
    return removed
