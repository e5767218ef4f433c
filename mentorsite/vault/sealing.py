"""Sealed sites that any static host can serve, and opening them again.

A sealed site holds its files encrypted, each under its own random name, so that neither
the text nor the names of a pair's pages, search index, sitemap or attachments can be read
without the passphrase. The key is derived from the passphrase with PBKDF2-HMAC-SHA256
(600,000 iterations or more, a random salt each time a site is sealed); every file is
encrypted with AES-256-GCM under a fresh random nonce, with its path as associated data,
so a file cannot be passed off as another. An index of path, blob name and media type is
encrypted the same way.

In the browser, the unlock page derives the key with WebCrypto and hands it to the site's
service worker, which decrypts each file as it is requested (themes/vault/). The theme's
own assets are not private and stay as they are.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mentorsite.files.output import PAIRS, REVIEW, link_files, replace_directory, scratch_beside
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.vault.keyring import Keyring, KeysError
from mentorsite.vault.passphrases import ITERATIONS, derive_key, folder_name
from mentorsite.vault.pruning import withdraw_stale
from mentorsite.vault.resealing import SealStamps, seal_fingerprint

VAULT_DIR = "_vault"
VAULT_FILE = "vault.json"
WORKER_FILE = "sw.js"
CLIENT_FILES = ("unlock.js", "unlock.css", "session.js")
INDEX_LABEL = b"\x00index"  # associated data of the index; no path starts with a NUL


class WrongPassphraseError(Exception):
    """The passphrase does not open this sealed site."""


# The sizes a host can see. Every blob of a vault is one chunk of CHUNK_SIZE bytes, cut
# from all the site's encrypted files laid end to end in a random order, and their number
# is raised to a power of two with chunks of random bytes: the blobs tell the host the
# site's total size within a factor of two, and nothing about its files one by one. The
# sealed index (about 100 bytes a file) is padded to a power of two of at least
# INDEX_MINIMUM bytes: its size says nothing below about 160 files.
CHUNK_SIZE = 64 * 1024
INDEX_MINIMUM = 16 * 1024
_SEALED_OVERHEAD = 12 + 16  # the nonce before the ciphertext, the tag after it


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _seal(aead: AESGCM, data: bytes, label: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + aead.encrypt(nonce, data, label)


def _unseal(aead: AESGCM, sealed: bytes, label: bytes) -> bytes:
    return aead.decrypt(sealed[:12], sealed[12:], label)


def size_bucket(size: int, minimum: int = 1) -> int:
    """The least power of two that is at least ``size`` and ``minimum``."""
    return max(minimum, 1 << max(0, size - 1).bit_length())


def _seal_index(aead: AESGCM, listing: bytes) -> bytes:
    """The index sealed to a bucket size; the padding is spaces, which JSON reads past."""
    size = size_bucket(len(listing) + _SEALED_OVERHEAD, INDEX_MINIMUM)
    return _seal(aead, listing.ljust(size - _SEALED_OVERHEAD, b" "), INDEX_LABEL)


def _write_chunks(stream: bytes, vault_dir: Path) -> list[str]:
    """Cut ``stream`` into chunks under random names, filled up with random bytes; their names in order."""
    count = size_bucket(-(-len(stream) // CHUNK_SIZE))
    names = [f"{secrets.token_hex(16)}.bin" for _ in range(count)]
    for number, name in enumerate(names):
        piece = stream[number * CHUNK_SIZE:(number + 1) * CHUNK_SIZE]
        (vault_dir / name).write_bytes(piece + os.urandom(CHUNK_SIZE - len(piece)))
    return names


def media_type(path: str) -> str:
    kind, encoding = mimetypes.guess_type(path)
    if encoding == "gzip":
        return "application/gzip"
    if kind is None:
        return "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else kind


def _sealed_files(source: Path, plain: Collection[str], sites: Collection[str]) -> tuple[
        list[Path], dict[str, dict[str, str | int]], list[str]]:
    """The plain files kept as they are, the aliases of inner sites' assets, the paths to encrypt."""
    kept: list[Path] = []
    aliases: dict[str, dict[str, str | int]] = {}
    private: list[str] = []
    inner = sorted((site for site in sites if site), key=len, reverse=True)
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = file.relative_to(source).as_posix()
        site = next((site for site in inner if relative.startswith(site)), "")
        if relative in plain:
            kept.append(Path(relative))
        elif site and relative[len(site):] in plain:
            aliases[relative] = {"alias": relative[len(site):]}
        else:
            private.append(relative)
    return kept, aliases, private


