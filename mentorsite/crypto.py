"""Encrypted portfolios: passphrases, keys and sealed sites that any static host can serve.

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

Passphrases come from environment variables or a keys file kept outside the content and
the output; they are never written anywhere by this module, and no message quotes one.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import secrets
import shutil
import stat
import subprocess
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from mentorsite.diagnostics import Diagnostic, Severity
from mentorsite.output import PAIRS, REVIEW, link_files, replace_directory, scratch_beside
from mentorsite.references import describe_unknown
from mentorsite.rendering import bundled_templates_dir
from mentorsite.sources import Positions, problem, read_yaml

ITERATIONS = 600_000  # the least the key derivation may use (OWASP's figure for PBKDF2-HMAC-SHA256)
MIN_PASSPHRASE = 12
VAULT_DIR = "_vault"
VAULT_FILE = "vault.json"
WORKER_FILE = "sw.js"
CLIENT_FILES = ("unlock.js", "unlock.css")
INDEX_LABEL = b"\x00index"  # associated data of the index; no path starts with a NUL
PAIR_VARIABLE = "MENTORSITE_PASSPHRASE_"  # + the pair id in capitals, '-' as '_'
REVIEW_VARIABLE = "MENTORSITE_REVIEW_PASSPHRASE"
KEYS_FILE_VARIABLE = "MENTORSITE_KEYS_FILE"
_FOLDER_SALT = b"mentorsite portfolio folder\x00"
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed without doubt


class WrongPassphraseError(Exception):
    """The passphrase does not open this sealed site."""


class KeysError(Exception):
    """The keys file cannot be used (where it is, or what it holds)."""


def passphrase_variable(pair_id: str | None) -> str:
    """The environment variable holding a pair's passphrase (for None, the reviewer site's)."""
    return PAIR_VARIABLE + pair_id.upper().replace("-", "_") if pair_id else REVIEW_VARIABLE


def _secret(passphrase: str) -> bytes:
    """The bytes the key is derived from; the browser does the same (trim, NFC, UTF-8)."""
    return unicodedata.normalize("NFC", passphrase.strip()).encode("utf-8")


def derive_key(passphrase: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """A 256-bit key from a passphrase, with PBKDF2-HMAC-SHA256."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(_secret(passphrase))


def folder_name(passphrase: str, pair_id: str) -> str:
    """The folder of a pair's sealed portfolio: stable for a passphrase, meaningless without it.

    It is derived as slowly as the key, so that it gives no quicker way to test guesses.
    """
    salt = _FOLDER_SALT + pair_id.encode("utf-8")
    return derive_key(passphrase, salt, ITERATIONS)[:12].hex()


