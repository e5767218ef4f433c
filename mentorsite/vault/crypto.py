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
import errno
import json
import mimetypes
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from mentorsite.files.failures import read_plain, reason
from mentorsite.files.output import PAIRS, REVIEW, link_files, replace_directory, scratch_beside
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.model.diagnostics import Diagnostic, Severity, summarize
from mentorsite.reading.sources import problem
from mentorsite.vault.keyfile import (
    MIN_PASSPHRASE,
    PAIRS_ENTRY,
    REVIEW_ENTRY,
    SECRET_ENTRY,
    KeysFile,
    parse_keys,
)

ITERATIONS = 600_000  # the least the key derivation may use (OWASP's figure for PBKDF2-HMAC-SHA256)
VAULT_DIR = "_vault"
VAULT_FILE = "vault.json"
WORKER_FILE = "sw.js"
CLIENT_FILES = ("unlock.js", "unlock.css", "session.js")
INDEX_LABEL = b"\x00index"  # associated data of the index; no path starts with a NUL
PAIR_VARIABLE = "MENTORSITE_PASSPHRASE_"  # + the pair id in capitals, '-' as '_'
REVIEW_VARIABLE = "MENTORSITE_REVIEW_PASSPHRASE"
KEYS_FILE_VARIABLE = "MENTORSITE_KEYS_FILE"
SECRET_VARIABLE = "MENTORSITE_FOLDER_SECRET"
SECRET_BYTES = 32  # a new folder secret; one of at least 16 bytes (32 hexadecimal digits) is taken
_FOLDER_LABEL = b"mentorsite portfolio folder\x00"
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


def folder_name(passphrase: str, pair_id: str, secret: bytes, iterations: int = ITERATIONS) -> str:
    """The folder of a pair's sealed portfolio: stable for a passphrase, meaningless without it.

    An HMAC of the pair id, keyed with PBKDF2 of the passphrase salted with the program's
    folder secret and the pair id, at the iterations of the vault itself: without the
    secret a folder name tests no guess, and with it a guess costs what it costs against
    the vault. 128 bits of it name the folder.
    """
    salt = secret + b"\x00" + pair_id.encode("utf-8")
    mac = hmac.HMAC(derive_key(passphrase, salt, iterations), hashes.SHA256())
    mac.update(_FOLDER_LABEL + pair_id.encode("utf-8"))
    return mac.finalize()[:16].hex()


def new_folder_secret() -> str:
    """A random folder secret, as the hexadecimal digits the keys file holds."""
    return secrets.token_hex(SECRET_BYTES)


def folder_secret_problem(text: str) -> str | None:
    """Why a folder secret cannot be used, or None."""
    digits = text.strip()
    if len(digits) < 32 or len(digits) % 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return "expected the folder secret as at least 32 hexadecimal digits, got something else"
    return None


def new_passphrase(groups: int = 5, size: int = 5) -> str:
    """A random passphrase such as 'k7fm2-9xqpa-...' (about 124 bits with the defaults)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


def passphrase_problem(passphrase: str) -> str | None:
    """Why a passphrase is too weak to protect a site any host may serve, or None."""
    if len(passphrase.strip()) < MIN_PASSPHRASE:
        return f"expected a passphrase of at least {MIN_PASSPHRASE} characters, got a shorter one"
    return None


# Keys ----------------------------------------------------------------------------------


@dataclass
class Keyring:
    """Where each passphrase comes from: the environment first, then the keys file; the folder secret."""

    path: Path | None = None
    pairs: dict[str, str] = field(default_factory=dict, repr=False)
    review: str | None = field(default=None, repr=False)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    secret: bytes | None = field(default=None, repr=False)
    """The folder secret that names the pairs' sealed folders (see ``folder_name``)."""

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

    def taken(self, passphrase: str, pair_ids: Iterable[str], besides: str | None) -> bool:
        """Whether a site but ``besides`` (a pair of ``pair_ids``, or the reviewers) has this passphrase."""
        wanted = _secret(passphrase)
        others = [site for site in [None, *sorted(set(pair_ids) | set(self.pairs))] if site != besides]
        return any(_secret(found) == wanted for found in map(self.passphrase, others) if found is not None)


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


ENVIRONMENT = "environment"  # the path of a problem in environment variables


def _entry_name(pair_id: str | None) -> str:
    return f"{PAIRS_ENTRY}.{pair_id}" if pair_id else REVIEW_ENTRY