def seal_site(source: Path, target: Path, passphrase: str, *, shell: str, plain: Collection[str] = (),
              sites: Collection[str] = ("",), iterations: int = ITERATIONS, stamps: SealStamps | None = None,
              named_by_passphrase: bool = False) -> int:
    """Encrypt the site in ``source`` into ``target``, swapped in whole; returns the files encrypted.

    ``plain`` names files that are not private, such as the theme's assets, relative to each
    site in ``sites`` (folders of ``source``, "" for itself, "name/" for one inside it). Those
    of the outer site are linked as they are; those of an inner site stand for the outer
    ones, so that no plain file is named after an inner site. ``shell`` is the unlock page,
    written as ``index.html``. Each file is sealed on its own (fresh nonce, its path as
    associated data); the sealed files are laid end to end in a random order and stored as
    equal chunks (see ``CHUNK_SIZE``); the index says where each one starts and how long it is.

    With ``stamps``, a ``target`` sealed before from the same content is kept as it is (and
    0 returned), provided ``passphrase`` opens it; a folder ``named_by_passphrase`` is
    another folder under another passphrase, so that is not tried (``resealing``).
    """
    fingerprint = None
    if stamps is not None:
        fingerprint = seal_fingerprint(source, shell, plain, sites, iterations, [*CLIENT_FILES, WORKER_FILE])
        if stamps.kept(target, fingerprint) and (named_by_passphrase or opens(target, passphrase)):
            return 0  # after a failed check the target is sealed again below, in whole
        stamps.forget(target)
    salt = os.urandom(16)
    aead = AESGCM(derive_key(passphrase, salt, iterations))
    client = bundled_templates_dir() / "vault"
    kept, index, private = _sealed_files(source, plain, sites)
    secrets.SystemRandom().shuffle(private)  # the order of the stream says nothing of the paths
    stream = bytearray()
    for relative in private:
        sealed = _seal(aead, (source / relative).read_bytes(), relative.encode("utf-8"))
        index[relative] = {"at": len(stream), "size": len(sealed), "type": media_type(relative)}
        stream += sealed
    with scratch_beside(target) as building:
        vault_dir = building / VAULT_DIR
        vault_dir.mkdir()
        chunks = _write_chunks(bytes(stream), vault_dir)
        listing = json.dumps({"files": index, "sites": sorted(sites), "chunks": chunks,
                              "chunk_size": CHUNK_SIZE}, sort_keys=True).encode("utf-8")
        vault = {"format": 2, "cipher": "AES-256-GCM",
                 "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations, "salt": _b64(salt)},
                 "index": _b64(_seal_index(aead, listing))}
        (vault_dir / VAULT_FILE).write_text(json.dumps(vault, indent=1) + "\n", encoding="utf-8")
        for name in CLIENT_FILES:
            (vault_dir / name).write_bytes((client / name).read_bytes())
        (building / WORKER_FILE).write_bytes((client / WORKER_FILE).read_bytes())
        (building / "index.html").write_text(shell, encoding="utf-8")
        link_files(source, kept, building)
        replace_directory(building, target)
    if stamps is not None and fingerprint is not None:
        stamps.record(target, fingerprint)
    return len(private)


def opens(folder: Path, passphrase: str) -> bool:
    """True when ``passphrase`` opens the sealed index in ``folder``."""
    try:
        vault = json.loads((folder / VAULT_DIR / VAULT_FILE).read_text(encoding="utf-8"))
        kdf = vault["kdf"]
        aead = AESGCM(derive_key(passphrase, base64.b64decode(kdf["salt"]), int(kdf["iterations"])))
        _unseal(aead, base64.b64decode(vault["index"]), INDEX_LABEL)
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        return False
    return True