def new_passphrase(groups: int = 5, size: int = 5) -> str:
    """A random passphrase such as 'k7fm2-9xqpa-...' (about 124 bits with the defaults)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


def passphrase_problem(passphrase: str) -> str | None:
    """Why a passphrase is too weak to protect a site any host may serve, or None."""
    length = len(passphrase.strip())
    if length < MIN_PASSPHRASE:
        return f"the passphrase has {length} characters; use at least {MIN_PASSPHRASE}"
    return None


# Keys ----------------------------------------------------------------------------------


@dataclass
class Keyring:
    """Where each passphrase comes from: the environment first, then the keys file."""

    path: Path | None = None
    pairs: dict[str, str] = field(default_factory=dict, repr=False)
    review: str | None = field(default=None, repr=False)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    # Everywhere below, a pair id of None stands for the reviewer site.

    def _from_file(self, pair_id: str | None) -> str | None:
        return self.pairs.get(pair_id) if pair_id else self.review

    def passphrase(self, pair_id: str | None) -> str | None:
        return self.environ.get(passphrase_variable(pair_id)) or self._from_file(pair_id)

    def source(self, pair_id: str | None) -> str:
        """Where the passphrase comes from."""
        variable = passphrase_variable(pair_id)
        if self.environ.get(variable):
            return f"environment ({variable})"
        if self._from_file(pair_id) and self.path:
            return f"keys file ({self.path})"
        return "none"

    def usable(self, pair_id: str | None) -> tuple[str | None, str | None]:
        """The passphrase, or why there is none that may seal a site."""
        passphrase = self.passphrase(pair_id)
        if passphrase is None:
            entry = f"pairs: {{{pair_id}: ...}}" if pair_id else "review: ..."
            where = f"add '{entry}' to the keys file ({self.path})" if self.path else "name a keys_file"
            return None, f"no passphrase: set {passphrase_variable(pair_id)}, or {where}"
        weak = passphrase_problem(passphrase)
        return (None, f"{weak} ({self.source(pair_id)})") if weak else (passphrase, None)


def check_keys_location(keys_file: Path, forbidden: Iterable[tuple[str, Path]]) -> None:
    """The keys file must be apart from the sources and the output; raise KeysError if not."""
    where = keys_file.resolve()
    for name, folder in forbidden:
        if where.is_relative_to(folder.resolve()):
            raise KeysError(f"the keys file ({keys_file}) is inside {name} ({folder}); keep it outside the "
                            "content and the output, so that no passphrase is published or committed")
    if _tracked_by_git(where):
        raise KeysError(f"the keys file ({keys_file}) is tracked by git; anyone with the repository could "
                        "read the passphrases. Remove it from git (git rm --cached) and ignore it")


def _tracked_by_git(path: Path) -> bool:
    try:
        result = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent,
                                capture_output=True, check=False)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return result.returncode == 0


def read_keys(keys_file: Path | None, environ: Mapping[str, str],
              pair_ids: Collection[str]) -> tuple[Keyring, list[Diagnostic]]:
    """The passphrases, and every problem of the keys file (no message quotes a passphrase)."""
    keyring = Keyring(keys_file, environ=dict(environ))
    if keys_file is None:
        return keyring, []
    shown = str(keys_file)
    if not keys_file.is_file():
        return keyring, [problem(shown, (1, 1), "no-keys-file", "the keys file does not exist")]
    diagnostics: list[Diagnostic] = []
    mode = keys_file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        message = f"other users of this computer can read the keys file; run chmod 600 {shown}"
        diagnostics.append(problem(shown, (1, 1), "keys-readable", message, severity=Severity.WARNING))
    document = read_yaml(keys_file.read_bytes(), shown)
    if document.data is None:
        return keyring, diagnostics + [_without_value(d) for d in document.diagnostics]
    diagnostics += document.diagnostics
    positions, data = document.positions, document.data
    for key in data:
        if key not in ("review", "pairs"):
            message = describe_unknown("entry", str(key), ["pairs", "review"], "in a keys file")
            diagnostics.append(problem(shown, positions.of_key((key,)), "unknown-key", message, str(key)))
    review = data.get("review")
    if review is not None:
        keyring.review = _passphrase(review, ("review",), "review", shown, positions, diagnostics)
    pairs = data.get("pairs") or {}
    if not isinstance(pairs, dict):
        message = "expected a mapping of pair id to passphrase"
        diagnostics.append(problem(shown, positions.of_value(("pairs",)), "wrong-type", message, "pairs"))
        pairs = {}
    for pair_id, value in pairs.items():
        name = f"pairs.{pair_id}"
        if pair_id not in pair_ids:
            message = describe_unknown("pair", str(pair_id), sorted(pair_ids), "in the content")
            diagnostics.append(problem(shown, positions.of_key(("pairs", pair_id)), "unknown-pair", message,
                                       name, Severity.WARNING))
        found = _passphrase(value, ("pairs", pair_id), name, shown, positions, diagnostics)
        if found is not None:
            keyring.pairs[str(pair_id)] = found
    return keyring, diagnostics


def _passphrase(value: object, location: tuple[str, ...], name: str, shown: str, positions: Positions,
                diagnostics: list[Diagnostic]) -> str | None:
    where = positions.of_value(location)
    if not isinstance(value, str):
        diagnostics.append(problem(shown, where, "wrong-type", "expected the passphrase as text", name))
        return None
    weak = passphrase_problem(value)
    if weak:
        diagnostics.append(problem(shown, where, "weak-passphrase", weak, name))
        return None
    return value


def _without_value(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.code == "wrong-type":
        return replace(diagnostic, message="expected a mapping with the entries 'review' and 'pairs'")
    return diagnostic


def write_passphrase(keys_file: Path, pair_id: str | None, passphrase: str) -> None:
    """Set one passphrase in the keys file, written beside it and renamed into place (mode 600)."""
    data = {}
    if keys_file.is_file():
        loaded = yaml.safe_load(keys_file.read_text(encoding="utf-8"))
        data = loaded if isinstance(loaded, dict) else {}
    if pair_id is None:
        data["review"] = passphrase
    else:
        pairs = data.get("pairs")
        data["pairs"] = {**(pairs if isinstance(pairs, dict) else {}), pair_id: passphrase}
    text = ("# mentorsite passphrases: keep this file private (chmod 600), out of git, the content\n"
            "# and the output. Written by `mentorsite keys rotate`.\n")
    text += yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    scratch = keys_file.with_name(f".{keys_file.name}.{os.getpid()}.new")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        scratch.replace(keys_file)
    finally:
        scratch.unlink(missing_ok=True)


# Sealing -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _seal(aead: AESGCM, data: bytes, label: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + aead.encrypt(nonce, data, label)


def media_type(path: str) -> str:
    kind, encoding = mimetypes.guess_type(path)
    if encoding == "gzip":
        return "application/gzip"
    if kind is None:
        return "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else kind


def seal_site(source: Path, target: Path, passphrase: str, *, shell: str, plain: Collection[str] = (),
              sites: Collection[str] = ("",), iterations: int = ITERATIONS) -> int:
    """Encrypt the site in ``source`` into ``target``, swapped in whole; returns the files encrypted.

    ``plain`` names files that are not private, such as the theme's assets, relative to each
    site in ``sites`` (folders of ``source``, "" for itself, "name/" for one inside it). Those
    of the outer site are linked as they are; those of an inner site stand for the outer
    ones, so that no plain file is named after an inner site. ``shell`` is the unlock page,
    written as ``index.html``.
    """
    salt = os.urandom(16)
    aead = AESGCM(derive_key(passphrase, salt, iterations))
    client = bundled_templates_dir() / "vault"
    with scratch_beside(target) as building:
        vault_dir = building / VAULT_DIR
        vault_dir.mkdir()
        index: dict[str, dict[str, str]] = {}
        kept: list[Path] = []
        inner = sorted((site for site in sites if site), key=len, reverse=True)
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = file.relative_to(source).as_posix()
            if relative in plain:
                kept.append(Path(relative))
                continue
            site = next((site for site in inner if relative.startswith(site)), "")
            if site and relative[len(site):] in plain:
                index[relative] = {"alias": relative[len(site):]}
                continue
            blob = f"{secrets.token_hex(16)}.bin"
            (vault_dir / blob).write_bytes(_seal(aead, file.read_bytes(), relative.encode("utf-8")))
            index[relative] = {"blob": blob, "type": media_type(relative)}
        listing = json.dumps({"files": index, "sites": sorted(sites)}, sort_keys=True).encode("utf-8")
        vault = {"format": 1, "cipher": "AES-256-GCM",
                 "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations, "salt": _b64(salt)},
                 "index": _b64(_seal(aead, listing, INDEX_LABEL))}
        (vault_dir / VAULT_FILE).write_text(json.dumps(vault, indent=1) + "\n", encoding="utf-8")
        for name in CLIENT_FILES:
            (vault_dir / name).write_bytes((client / name).read_bytes())
        (building / WORKER_FILE).write_bytes((client / WORKER_FILE).read_bytes())
        (building / "index.html").write_text(shell, encoding="utf-8")
        link_files(source, kept, building)
        replace_directory(building, target)
    return sum(1 for entry in index.values() if "blob" in entry)


def open_site(folder: Path, passphrase: str) -> dict[str, bytes]:
    """Every encrypted file of a sealed site, decrypted; raises WrongPassphraseError."""
    vault = json.loads((folder / VAULT_DIR / VAULT_FILE).read_text(encoding="utf-8"))
    kdf = vault["kdf"]
    aead = AESGCM(derive_key(passphrase, base64.b64decode(kdf["salt"]), int(kdf["iterations"])))
    sealed = base64.b64decode(vault["index"])
    try:
        listing = json.loads(aead.decrypt(sealed[:12], sealed[12:], INDEX_LABEL))
    except InvalidTag:
        raise WrongPassphraseError(f"the passphrase does not open {folder}") from None
    files = {}
    for path, entry in listing["files"].items():
        if "blob" not in entry:
            continue  # a theme asset of an inner site, kept plain once for all
        data = (folder / VAULT_DIR / entry["blob"]).read_bytes()
        files[path] = aead.decrypt(data[:12], data[12:], path.encode("utf-8"))
    return files


@dataclass
class SealReport:
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

    def folder(self, pair_id: str | None, passphrase: str) -> Path:
        """The sealed copy of a pair's edition (for None, of the reviewer site)."""
        return self.target_dir / (PAIRS + "/" + folder_name(passphrase, pair_id) if pair_id else REVIEW)