def read_keys(keys_file: Path | None, environ: Mapping[str, str], pair_ids: Collection[str],
              replacing: Collection[str | None] = ()) -> tuple[Keyring, list[Diagnostic]]:
    """The passphrases and the folder secret, and every problem with them; no message quotes a value.

    One passphrase for two sites is an error at the later entry (or naming the variables),
    unless one of the two is in ``replacing`` (a site whose passphrase is being rotated).
    """
    keyring = Keyring(keys_file, environ=dict(environ))
    diagnostics: list[Diagnostic] = []
    keys = KeysFile(readable=True)  # no file: everything comes from the environment
    shown = str(keys_file)
    if keys_file is not None:
        if not keys_file.exists():
            return keyring, [problem(shown, (1, 1), "no-keys-file", "the keys file does not exist")]
        try:
            raw = read_plain(keys_file)
        except OSError as error:
            why = f"the keys file cannot be read: {reason(error)}"
            return keyring, [problem(shown, (1, 1), "unreadable", why)]
        if keys_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            message = f"other users of this computer can read the keys file; run chmod 600 {shown}"
            diagnostics.append(problem(shown, (1, 1), "keys-readable", message, severity=Severity.WARNING))
        keys = parse_keys(raw, shown, pair_ids)
        diagnostics += keys.diagnostics
        if not keys.readable:
            return keyring, diagnostics
    keyring.review = keys.review.value if keys.review else None
    keyring.pairs = {pair_id: entry.value for pair_id, entry in keys.pairs.items()}
    diagnostics += _read_secret(keyring, keys, shown if keys_file else None)
    diagnostics += _shared_passphrases(keys, environ, pair_ids, shown, replacing)
    return keyring, diagnostics


def _read_secret(keyring: Keyring, keys: KeysFile, shown: str | None) -> list[Diagnostic]:
    """The folder secret into ``keyring``, from the environment first; its problems, or that there is none."""
    found: list[Diagnostic] = []
    if keys.secret is not None and shown is not None:
        why = folder_secret_problem(keys.secret.value)
        if why:
            found.append(problem(shown, keys.secret.position, "weak-secret",
                                 f"{why}; run mentorsite keys folder-secret --replace", SECRET_ENTRY))
        else:
            keyring.secret = bytes.fromhex(keys.secret.value.strip())
    from_environment = keyring.environ.get(SECRET_VARIABLE)
    if from_environment:
        why = folder_secret_problem(from_environment)
        keyring.secret = None if why else bytes.fromhex(from_environment.strip())
        return [*found, problem(ENVIRONMENT, (1, 1), "weak-secret", why, SECRET_VARIABLE)] if why else found
    if found or keyring.secret is not None or any(d.field == SECRET_ENTRY for d in keys.diagnostics):
        return found  # there is one (of the wrong kind, and that was said)
    if shown is None:
        message = f"expected a folder secret, got none; set {SECRET_VARIABLE} to {2 * SECRET_BYTES} random " \
                  "hexadecimal digits"
        return [problem(ENVIRONMENT, (1, 1), "no-folder-secret", message, SECRET_VARIABLE)]
    return [problem(shown, (1, 1), "no-folder-secret", f"expected a '{SECRET_ENTRY}' entry, got none; run "
                    "mentorsite keys folder-secret to add one (it names the encrypted folders)")]


def _shared_passphrases(keys: KeysFile, environ: Mapping[str, str], pair_ids: Collection[str], shown: str,
                        replacing: Collection[str | None]) -> list[Diagnostic]:
    """One passphrase for two sites: an error at the later entry (the file's first), never quoting it.

    The message does not name the other site: whoever reads a build log and holds one
    passphrase would learn which other site it opens.
    """
    candidates: list[tuple[str | None, str, tuple[int, int] | None]] = []
    for site in [None, *sorted(pair_ids)]:
        variable = passphrase_variable(site)
        entry = keys.review if site is None else keys.pairs.get(site)
        if environ.get(variable):
            candidates.append((site, environ[variable], None))
        elif entry is not None:
            candidates.append((site, entry.value, entry.position))
    candidates.sort(key=lambda candidate: (candidate[2] is None, candidate[2] or (0, 0)))
    first: dict[bytes, str | None] = {}
    found = []
    message = "expected a passphrase of its own, got one that another site has"
    for site, passphrase, position in candidates:
        earlier = first.setdefault(_secret(passphrase), site)
        if earlier == site or site in replacing or earlier in replacing:
            continue
        if position is None:
            found.append(problem(ENVIRONMENT, (1, 1), "shared-passphrase", f"{message}; set another one",
                                 passphrase_variable(site)))
        else:
            rotate = f"mentorsite keys rotate {site}" if site else "mentorsite keys rotate --review"
            found.append(problem(shown, position, "shared-passphrase", f"{message}; run {rotate}",
                                 _entry_name(site)))
    return found