def open_site(folder: Path, passphrase: str) -> dict[str, bytes]:
    """Every encrypted file of a sealed site, decrypted; raises WrongPassphraseError."""
    vault = json.loads((folder / VAULT_DIR / VAULT_FILE).read_text(encoding="utf-8"))
    kdf = vault["kdf"]
    aead = AESGCM(derive_key(passphrase, base64.b64decode(kdf["salt"]), int(kdf["iterations"])))
    try:
        listing = json.loads(_unseal(aead, base64.b64decode(vault["index"]), INDEX_LABEL))
    except InvalidTag:
        raise WrongPassphraseError(f"the passphrase does not open {folder}") from None
    stream = b"".join((folder / VAULT_DIR / name).read_bytes() for name in listing["chunks"])
    files = {}
    for path, entry in listing["files"].items():
        if "alias" in entry:
            continue  # a theme asset of an inner site, kept plain once for all
        start = int(entry["at"])
        files[path] = _unseal(aead, stream[start:start + int(entry["size"])], path.encode("utf-8"))
    return files


@dataclass
class SealResult:
    """What sealing did: pairs sealed (id -> folder), pairs left out (id -> why), the reviewer site."""

    sealed: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    review: bool = False
    review_problem: str | None = None
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Encryption:
    """Where sealed copies of the portfolios go, and the passphrases that seal them."""

    target_dir: Path
    keyring: Keyring
    iterations: int = ITERATIONS
    previous_dir: Path | None = None  # where the sealed sites of the last build are, when not target_dir

    def folder(self, pair_id: str | None, passphrase: str) -> Path:
        """The sealed copy of a pair's edition (for None, of the reviewer site); raises KeysError."""
        if pair_id is None:
            return self.target_dir / REVIEW
        if self.keyring.secret is None:
            raise KeysError("no folder secret: run mentorsite keys folder-secret")
        name = folder_name(passphrase, pair_id, self.keyring.secret, self.iterations)
        return self.target_dir / PAIRS / name


@dataclass(frozen=True)
class SealPlan:
    """What to seal: the plain portfolios in ``private_dir``, their unlock pages, the theme's assets."""

    encryption: Encryption
    private_dir: Path
    pair_shell: str
    review_shell: str
    plain: frozenset[str] = frozenset()


def seal_portfolios(plan: SealPlan, pair_ids: list[str], *, jobs: int = 1, prune: bool = False) -> SealResult:
    """Seal each pair's edition into ``pairs/<folder>`` and the reviewer site into ``review``.

    Pairs are sealed by ``jobs`` threads (the key derivation runs outside Python's lock).
    With ``prune`` (a whole build), every sealed folder of no pair sealed now is removed,
    even while another pair is refused: a pair with no usable passphrase has no published
    folder, and a folder under a replaced passphrase goes (fail closed). So does the
    reviewer site's, when its passphrase is refused.
    """
    result = SealResult()
    encryption = plan.encryption
    stamps = SealStamps(plan.private_dir, encryption.target_dir, encryption.previous_dir)

    def seal_pair(pair_id: str) -> tuple[str, str | None, str | None]:
        passphrase, why = encryption.keyring.usable(pair_id)
        if passphrase is None:
            return pair_id, None, why
        target = encryption.folder(pair_id, passphrase)
        seal_site(plan.private_dir / PAIRS / pair_id, target, passphrase, shell=plan.pair_shell,
                  plain=plan.plain, iterations=encryption.iterations, stamps=stamps, named_by_passphrase=True)
        return pair_id, target.name, None

    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - only when sealing

    present = [p for p in pair_ids if (plan.private_dir / PAIRS / p).is_dir()]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for pair_id, folder, why in pool.map(seal_pair, present):
            if folder is not None:
                result.sealed[pair_id] = folder
            else:
                result.refused[pair_id] = why or ""
    review_dir = plan.private_dir / REVIEW
    if review_dir.is_dir():
        passphrase, result.review_problem = encryption.keyring.usable(None)
        if passphrase is not None:
            editions = [f"{p.name}/" for p in sorted(review_dir.iterdir())
                        if p.is_dir() and not p.name.startswith(".") and (p / "index.html").is_file()]
            seal_site(review_dir, encryption.folder(None, passphrase), passphrase, shell=plan.review_shell,
                      plain=plan.plain, sites=["", *editions], iterations=encryption.iterations,
                      stamps=stamps)
            result.review = True
    if prune:
        result.removed = withdraw_stale(encryption.target_dir, set(result.sealed.values()),
                                        review=result.review_problem is not None)
        stamps.prune()
    return result