@dataclass(frozen=True)
class SealPlan:
    """What to seal: the plain portfolios in ``private_dir``, their unlock pages, the theme's assets."""

    encryption: Encryption
    private_dir: Path
    pair_shell: str
    review_shell: str
    plain: frozenset[str] = frozenset()


def seal_portfolios(plan: SealPlan, pair_ids: list[str], *, jobs: int = 1, prune: bool = False) -> SealReport:
    """Seal each pair's edition into ``pairs/<folder>`` and the reviewer site into ``review``.

    Pairs are sealed by ``jobs`` threads (the key derivation runs outside Python's lock).
    With ``prune``, sealed folders that belong to no pair sealed now are removed, unless
    some pair could not be sealed (its folder cannot be told from a stale one).
    """
    report = SealReport()
    encryption = plan.encryption

    def seal_pair(pair_id: str) -> tuple[str, str | None, str | None]:
        passphrase, why = encryption.keyring.usable(pair_id)
        if passphrase is None:
            return pair_id, None, why
        target = encryption.folder(pair_id, passphrase)
        seal_site(plan.private_dir / PAIRS / pair_id, target, passphrase, shell=plan.pair_shell,
                  plain=plan.plain, iterations=encryption.iterations)
        return pair_id, target.name, None

    present = [p for p in pair_ids if (plan.private_dir / PAIRS / p).is_dir()]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for pair_id, folder, why in pool.map(seal_pair, present):
            if folder is not None:
                report.sealed[pair_id] = folder
            else:
                report.refused[pair_id] = why or ""
    review_dir = plan.private_dir / REVIEW
    if review_dir.is_dir():
        passphrase, report.review_problem = encryption.keyring.usable(None)
        if passphrase is not None:
            editions = [f"{p.name}/" for p in sorted(review_dir.iterdir())
                        if p.is_dir() and not p.name.startswith(".") and (p / "index.html").is_file()]
            seal_site(review_dir, encryption.folder(None, passphrase), passphrase, shell=plan.review_shell,
                      plain=plan.plain, sites=["", *editions], iterations=encryption.iterations)
            report.review = True
    pairs_dir = encryption.target_dir / PAIRS
    if prune and not report.refused and pairs_dir.is_dir():
        current = set(report.sealed.values())
        for entry in sorted(pairs_dir.iterdir()):
            if entry.is_dir() and entry.name not in current and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
                report.removed.append(entry.name)
    return report
