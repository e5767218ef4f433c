"""Sealed folders that no longer stand for a current passphrase, removed (fail closed).

A pair whose passphrase was replaced, or that has none that may seal it, has no sealed
folder left where the host serves them; nor has the reviewer site when its passphrase is
refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mentorsite.files.output import PAIRS, REVIEW


def withdraw_stale(target_dir: Path, current: set[str], *, review: bool) -> list[str]:
    """Remove the pair folders not in ``current`` (and, with ``review``, the reviewer site); their names."""
    removed = []
    pairs_dir = target_dir / PAIRS
    listed = sorted(pairs_dir.iterdir()) if pairs_dir.is_dir() else []
    stale = [entry for entry in listed if entry.name not in current]
    if review and (target_dir / REVIEW).is_dir():
        stale.append(target_dir / REVIEW)
    for entry in stale:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    return removed