def _keys_data(keys_file: Path) -> dict[str, object]:
    """What the keys file holds, as data to write it again; raises KeysError when it cannot be."""
    link = (f"the keys file ({keys_file}) is a symbolic link; it is written again as a new file, which would "
            "replace the link: set keys_file to the file it points to")
    if keys_file.is_symlink():
        raise KeysError(link)
    try:
        raw = read_plain(keys_file, os.O_NOFOLLOW)
    except FileNotFoundError:
        return {}
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise KeysError(link) from None
        raise KeysError(f"the keys file ({keys_file}) cannot be read: {reason(error)}") from None
    keys = parse_keys(raw, str(keys_file), None)
    errors = [d for d in keys.diagnostics if d.is_error and d.code != "empty-file"]
    if errors:
        raise KeysError(f"the keys file ({keys_file}) has {summarize(errors)}, so it is not written again; "
                        "mentorsite keys list shows them")
    data: dict[str, object] = {}
    if keys.secret is not None:
        data[SECRET_ENTRY] = keys.secret.value
    if keys.review is not None:
        data[REVIEW_ENTRY] = keys.review.value
    if keys.pairs:
        data[PAIRS_ENTRY] = {pair_id: entry.value for pair_id, entry in keys.pairs.items()}
    return data


def _write_keys(keys_file: Path, data: dict[str, object]) -> None:
    """Write the keys file through a new private file beside it, renamed into place.

    The scratch file is made by mkstemp: an unpredictable name, created only if nothing is
    there (no link is followed), readable by its owner only. The rename replaces whatever
    is at the keys file's path without following it.
    """
    text = ("# mentorsite passphrases and folder secret: keep this file private (chmod 600), out of git,\n"
            "# the content and the output. Written by `mentorsite keys`.\n")
    text += yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=1_000_000)
    descriptor, scratch = tempfile.mkstemp(prefix=".", suffix=".new", dir=keys_file.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(scratch).replace(keys_file)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def write_passphrase(keys_file: Path, pair_id: str | None, passphrase: str) -> None:
    """Set one passphrase in the keys file (mode 600), keeping its other entries; raises KeysError."""
    data = _keys_data(keys_file)
    if pair_id is None:
        data[REVIEW_ENTRY] = passphrase
    else:
        pairs = data.get(PAIRS_ENTRY)
        data[PAIRS_ENTRY] = {**(pairs if isinstance(pairs, dict) else {}), pair_id: passphrase}
    _write_keys(keys_file, data)


def write_folder_secret(keys_file: Path, secret: str) -> None:
    """Set the folder secret in the keys file (mode 600), keeping its other entries; raises KeysError."""
    data = _keys_data(keys_file)
    data[SECRET_ENTRY] = secret
    _write_keys(keys_file, data)


def has_folder_secret(keys_file: Path, environ: Mapping[str, str]) -> bool:
    """Whether the environment or the keys file names a folder secret (of any kind); raises KeysError."""
    return bool(environ.get(SECRET_VARIABLE)) or SECRET_ENTRY in _keys_data(keys_file)


def add_folder_secret(keys_file: Path, environ: Mapping[str, str]) -> bool:
    """Write a new folder secret when neither the environment nor the keys file has one; True if it did.

    A keys file that cannot be written again is left as it is (the build then says why).
    """
    try:
        if has_folder_secret(keys_file, environ):
            return False
        write_folder_secret(keys_file, new_folder_secret())
    except KeysError:
        return False
    return True


# Sealing -------------------------------------------------------------------------------


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
              sites: Collection[str] = ("",), iterations: int = ITERATIONS) -> int:
    """Encrypt the site in ``source`` into ``target``, swapped in whole; returns the files encrypted.

    ``plain`` names files that are not private, such as the theme's assets, relative to each
    site in ``sites`` (folders of ``source``, "" for itself, "name/" for one inside it). Those
    of the outer site are linked as they are; those of an inner site stand for the outer
    ones, so that no plain file is named after an inner site. ``shell`` is the unlock page,
    written as ``index.html``. Each file is sealed on its own (fresh nonce, its path as
    associated data); the sealed files are laid end to end in a random order and stored as
    equal chunks (see ``CHUNK_SIZE``); the index says where each one starts and how long it is.
    """
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
    return len(private)


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


def seal_portfolios(plan: SealPlan, pair_ids: list[str], *, jobs: int = 1, prune: bool = False) -> SealReport:
    """Seal each pair's edition into ``pairs/<folder>`` and the reviewer site into ``review``.

    Pairs are sealed by ``jobs`` threads (the key derivation runs outside Python's lock).
    With ``prune`` (a whole build), every sealed folder of no pair sealed now is removed,
    even while another pair is refused: a pair with no usable passphrase has no published
    folder, and a folder under a replaced passphrase goes (fail closed). So does the
    reviewer site's, when its passphrase is refused.
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
    if prune:
        report.removed = _withdraw_stale(encryption.target_dir, set(report.sealed.values()),
                                         review=report.review_problem is not None)
    return report


def _withdraw_stale(target_dir: Path, current: set[str], *, review: bool) -> list[str]:
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
