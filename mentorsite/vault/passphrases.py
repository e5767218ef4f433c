"""Passphrases and the names of sealed folders: where each passphrase comes from, how strong it is.

A passphrase comes from an environment variable (named after its site) or from the keys
file (``mentorsite.vault.keyring``); it is never written anywhere by this module, and no
message quotes one. A pair's sealed folder is named from its passphrase and the program's
folder secret, so that the name says nothing of the pair to whoever lacks either.
"""

from __future__ import annotations

import secrets
import unicodedata

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from mentorsite.vault.keyfile import MIN_PASSPHRASE

ITERATIONS = 600_000  # the least the key derivation may use (OWASP's figure for PBKDF2-HMAC-SHA256)
PAIR_VARIABLE = "MENTORSITE_PASSPHRASE_"  # + the pair id in capitals, '-' as '_'
REVIEW_VARIABLE = "MENTORSITE_REVIEW_PASSPHRASE"
SECRET_VARIABLE = "MENTORSITE_FOLDER_SECRET"
SECRET_BYTES = 32  # a new folder secret; one of at least 16 bytes (32 hexadecimal digits) is taken
_FOLDER_LABEL = b"mentorsite portfolio folder\x00"
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed without doubt


def passphrase_variable(pair_id: str | None) -> str:
    """The environment variable holding a pair's passphrase (for None, the reviewer site's)."""
    return PAIR_VARIABLE + pair_id.upper().replace("-", "_") if pair_id else REVIEW_VARIABLE


def passphrase_bytes(passphrase: str) -> bytes:
    """The bytes the key is derived from; the browser does the same (trim, NFC, UTF-8)."""
    return unicodedata.normalize("NFC", passphrase.strip()).encode("utf-8")


def derive_key(passphrase: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """A 256-bit key from a passphrase, with PBKDF2-HMAC-SHA256."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(passphrase_bytes(passphrase))


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
