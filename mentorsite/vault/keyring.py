"""The keyring: every site's passphrase and the folder secret, from the environment and the keys file.

The keys file is kept outside the content and the output, and out of git; it is read
(``mentorsite.vault.keyfile`` words its problems) and written again whole, through a new
private file renamed into place. No message quotes a passphrase or the secret.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mentorsite.files.failures import read_plain, reason
from mentorsite.model.diagnostics import Diagnostic, Severity, summarize
from mentorsite.reading.problems import problem
from mentorsite.vault.keyfile import PAIRS_ENTRY, REVIEW_ENTRY, SECRET_ENTRY, KeysFile, parse_keys
from mentorsite.vault.passphrases import (
    SECRET_BYTES,
    SECRET_VARIABLE,
    folder_secret_problem,
    new_folder_secret,
    passphrase_bytes,
    passphrase_problem,
    passphrase_variable,
)

KEYS_FILE_VARIABLE = "MENTORSITE_KEYS_FILE"


ENVIRONMENT = "environment"  # the path of a problem in environment variables


class KeysError(Exception):
    """The keys file cannot be used (where it is, or what it holds)."""


@dataclass
class Keyring:
    """Where each passphrase comes from: the environment first, then the keys file; the folder secret."""

    path: Path | None = None
    pairs: dict[str, str] = field(default_factory=dict, repr=False)
    review: str | None = field(default=None, repr=False)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    secret: bytes | None = field(default=None, repr=False)
    """The folder secret that names the pairs' sealed folders (see ``passphrases.folder_name``)."""

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
        wanted = passphrase_bytes(passphrase)
        others = [site for site in [None, *sorted(set(pair_ids) | set(self.pairs))] if site != besides]
        found = (self.passphrase(other) for other in others)
        return any(passphrase_bytes(each) == wanted for each in found if each is not None)


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
        earlier = first.setdefault(passphrase_bytes(passphrase), site)
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
