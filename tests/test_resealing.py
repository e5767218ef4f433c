"""Sealing again only what changed: a rebuild keeps the sealed folders whose content is the same.

Each sealing draws a new salt, so without this every build sends the host every blob again
and every publish commits the portfolios anew. The stamps that say a folder is current stay
in the private output, never beside the sealed files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mentorsite.vault.passphrases import passphrase_variable
from mentorsite.vault.sealing import open_site
from tests.test_encryption import PASSPHRASES, REVIEW_PASSPHRASE, encrypted_program, folder_of, run


def sealed_bytes(folder: Path) -> dict[str, bytes]:
    sealed = folder / "site" / "portfolios"
    return {path.relative_to(sealed).as_posix(): path.read_bytes()
            for path in sorted(sealed.rglob("*")) if path.is_file()}


def site_of(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.startswith(prefix)}


def pair_prefix(pair_id: str) -> str:
    return f"pairs/{folder_of(PASSPHRASES[pair_id], pair_id)}/"


def test_an_unchanged_rebuild_keeps_every_sealed_file_and_an_edit_reseals_only_its_sites(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    first = sealed_bytes(folder)
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    assert sealed_bytes(folder) == first
    session = sorted((folder / "content" / "pairs" / "ana-ben" / "sessions").glob("*.md"))[0]
    session.write_text(session.read_text(encoding="utf-8") + "\nOne more line after the meeting.\n",
                       encoding="utf-8")
    assert run(folder, "build").returncode == 0
    third = sealed_bytes(folder)
    assert site_of(third, pair_prefix("cy-dee")) == site_of(first, pair_prefix("cy-dee"))
    assert site_of(third, pair_prefix("ana-ben")) != site_of(first, pair_prefix("ana-ben"))
    opened = open_site(folder / "site" / "portfolios" / pair_prefix("ana-ben"), PASSPHRASES["ana-ben"])
    assert any(b"One more line after the meeting." in data for data in opened.values())


def test_a_new_reviewer_passphrase_or_a_damaged_folder_is_sealed_again(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    first = sealed_bytes(folder)
    chosen = "the reviewers chose another one"
    assert run(folder, "build", **{passphrase_variable(None): chosen}).returncode == 0
    review = folder / "site" / "portfolios" / "review"
    assert "index.html" in open_site(review, chosen)
    assert site_of(sealed_bytes(folder), "review/") != site_of(first, "review/")
    chunk = sorted((review / "_vault").glob("*.bin"))[0]
    chunk.write_bytes(b"damaged")
    assert run(folder, "build", **{passphrase_variable(None): chosen}).returncode == 0
    assert "index.html" in open_site(review, chosen)
    assert run(folder, "build").returncode == 0  # back to the keys file's passphrase
    assert "index.html" in open_site(review, REVIEW_PASSPHRASE)


def test_the_stamps_are_private_and_say_nothing_a_reader_of_the_sealed_sites_could_check(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    stamps = sorted((folder / "site-private" / ".seals").iterdir())
    assert len(stamps) == 1 + len(PASSPHRASES)
    assert all(stamp.stat().st_mode & 0o077 == 0 for stamp in stamps)
    published = b"".join(sealed_bytes(folder).values())
    for stamp in stamps:
        for value in stamp.read_text(encoding="ascii").split():
            assert value.encode() not in published
    plain = folder / "site-private" / "pairs" / "ana-ben"
    for path in plain.rglob("*"):
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest().encode() not in published
