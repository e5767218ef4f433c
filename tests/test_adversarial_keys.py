"""Issue 16, break 6 (keys): attacks on the keyring, each a test that failed on 4e3b703.

The folder secret is given in the environment (MENTORSITE_FOLDER_SECRET), and keys files
hold only `review` and `pairs`, so that every test also runs against the old code and
fails there for the reason it names, not for the new entry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorsite.vault.keyring import KeysError, read_keys, write_passphrase
from tests.test_encryption import ENCRYPTION, PASSPHRASES, REVIEW_PASSPHRASE, encrypted_program, run

SECRET = "ab" * 32
OTHER_SECRET = "cd" * 32
WITH_SECRET = {"MENTORSITE_FOLDER_SECRET": SECRET}
PAIR_IDS = {"ana-ben", "cy-dee"}
MARKER = "Qx7vK2mZ9wPj-marker"  # a passphrase in the wrong place; no message may hold any 5 of its characters


def keys_text(pairs: dict[str, str] = PASSPHRASES, review: str | None = REVIEW_PASSPHRASE) -> str:
    lines = [f"review: {json.dumps(review)}"] if review else []
    lines += ["pairs:", *(f"  {pair}: {json.dumps(phrase)}" for pair, phrase in pairs.items())]
    return "\n".join(lines) + "\n"


def problems_of(keys: Path, text: str | bytes, environ: dict[str, str] | None = None) -> list[str]:
    keys.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    keys.chmod(0o600)
    _, problems = read_keys(keys, {**WITH_SECRET, **(environ or {})}, PAIR_IDS)
    return [str(problem).replace(str(keys), "keys.yml") for problem in problems]


def leaks(text: str, secret: str = MARKER) -> list[str]:
    """Every piece of five characters of ``secret`` found in ``text``."""
    return [secret[i:i + 5] for i in range(len(secret) - 4) if secret[i:i + 5] in text]


def sealed_folders(folder: Path, sealed: str = "site/portfolios") -> set[str]:
    pairs = folder / sealed / "pairs"
    return {entry.name for entry in pairs.iterdir()} if pairs.is_dir() else set()


# 6a: one passphrase for two sites -------------------------------------------------------------


def test_one_passphrase_for_two_sites_is_refused_at_the_later_entry_without_quoting_it(tmp_path: Path) -> None:
    """Break 6a: the reviewers' passphrase equal to a pair's, or two pairs sharing one, was accepted silently.

    Compared as the key derivation sees them: trimmed, in NFC. From the file, the
    environment, or both. On 4e3b703 read_keys returned no problem for any of these.
    """
    keys = tmp_path / "keys.yml"
    composed = "café au lait for two"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    shared = keys_text({"ana-ben": PASSPHRASES["ana-ben"], "cy-dee": composed},
                       review=f"  {PASSPHRASES['ana-ben']} ") + f"  ana-bem: {json.dumps(decomposed)}\n"
    assert problems_of(keys, shared) == [
        "keys.yml:5:3: warning[unknown-pair] pairs: expected the id of a pair in the content, got another name; "
        "did you mean 'ana-ben'?",
        "keys.yml:3:12: error[shared-passphrase] pairs.ana-ben: expected a passphrase of its own, got one that "
        "another site has; run mentorsite keys rotate ana-ben",
    ]
    two_pairs = "pairs:\n  ana-ben: 'Jh4wQz8Lp2Xv-twice'\n  cy-dee: 'Jh4wQz8Lp2Xv-twice'\n"
    assert problems_of(keys, two_pairs) == [
        "keys.yml:3:11: error[shared-passphrase] pairs.cy-dee: expected a passphrase of its own, got one that "
        "another site has; run mentorsite keys rotate cy-dee"]
    nfc = f"review: {json.dumps(decomposed)}\npairs:\n  cy-dee: {json.dumps(composed)}\n"
    assert problems_of(keys, nfc) == [
        "keys.yml:3:11: error[shared-passphrase] pairs.cy-dee: expected a passphrase of its own, got one that "
        "another site has; run mentorsite keys rotate cy-dee"]
    from_environment = {"MENTORSITE_PASSPHRASE_CY_DEE": PASSPHRASES["ana-ben"]}
    assert problems_of(keys, keys_text(), from_environment) == [
        "environment:1:1: error[shared-passphrase] MENTORSITE_PASSPHRASE_CY_DEE: expected a passphrase of its own, "
        "got one that another site has; set another one"]
    both = {"MENTORSITE_PASSPHRASE_ANA_BEN": "set twice in the environment",
            "MENTORSITE_REVIEW_PASSPHRASE": "set twice in the environment"}
    assert problems_of(keys, keys_text(), both) == [
        "environment:1:1: error[shared-passphrase] MENTORSITE_PASSPHRASE_ANA_BEN: expected a passphrase of its own, "
        "got one that another site has; set another one"]
    # The build stops before the site is touched, and says so without the passphrase.
    reviewed = f"review: {json.dumps(REVIEW_PASSPHRASE)}\n{two_pairs}"
    _, folder = encrypted_program(tmp_path / "build", keys=reviewed)
    result = run(folder, "build", **WITH_SECRET)
    assert result.returncode == 1
    assert "keys.yml:4:11: error[shared-passphrase] pairs.cy-dee: expected a passphrase of its own" in result.stderr
    assert "1 error and 0 warnings in the keys file; the site was not built" in result.stderr
    assert not leaks(result.stdout + result.stderr, "Jh4wQz8Lp2Xv-twice")
    assert not (folder / "site").exists()


# 6b: the folder name ---------------------------------------------------------------------------


def expected_folder(passphrase: str, pair_id: str, secret: str, iterations: int) -> str:
    """The folder name as the README defines it, computed here with the cryptography package alone."""
    salt = bytes.fromhex(secret) + b"\x00" + pair_id.encode()
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(
        unicodedata.normalize("NFC", passphrase.strip()).encode())
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(b"mentorsite portfolio folder\x00" + pair_id.encode())
    return mac.finalize()[:16].hex()


def test_the_folder_name_needs_the_folder_secret_and_costs_the_vaults_iterations(tmp_path: Path) -> None:
    """Break 6b: the folder name was PBKDF2 of the passphrase with a fixed salt per pair id and 600,000 iterations.

    So anyone knowing a pair id could test guesses against the published folder name before
    and after publication, and raising `iterations` did not slow that down. Now the name
    depends on a secret that is never published and on the configured iterations. On
    4e3b703 two programs with different secrets and iterations got the same folder names.
    """
    _, folder = encrypted_program(tmp_path)
    first = run(folder, "build", **WITH_SECRET)
    assert first.returncode == 0, first.stderr
    under_first = sealed_folders(folder)
    second = run(folder, "build", MENTORSITE_FOLDER_SECRET=OTHER_SECRET)
    assert second.returncode == 0, second.stderr
    under_second = sealed_folders(folder)
    assert len(under_first) == len(under_second) == 2 and not under_first & under_second
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text().replace("keys_file: ../keys.yml", "keys_file: ../keys.yml\n"
                                                 "        iterations: 650000"))
    third = run(folder, "build", MENTORSITE_FOLDER_SECRET=OTHER_SECRET)
    assert third.returncode == 0, third.stderr
    assert sealed_folders(folder) == {expected_folder(phrase, pair, OTHER_SECRET, 650_000)
                                      for pair, phrase in PASSPHRASES.items()}
    assert not sealed_folders(folder) & under_second
    # The secret is in no published byte, file name or log.
    published = b"".join(p.read_bytes() + p.name.encode() for p in (folder / "site").rglob("*") if p.is_file())
    assert OTHER_SECRET.encode() not in published and bytes.fromhex(OTHER_SECRET) not in published
    assert OTHER_SECRET not in first.stderr + second.stderr + third.stderr


# 6c: no message quotes a value of the keys file ---------------------------------------------------


M = MARKER
MALFORMED: dict[str, tuple[str | bytes, list[str]]] = {
    "alias": (f"review: *{M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got an alias"]),
    "alias as an entry name": (f"*{M} : x\n", [
        "keys.yml:1:1: error[wrong-type] expected an entry name as text, got an alias"]),
    "tag": (f"review: !{M} other-long-text\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a tagged value"]),
    "tag alone": (f"review: !{M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a tagged value"]),
    "standard tag": (f"review: !!str {M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a tagged value"]),
    "anchor with nothing after": (f"review: &{M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got an anchor"]),
    "anchor before a value": (f"review: &anchor {M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got an anchor"]),
    "anchor and alias": (f"review: &a {M}\npairs:\n  ana-ben: *a\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got an anchor",
        "keys.yml:3:12: error[wrong-type] pairs.ana-ben: expected the passphrase as text, got an alias"]),
    "comment leaves the value empty": (f"review: # {M}\n", [
        "keys.yml:1:8: error[wrong-type] review: expected the passphrase as text, got nothing"]),
    "null": ("review: ~\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got nothing"]),
    "empty quotes": ("pairs:\n  cy-dee: ''\n", [
        "keys.yml:2:11: error[wrong-type] pairs.cy-dee: expected the passphrase as text, got nothing"]),
    "only spaces": ("review: '      '\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got nothing"]),
    "literal block": (f"review: |\n  {M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a block scalar"]),
    "folded block": (f"review: >-\n  {M}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a block scalar"]),
    "flow list": (f"review: [{M}, other]\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a list"]),
    "flow mapping": (f"review: {{{M}: 1}}\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a mapping"]),
    "passphrase as an entry name": (f"{M}: x\n", [
        "keys.yml:1:1: error[unknown-key] expected an entry 'folder_secret', 'pairs' or 'review', got another name"]),
    "passphrase as an entry name alone": (f"{M}:\n", [
        "keys.yml:1:1: error[unknown-key] expected an entry 'folder_secret', 'pairs' or 'review', got another name"]),
    "passphrase as the whole file": (f"{M}\n", [
        "keys.yml:1:1: error[wrong-type] expected a mapping with the entries 'folder_secret', 'pairs' and 'review', "
        "got text"]),
    "passphrase as a pair id": (f"pairs:\n  {M}: another long passphrase\n", [
        "keys.yml:2:3: warning[unknown-pair] pairs: expected the id of a pair in the content, got another name "
        "(known: ana-ben, cy-dee)"]),
    "passphrase as a pair id in a flow mapping": (f"pairs: {{{M}}}\n", [
        "keys.yml:1:9: warning[unknown-pair] pairs: expected the id of a pair in the content, got another name "
        "(known: ana-ben, cy-dee)",
        "keys.yml:1:28: error[wrong-type] pairs: expected the passphrase as text, got nothing"]),
    "passphrase in place of the pairs": (f"pairs: {M}\n", [
        "keys.yml:1:8: error[wrong-type] pairs: expected a mapping of pair id to passphrase, got text"]),
    "a list of pairs": (f"pairs:\n  - {M}\n", [
        "keys.yml:2:3: error[wrong-type] pairs: expected a mapping of pair id to passphrase, got a list"]),
    "number": ("review: 123456789012345\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a number"]),
    "float": ("review: 1234567.89012\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a number"]),
    "date": ("review: 2026-11-21\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a date"]),
    "boolean": ("review: yes\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got true or false"]),
    "entry twice": (f"review: {M}\nreview: {M}2\n", [
        "keys.yml:2:1: error[duplicate-key] review: expected each entry once, got this one again (first on line 1)"]),
    "pair twice": (f"pairs:\n  ana-ben: {M}\n  ana-ben: {M}2\n", [
        "keys.yml:3:3: error[duplicate-key] pairs.ana-ben: expected each entry once, got this one again (first on "
        "line 2)"]),
    "unclosed quote": (f'review: "{M}\n', [
        "keys.yml:2:1: error[yaml-syntax] expected YAML, got the end of the file inside quotes or brackets"]),
    "colon in a value": (f"review: {M}: more\n", [
        "keys.yml:1:28: error[yaml-syntax] expected YAML, got ': ' inside a value (put the value in quotes)"]),
    "unknown escape": (f'review: "\\q{M}"\n', [
        "keys.yml:1:11: error[yaml-syntax] expected YAML, got an unknown escape in double quotes (use single "
        "quotes)"]),
    "tab": (f"pairs:\n\tana-ben: {M}\n", [
        "keys.yml:2:1: error[yaml-syntax] expected YAML, got a tab (indent with spaces)"]),
    "two documents": (f"review: {M}\n---\nreview: {M}\n", [
        "keys.yml:2:1: error[yaml-syntax] expected one YAML document, got several"]),
    "bytes that are not UTF-8": (b"review: \xff\xfe" + M.encode() + b"\n", [
        "keys.yml:1:9: error[not-utf8] expected UTF-8 text, got bytes that are not; save the file as UTF-8"]),
    "UTF-16": (f"review: {M}\n".encode("utf-16"), [
        "keys.yml:1:1: error[not-utf8] expected UTF-8 text, got bytes that are not; save the file as UTF-8"]),
    "control character": (f"review: {M}\x07\n", [
        "keys.yml:1:28: error[bad-character] expected text, got a control character"]),
    "NUL byte": (f"review: {M}\x00\n", [
        "keys.yml:1:28: error[bad-character] expected text, got a control character"]),
    "list as an entry name": (f"? [{M}]\n: x\n", [
        "keys.yml:1:3: error[wrong-type] expected an entry name as text, got a list"]),
    "too short": ("review: short\n", [
        "keys.yml:1:9: error[weak-passphrase] review: expected a passphrase of at least 12 characters, got a "
        "shorter one"]),
    "empty file": ("", [
        "keys.yml:1:1: error[empty-file] expected a mapping with the entries 'folder_secret', 'pairs' and 'review', "
        "got nothing"]),
    "only a comment": (f"# {M}\n", [
        "keys.yml:1:1: error[empty-file] expected a mapping with the entries 'folder_secret', 'pairs' and 'review', "
        "got nothing"]),
    "pairs with nothing": ("pairs:\n", [
        "keys.yml:1:7: error[wrong-type] pairs: expected a mapping of pair id to passphrase, got nothing"]),
    "folder secret that is not hexadecimal": (f"folder_secret: {M}\n", [
        "keys.yml:1:16: error[weak-secret] folder_secret: expected the folder secret as at least 32 hexadecimal "
        "digits, got something else; run mentorsite keys folder-secret --replace"]),
    "lists nested 1,200 deep": ("review: " + "[" * 1_200 + "]" * 1_200 + "\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got a list"]),
    "merge key": ("review: &a\n  x: 1\npairs:\n  <<: *a\n", [
        "keys.yml:1:9: error[wrong-type] review: expected the passphrase as text, got an anchor",
        "keys.yml:4:3: error[wrong-type] pairs: expected a pair id as text, got a special value"]),
}


def test_no_message_about_a_malformed_keys_file_quotes_any_of_its_values(tmp_path: Path) -> None:
    """Break 6c: 5 of 18 malformed keys files quoted the passphrase; `&value` became null with no message.

    46 shapes; each gives at least one problem, every message is from the fixed vocabulary
    (pinned here), and none holds five characters in a row of the marker passphrase. On
    4e3b703 `!marker`, `*marker`, a marker as an entry name or a pair id were quoted,
    `&marker` and a comment gave no problem at all, and no text matched.
    """
    keys = tmp_path / "keys.yml"
    found = {name: problems_of(keys, text) for name, (text, _) in MALFORMED.items()}
    assert len(found) >= 25
    assert {name: leaks("\n".join(lines)) for name, lines in found.items() if leaks("\n".join(lines))} == {}
    assert [name for name, lines in found.items() if not lines] == []
    assert found == {name: expected for name, (_, expected) in MALFORMED.items()}


def test_the_command_line_quotes_no_value_of_a_malformed_keys_file(tmp_path: Path) -> None:
    """Break 6c, through `mentorsite build`: its standard error holds no piece of the passphrase.

    On 4e3b703 the tag and the passphrase written as a pair id were quoted in the log.
    """
    for number, name in enumerate(["tag", "alias", "passphrase as a pair id", "unknown escape"]):
        text = MALFORMED[name][0]
        _, folder = encrypted_program(tmp_path / str(number), keys=text if isinstance(text, str) else "")
        result = run(folder, "build", "--strict", **WITH_SECRET)
        assert result.returncode == 1, name
        assert "the site was not built" in result.stderr, name
        assert not leaks(result.stdout + result.stderr), (name, result.stderr)


FRAGMENTS = [f"{M}", f"!{M}", f"*{M}", f"&{M}", f"'{M}'", f'"{M}"', f"{M}:", f"[{M}", f"{{{M}", f"# {M}",
             f"|\n  {M}", f">\n  {M}", "review: ", "pairs:\n  ", "ana-ben: ", "folder_secret: ", "- ", ": ", "\n",
             "  ", "\t", "---\n", "?", "%", "@", "`", "\\", '"\\x', "\x00", "\x07", "\ufeff", "é"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=12),
       st.binary(max_size=3), st.booleans())
def test_no_random_keys_file_gets_a_piece_of_its_passphrase_into_a_message(pieces: list[str], noise: bytes,
                                                                         noise_first: bool) -> None:
    """Break 6c, as a property: random keys files around a marker passphrase; no message holds any of it."""
    text = "".join(pieces).encode("utf-8", "surrogatepass")
    raw = noise + text if noise_first else text + noise
    with tempfile.TemporaryDirectory() as folder:
        keys = Path(folder) / "keys.yml"
        keys.write_bytes(raw)
        keys.chmod(0o600)
        keyring, problems = read_keys(keys, WITH_SECRET, PAIR_IDS)
    shown = "\n".join(str(problem) for problem in problems) + repr(keyring)
    assert not leaks(shown), (raw, shown)


# 6d: rotation writes through a fresh private file ---------------------------------------------------


def test_rotation_writes_through_a_fresh_private_file_whatever_links_are_planted(tmp_path: Path) -> None:
    """Break 6d: `keys rotate` wrote its scratch file as `.<keys>.<pid>.new` without O_EXCL.

    A link planted there by another user of the folder received every passphrase, and was
    then renamed over the keys file. Links are planted at every predictable name; none is
    followed. On 4e3b703 the attacker's file received the passphrases and the keys file
    became a link to it.
    """
    folder = tmp_path / "keys"
    folder.mkdir()
    keys = folder / "keys.yml"
    keys.write_text(keys_text())
    keys.chmod(0o600)
    attacker = tmp_path / "attacker.invalid"
    attacker.mkdir()
    names = [f".keys.yml.{os.getpid()}.new", ".keys.yml.new", "keys.yml.new", ".keys.yml.tmp", "keys.yml.tmp",
             "keys.yml~", ".keys.yml.swp", "keys.yml.bak", ".keys.yml"]
    for number, name in enumerate(names):
        (folder / name).symlink_to(attacker / f"loot-{number}")
    write_passphrase(keys, "cy-dee", "a new passphrase after a leak")
    assert list(attacker.iterdir()) == []
    assert not keys.is_symlink() and keys.is_file()
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "keys.yml"])
    assert all((folder / name).is_symlink() for name in names)
    keyring, _ = read_keys(keys, WITH_SECRET, PAIR_IDS)
    assert keyring.passphrase("cy-dee") == "a new passphrase after a leak"
    assert keyring.passphrase("ana-ben") == PASSPHRASES["ana-ben"] and keyring.passphrase(None) == REVIEW_PASSPHRASE


def test_rotation_refuses_a_keys_file_that_is_a_symbolic_link(tmp_path: Path) -> None:
    """Break 6d: the keys file itself a link. Reading follows it; writing would replace the link, so it is refused.

    On 4e3b703 the link was silently replaced by a new regular file, leaving the file it
    pointed to with the old (leaked) passphrases.
    """
    real = tmp_path / "vault-keys.yml"
    real.write_text(keys_text())
    real.chmod(0o600)
    before = real.read_bytes()
    link = tmp_path / "keys.yml"
    link.symlink_to(real)
    with pytest.raises(KeysError) as refused:
        write_passphrase(link, "cy-dee", "a new passphrase after a leak")
    assert str(refused.value) == (f"the keys file ({link}) is a symbolic link; it is written again as a new file, "
                                  "which would replace the link: set keys_file to the file it points to")
    assert link.is_symlink() and real.read_bytes() == before
    _, folder = encrypted_program(tmp_path / "program", keys=keys_text())
    (tmp_path / "program" / "keys.yml").unlink()
    (tmp_path / "program" / "keys.yml").symlink_to(real)
    result = run(folder, "keys", "rotate", "cy-dee", **WITH_SECRET)
    assert result.returncode == 1
    assert "is a symbolic link; it is written again as a new file" in result.stderr
    assert (tmp_path / "program" / "keys.yml").is_symlink() and real.read_bytes() == before


# 6e: pruning fails closed -------------------------------------------------------------------------


def test_a_whole_build_withdraws_every_stale_folder_even_while_a_pair_is_refused(tmp_path: Path) -> None:
    """Break 6e: when one pair could not be sealed, pruning was skipped.

    The sealed output is outside `site_dir` (which MkDocs empties on each build). After a
    leak, ana-ben's passphrase is replaced by hand, while cy-dee (and the reviewers) have
    none: the folder under ana-ben's leaked passphrase must not stay published, and neither
    may cy-dee's or the reviewer site's, whose passphrases are gone. On 4e3b703 all three
    old folders stayed.
    """
    _, folder = encrypted_program(tmp_path, options=ENCRYPTION + "  output_dir: sealed\n")
    assert run(folder, "build", **WITH_SECRET).returncode == 0
    before = sealed_folders(folder, "sealed")
    assert len(before) == 2 and (folder / "sealed/review").is_dir()
    (tmp_path / "keys.yml").write_text(keys_text({"ana-ben": "ana and ben, after the leak"}, review=None))
    result = run(folder, "build", **WITH_SECRET)
    assert result.returncode == 1
    assert "pair cy-dee: not encrypted: no passphrase" in result.stderr
    after = sealed_folders(folder, "sealed")
    assert len(after) == 1 and not after & before
    assert not (folder / "sealed/review").exists()
    assert "removed 3 encrypted folders of no current passphrase" in result.stderr


def test_rotating_withdraws_the_replaced_folder_even_when_nothing_can_be_sealed_again(tmp_path: Path) -> None:
    """Break 6e, through `keys rotate`: the old folder was removed only once a new one existed.

    cy-dee's records now have an error and its plain portfolio is gone, so nothing can be
    sealed under the new passphrase; the folder under the replaced one must go anyway (the
    pair then has no published folder: fail closed). On 4e3b703 it stayed published.
    """
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build", **WITH_SECRET).returncode == 0
    before = sealed_folders(folder)
    listing = run(folder, "keys", "list", **WITH_SECRET).stdout
    old = next(name for name in before if f"pairs/{name}" in next(line for line in listing.splitlines()
                                                                   if line.startswith("cy-dee")))
    session = next((folder / "content/pairs/cy-dee/sessions").glob("*.md"))
    session.write_text(session.read_text().replace("minutes: 45", "minutes: many"))
    shutil.rmtree(folder / "site-private/pairs/cy-dee")
    result = run(folder, "keys", "rotate", "cy-dee", **WITH_SECRET)
    assert result.returncode == 1
    assert old not in sealed_folders(folder)
    assert sealed_folders(folder) == before - {old}
    assert "removed the encrypted folder sealed under the replaced passphrase" in result.stderr
