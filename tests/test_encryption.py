"""Encrypted portfolios: nothing readable without the passphrase, keys kept out of every output.

The canary program (every pair text a unique marker, markers also in goal ids and session
file names) is built with encryption on; every byte and every file name of the output is
searched for every marker, the pair ids and the passphrases.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mentorsite.vault.keyring import read_keys
from mentorsite.vault.passphrases import ITERATIONS, derive_key, folder_name, passphrase_variable
from mentorsite.vault.sealing import WrongPassphraseError, open_site, seal_site
from tests.canary import CanaryProgram, canary_program
from tests.programs import write_files

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
PASSPHRASES = {"ana-ben": "ana and ben keep this", "cy-dee": "cy-dee-passphrase-1"}
REVIEW_PASSPHRASE = "the reviewers' own passphrase"
FOLDER_SECRET = "5eed" * 16  # the folder_secret entry of the keys file (64 hexadecimal digits)
ENCRYPTION = """\
encryption:
  enabled: true
  keys_file: ../keys.yml
"""


def folder_of(passphrase: str, pair_id: str, secret: str = FOLDER_SECRET) -> str:
    """The folder a pair's portfolio is sealed in, under the keys file's folder secret."""
    return folder_name(passphrase, pair_id, bytes.fromhex(secret))


def keys_yaml(pairs: dict[str, str] = PASSPHRASES, review: str | None = REVIEW_PASSPHRASE,
              secret: str | None = FOLDER_SECRET) -> str:
    lines = [f"folder_secret: '{secret}'"] if secret else []
    lines += [f"review: {json.dumps(review)}"] if review else []
    lines += ["pairs:", *(f"  {pair}: {json.dumps(phrase)}" for pair, phrase in pairs.items())]
    return "\n".join(lines) + "\n"


def encrypted_program(root: Path, options: str = ENCRYPTION, features: tuple[str, ...] = (),
                      keys: str | None = None) -> tuple[CanaryProgram, Path]:
    """The canary program in ``root/program``, its keys file in ``root/keys.yml``."""
    program = canary_program()
    files = dict(program.files)
    indented = "".join(f"      {line}\n" for line in options.splitlines())
    files["mkdocs.yml"] = files["mkdocs.yml"].replace("  - mentorsite\n", f"  - mentorsite:\n{indented}")
    if features:
        listed = "".join(f"    - {feature}\n" for feature in features)
        files["mkdocs.yml"] = files["mkdocs.yml"].replace("  name: material\n",
                                                          f"  name: material\n  features:\n{listed}")
    folder = write_files(root / "program", files)
    keys_file = root / "keys.yml"
    keys_file.write_text(keys if keys is not None else keys_yaml(), encoding="utf-8")
    keys_file.chmod(0o600)
    return program, folder


def run(folder: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=folder,
                          env={**ENV, **variables}, capture_output=True, text=True, check=False)


@dataclass
class Built:
    program: CanaryProgram
    folder: Path
    log: str

    @property
    def sealed(self) -> Path:
        return self.folder / "site" / "portfolios"

    def pair_folder(self, pair_id: str) -> Path:
        return self.sealed / "pairs" / folder_of(PASSPHRASES[pair_id], pair_id)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    program, folder = encrypted_program(tmp_path_factory.mktemp("encrypted"))
    result = run(folder, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return Built(program, folder, result.stdout + result.stderr)


def every_byte(folder: Path) -> list[tuple[str, bytes]]:
    """(path, content) of every file; gzip files also unpacked, so nothing hides compressed."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found.append((path.relative_to(folder).as_posix(), data))
        if data[:2] == b"\x1f\x8b":
            found.append((f"{path.relative_to(folder).as_posix()} (unpacked)", gzip.decompress(data)))
    return found


def test_no_marker_pair_id_or_name_is_in_any_byte_or_file_name_of_the_encrypted_output(built: Built) -> None:
    secrets = [m.text for m in built.program.markers] + ["ana-ben", "cy-dee", "ana_ben", "cy_dee"]
    files = every_byte(built.sealed)
    assert len(files) > 50 and any("_vault" in path for path, _ in files)
    for path, data in files:
        for secret in secrets:
            assert secret not in path, f"{secret} names {path}"
            assert secret.encode() not in data, f"{secret} is readable in {path}"
    # and the site around it holds nothing of any pair either
    for path, data in every_byte(built.folder / "site"):
        assert not re.search(rb"cnry\d{4}x", data), path


def test_the_passphrase_opens_everything_the_pair_edition_holds(built: Built) -> None:
    plain_site = built.folder / "site-private" / "pairs" / "ana-ben"
    opened = open_site(built.pair_folder("ana-ben"), PASSPHRASES["ana-ben"])
    pages = {p.relative_to(plain_site).as_posix() for p in plain_site.rglob("*")
             if p.is_file() and "assets/" not in p.relative_to(plain_site).as_posix()}
    assert pages <= set(opened), pages - set(opened)
    assert "search/search_index.json" in opened
    for path in pages:
        assert opened[path] == (plain_site / path).read_bytes(), path
    shown = b"".join(opened.values())
    pair_markers = [m.text for m in built.program.markers if m.pair == "ana-ben"]
    assert all(marker.encode() in shown for marker in pair_markers)


def test_the_reviewer_site_opens_with_its_own_passphrase_and_holds_only_shared_records(built: Built) -> None:
    opened = open_site(built.sealed / "review", REVIEW_PASSPHRASE)
    assert {"index.html", "ana-ben/index.html", "cy-dee/summary.json"} <= set(opened)
    shown = b"".join(opened.values())
    for marker in built.program.markers:
        assert (marker.text.encode() in shown) == (marker.visibility == "review"), marker
    with pytest.raises(WrongPassphraseError):
        open_site(built.sealed / "review", PASSPHRASES["ana-ben"])
    with pytest.raises(WrongPassphraseError):
        open_site(built.pair_folder("ana-ben"), REVIEW_PASSPHRASE)


def test_each_site_has_its_own_random_salt_and_every_item_its_own_nonce(built: Built) -> None:
    vaults = [json.loads((site / "_vault" / "vault.json").read_text())
              for site in [built.pair_folder("ana-ben"), built.pair_folder("cy-dee"), built.sealed / "review"]]
    assert all(v["kdf"] == {**v["kdf"], "name": "PBKDF2", "hash": "SHA-256"} for v in vaults)
    assert all(v["kdf"]["iterations"] >= ITERATIONS == 600_000 for v in vaults)
    assert len({v["kdf"]["salt"] for v in vaults}) == 3
    sites = [(built.pair_folder(pair), phrase) for pair, phrase in PASSPHRASES.items()]
    nonces = [sealed[:12] for site, phrase in [*sites, (built.sealed / "review", REVIEW_PASSPHRASE)]
              for sealed in sealed_files(site, phrase).values()]
    assert len(nonces) > 30 and len(set(nonces)) == len(nonces)


def sealed_files(site: Path, passphrase: str) -> dict[str, bytes]:
    """Each encrypted file of a sealed site as it is stored (nonce, ciphertext, tag), found by its index."""
    vault = json.loads((site / "_vault" / "vault.json").read_text())
    key = derive_key(passphrase, base64.b64decode(vault["kdf"]["salt"]), vault["kdf"]["iterations"])
    sealed = base64.b64decode(vault["index"])
    listing = json.loads(AESGCM(key).decrypt(sealed[:12], sealed[12:], b"\x00index"))
    stream = b"".join((site / "_vault" / name).read_bytes() for name in listing["chunks"])
    return {path: stream[entry["at"]:entry["at"] + entry["size"]]
            for path, entry in listing["files"].items() if "at" in entry}


def test_sealing_again_gives_a_new_salt_and_new_ciphertext(built: Built, tmp_path: Path) -> None:
    source = built.folder / "site-private" / "pairs" / "cy-dee"
    first, second = tmp_path / "first", tmp_path / "second"
    for target in (first, second):
        seal_site(source, target, "a long enough passphrase", shell="<p>locked</p>")
    salts = [json.loads((t / "_vault" / "vault.json").read_text())["kdf"]["salt"] for t in (first, second)]
    assert salts[0] != salts[1]
    assert open_site(first, "a long enough passphrase") == open_site(second, "a long enough passphrase")


def test_a_file_moved_to_another_path_is_refused(built: Built, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built.pair_folder("cy-dee"), copy)
    vault = json.loads((copy / "_vault" / "vault.json").read_text())
    assert vault["cipher"] == "AES-256-GCM"
    blobs = sorted((copy / "_vault").glob("*.bin"))
    first, second = blobs[0].read_bytes(), blobs[1].read_bytes()
    blobs[0].write_bytes(second)
    blobs[1].write_bytes(first)
    with pytest.raises(InvalidTag):
        open_site(copy, PASSPHRASES["cy-dee"])


def test_passphrases_are_in_no_output_log_or_cache(built: Built) -> None:
    phrases = [*PASSPHRASES.values(), REVIEW_PASSPHRASE]
    for path, data in every_byte(built.folder):
        for phrase in phrases:
            assert phrase.encode() not in data, f"a passphrase is written in {path}"
    for phrase in phrases:
        assert phrase not in built.log
    listing = run(built.folder, "keys", "list")
    assert listing.returncode == 0, listing.stderr
    for phrase in phrases:
        assert phrase not in listing.stdout + listing.stderr
    folder = folder_of(PASSPHRASES["ana-ben"], "ana-ben")
    assert re.search(rf"^ana-ben +site/portfolios/pairs/{folder}  \[passphrase: keys file \(", listing.stdout,
                     re.MULTILINE)
    assert "(reviewers)  site/portfolios/review  [passphrase: keys file" in listing.stdout


def test_the_unlock_page_names_nobody_and_allows_only_its_own_files(built: Built) -> None:
    shell = (built.pair_folder("ana-ben") / "index.html").read_text()
    assert "Private portfolio" in shell and "passphrase" in shell
    assert "script-src 'self'" in shell and "default-src 'none'" in shell
    assert shell == (built.pair_folder("cy-dee") / "index.html").read_text()


# Keys: where they come from and where they may not be ------------------------------------


def test_an_environment_variable_overrides_the_keys_file(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    chosen = "from the environment, long"
    result = run(folder, "build", **{passphrase_variable("cy-dee"): chosen})
    assert result.returncode == 0, result.stderr
    sealed = folder / "site" / "portfolios" / "pairs" / folder_of(chosen, "cy-dee")
    assert "index.html" in open_site(sealed, chosen)
    listing = run(folder, "keys", "list", **{passphrase_variable("cy-dee"): chosen})
    assert "[passphrase: environment (MENTORSITE_PASSPHRASE_CY_DEE)]" in listing.stdout


def test_a_pair_without_a_passphrase_is_not_published_and_the_build_fails(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, keys=keys_yaml({"ana-ben": PASSPHRASES["ana-ben"]}))
    result = run(folder, "build")
    assert result.returncode == 1
    assert ("pair cy-dee: not encrypted: no passphrase: set MENTORSITE_PASSPHRASE_CY_DEE, or add "
            "'pairs: {cy-dee: ...}' to the keys file") in result.stderr
    assert "not encrypted (see above): cy-dee" in result.stderr
    pairs = sorted((folder / "site" / "portfolios" / "pairs").iterdir())
    assert [p.name for p in pairs] == [folder_of(PASSPHRASES["ana-ben"], "ana-ben")]


@pytest.mark.parametrize("place", ["program/content/keys.yml", "program/site/keys.yml",
                                   "program/site-private/keys.yml", "program/content/handbook/keys.yml"])
def test_a_keys_file_inside_the_content_or_the_output_is_refused(tmp_path: Path, place: str) -> None:
    relative = place.removeprefix("program/")
    _, folder = encrypted_program(tmp_path, options=ENCRYPTION.replace("../keys.yml", relative))
    (tmp_path / place).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / place).write_text(keys_yaml())
    result = run(folder, "build")
    assert result.returncode == 1
    assert f"the keys file ({tmp_path / place}) is inside" in result.stderr
    assert "keep it outside the content and the output" in result.stderr
    assert not (folder / "site" / "index.html").exists()


def test_a_keys_file_tracked_by_git_is_refused(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, options=ENCRYPTION.replace("../keys.yml", "keys.yml"))
    (folder / "keys.yml").write_text(keys_yaml())
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "keys.yml"], cwd=folder, check=True)
    result = run(folder, "build")
    assert result.returncode == 1
    assert "is tracked by git; anyone with the repository could read the passphrases" in result.stderr


def test_every_problem_of_a_keys_file_is_reported_with_its_place_and_no_passphrase(tmp_path: Path) -> None:
    keys = tmp_path / "keys.yml"
    keys.write_text('reveiw: "the reviewers phrase"\npairs:\n  ana-ben: short-one\n  cy-dee: [1, 2]\n'
                    '  ana-bem: "a long passphrase for a typo"\n')
    keys.chmod(0o644)
    _, problems = read_keys(keys, {}, {"ana-ben", "cy-dee"})
    shown = [str(p).replace(str(keys), "keys.yml") for p in problems]
    assert shown == [
        "keys.yml:1:1: warning[keys-readable] other users of this computer can read the keys file; run "
        f"chmod 600 {keys}".replace(str(keys), "keys.yml"),
        "keys.yml:1:1: error[unknown-key] expected an entry 'folder_secret', 'pairs' or 'review', got another "
        "name; did you mean 'review'?",
        "keys.yml:3:12: error[weak-passphrase] pairs.ana-ben: expected a passphrase of at least 12 characters, "
        "got a shorter one",
        "keys.yml:4:11: error[wrong-type] pairs.cy-dee: expected the passphrase as text, got a list",
        "keys.yml:5:3: warning[unknown-pair] pairs: expected the id of a pair in the content, got another name; "
        "did you mean 'ana-ben'?",
        "keys.yml:1:1: error[no-folder-secret] expected a 'folder_secret' entry, got none; run mentorsite keys "
        "folder-secret to add one (it names the encrypted folders)",
    ]
    assert not any("short-one" in line or "reviewers phrase" in line for line in shown)


def test_a_keys_file_that_is_only_a_passphrase_is_not_quoted(tmp_path: Path) -> None:
    keys = tmp_path / "keys.yml"
    keys.write_text("just-a-secret-passphrase\n")
    keys.chmod(0o600)
    _, problems = read_keys(keys, {}, set())
    assert [p.code for p in problems] == ["wrong-type"]
    assert "just-a-secret" not in str(problems[0])


def test_a_build_with_keys_file_errors_stops_before_the_site_is_touched(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, keys=f"folder_secret: '{FOLDER_SECRET}'\npairs:\n  ana-ben: tiny\n")
    result = run(folder, "build")
    assert result.returncode == 1
    assert "keys.yml:3:12: error[weak-passphrase] pairs.ana-ben" in result.stderr
    assert "1 error and 0 warnings in the keys file; the site was not built" in result.stderr
    assert "tiny" not in result.stderr
    assert not (folder / "site").exists()


@pytest.mark.parametrize(("options", "message"), [
    (ENCRYPTION + "  iterations: 100000\n", "error[bad-setting] encryption.iterations: expected at least 600000 "
                                            "iterations of the key derivation, got 100000"),
    (ENCRYPTION + "  output_dir: site-private/sealed\n", "must be apart from private_dir"),
    (ENCRYPTION + "  output_dir: content/sealed\n", "must be apart from content_dir"),
    (ENCRYPTION + "  output_dir: site\n", "must be a folder of its own, not the site folder itself"),
])
def test_bad_encryption_settings_are_refused(tmp_path: Path, options: str, message: str) -> None:
    _, folder = encrypted_program(tmp_path, options=options)
    result = run(folder, "build")
    assert result.returncode == 1
    assert message in result.stderr


# Rotating a passphrase -------------------------------------------------------------------------


def test_rotate_re_encrypts_a_pair_under_a_new_passphrase_and_removes_the_old_folder(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    pairs = folder / "site" / "portfolios" / "pairs"
    old = pairs / folder_of(PASSPHRASES["cy-dee"], "cy-dee")
    untouched = pairs / folder_of(PASSPHRASES["ana-ben"], "ana-ben")
    untouched_vault = (untouched / "_vault" / "vault.json").read_bytes()
    result = run(folder, "keys", "rotate", "cy-dee")
    assert result.returncode == 0, result.stderr
    keys, _ = read_keys(tmp_path / "keys.yml", {}, {"ana-ben", "cy-dee"})
    new_passphrase = keys.passphrase("cy-dee")
    assert new_passphrase and new_passphrase != PASSPHRASES["cy-dee"] and len(new_passphrase) >= 25
    assert new_passphrase not in result.stdout + result.stderr
    assert keys.passphrase("ana-ben") == PASSPHRASES["ana-ben"] and keys.passphrase(None) == REVIEW_PASSPHRASE
    assert oct((tmp_path / "keys.yml").stat().st_mode & 0o777) == "0o600"
    new = pairs / folder_of(new_passphrase, "cy-dee")
    assert f"cy-dee: new passphrase written to {tmp_path / 'keys.yml'}; encrypted again in" in result.stdout
    assert not old.exists() and new.is_dir()
    assert "index.html" in open_site(new, new_passphrase)
    with pytest.raises(WrongPassphraseError):
        open_site(new, PASSPHRASES["cy-dee"])
    assert (untouched / "_vault" / "vault.json").read_bytes() == untouched_vault


def test_rotate_reads_a_chosen_passphrase_and_rotates_the_reviewer_site(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    chosen = "a passphrase chosen by the owners"
    result = subprocess.run([sys.executable, "-m", "mentorsite", "keys", "rotate", "--review",
                             "--passphrase-stdin"], cwd=folder, env=ENV, input=chosen + "\n",
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    review = folder / "site" / "portfolios" / "review"
    assert "index.html" in open_site(review, chosen)
    with pytest.raises(WrongPassphraseError):
        open_site(review, REVIEW_PASSPHRASE)


def test_rotate_refuses_a_passphrase_from_the_environment_and_weak_ones(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    result = run(folder, "keys", "rotate", "cy-dee", **{passphrase_variable("cy-dee"): "set in the environment"})
    assert result.returncode == 1
    assert "comes from the environment (MENTORSITE_PASSPHRASE_CY_DEE)" in result.stderr
    weak = subprocess.run([sys.executable, "-m", "mentorsite", "keys", "rotate", "cy-dee", "--passphrase-stdin"],
                          cwd=folder, env=ENV, input="short\n", capture_output=True, text=True, check=False)
    assert weak.returncode == 1
    assert "expected a passphrase of at least 12 characters, got a shorter one" in weak.stderr
    unknown = run(folder, "keys", "rotate", "cy-dea")
    assert unknown.returncode == 1 and "did you mean 'cy-dee'?" in unknown.stderr
    both = run(folder, "keys", "rotate")
    assert both.returncode == 2 and "name a PAIR, or give --review" in both.stderr


def test_keys_commands_need_encryption_to_be_enabled(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, options="as_of: 2026-11-21")
    result = run(folder, "keys", "list")
    assert result.returncode == 1
    assert "encryption is not enabled" in result.stderr


def test_rotating_a_pair_whose_records_have_errors_still_retires_the_old_folder(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    old = folder / "site/portfolios/pairs" / folder_of(PASSPHRASES["cy-dee"], "cy-dee")
    session = next((folder / "content/pairs/cy-dee/sessions").glob("*.md"))
    session.write_text(session.read_text().replace("minutes: 45", "minutes: many"))
    result = run(folder, "keys", "rotate", "cy-dee")
    assert result.returncode == 1
    assert "1 pair not built" in result.stderr and "cy-dee" in result.stderr
    keys, _ = read_keys(tmp_path / "keys.yml", {}, {"ana-ben", "cy-dee"})
    new_passphrase = keys.passphrase("cy-dee")
    assert new_passphrase is not None
    assert not old.exists()
    new = folder / "site/portfolios/pairs" / folder_of(new_passphrase, "cy-dee")
    assert "index.html" in open_site(new, new_passphrase)  # the last good portfolio, under the new passphrase


# The folder secret -----------------------------------------------------------------------------


def test_a_build_without_a_folder_secret_stops_and_says_how_to_add_one(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, keys=keys_yaml(secret=None))
    result = run(folder, "build")
    assert result.returncode == 1
    assert (f"{tmp_path / 'keys.yml'}:1:1: error[no-folder-secret] expected a 'folder_secret' entry, got none; "
            "run mentorsite keys folder-secret to add one (it names the encrypted folders)") in result.stderr
    assert not (folder / "site").exists()
    # Passphrases from the environment alone: the folder secret comes from there too.
    (folder / "mkdocs.yml").write_text((folder / "mkdocs.yml").read_text().replace("keys_file: ../keys.yml", ""))
    phrases = {passphrase_variable(pair): phrase for pair, phrase in PASSPHRASES.items()}
    phrases[passphrase_variable(None)] = REVIEW_PASSPHRASE
    missing = run(folder, "build", **phrases)
    assert missing.returncode == 1
    assert ("environment:1:1: error[no-folder-secret] MENTORSITE_FOLDER_SECRET: expected a folder secret, got "
            "none; set MENTORSITE_FOLDER_SECRET to 64 random hexadecimal digits") in missing.stderr
    assert "1 error and 0 warnings in the environment; the site was not built" in missing.stderr
    chosen = "0123456789abcdef" * 4
    built = run(folder, "build", MENTORSITE_FOLDER_SECRET=chosen, **phrases)
    assert built.returncode == 0, built.stderr
    assert {p.name for p in (folder / "site/portfolios/pairs").iterdir()} == {
        folder_of(phrase, pair, chosen) for pair, phrase in PASSPHRASES.items()}
    assert chosen not in built.stdout + built.stderr


def test_keys_folder_secret_writes_one_unprinted_and_a_replaced_one_moves_every_folder(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, options=ENCRYPTION + "  output_dir: sealed\n",
                                  keys=keys_yaml(secret=None))
    keys_file = tmp_path / "keys.yml"
    written = run(folder, "keys", "folder-secret")
    assert written.returncode == 0, written.stderr
    keys, problems = read_keys(keys_file, {}, {"ana-ben", "cy-dee"})
    assert problems == [] and keys.secret is not None and len(keys.secret) == 32
    assert keys.passphrase("ana-ben") == PASSPHRASES["ana-ben"] and keys.passphrase(None) == REVIEW_PASSPHRASE
    assert keys.secret.hex() not in written.stdout + written.stderr
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    assert written.stdout == (f"Wrote a new folder secret to {keys_file}. The next mentorsite build encrypts "
                              "every pair's portfolio in a new folder and removes the old ones; mentorsite keys "
                              "list shows the new ones.\n")
    again = run(folder, "keys", "folder-secret")
    assert again.returncode == 1
    assert (f"the keys file ({keys_file}) has a folder secret already; --replace writes a new one, and every "
            "encrypted folder moves at the next build") in again.stderr
    assert run(folder, "build").returncode == 0
    pairs = folder / "sealed" / "pairs"
    first = {p.name for p in pairs.iterdir()}
    assert first == {folder_of(phrase, pair, keys.secret.hex()) for pair, phrase in PASSPHRASES.items()}
    assert run(folder, "keys", "folder-secret", "--replace").returncode == 0
    rebuilt = run(folder, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    renewed, _ = read_keys(keys_file, {}, {"ana-ben", "cy-dee"})
    assert renewed.secret is not None and renewed.secret != keys.secret
    assert {p.name for p in pairs.iterdir()} == {folder_of(phrase, pair, renewed.secret.hex())
                                                 for pair, phrase in PASSPHRASES.items()}
    assert "removed 2 encrypted folders of no current passphrase" in rebuilt.stderr
    from_environment = run(folder, "keys", "folder-secret", MENTORSITE_FOLDER_SECRET=FOLDER_SECRET)
    assert from_environment.returncode == 1
    assert "the folder secret comes from the environment (MENTORSITE_FOLDER_SECRET)" in from_environment.stderr


def test_rotate_adds_a_missing_folder_secret_and_moves_every_folder(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path, options=ENCRYPTION + "  output_dir: sealed\n",
                                  keys=keys_yaml(secret=None))
    assert run(folder, "build", MENTORSITE_FOLDER_SECRET=FOLDER_SECRET).returncode == 0
    pairs = folder / "sealed" / "pairs"
    before = {p.name for p in pairs.iterdir()}
    result = run(folder, "keys", "rotate", "cy-dee")
    assert result.returncode == 0, result.stderr
    assert "Added a folder secret to" in result.stdout and "every pair's encrypted portfolio moved" in result.stdout
    keys, problems = read_keys(tmp_path / "keys.yml", {}, {"ana-ben", "cy-dee"})
    assert problems == [] and keys.secret is not None
    cy_dee = keys.passphrase("cy-dee")
    assert cy_dee is not None and cy_dee != PASSPHRASES["cy-dee"]
    assert {p.name for p in pairs.iterdir()} == {folder_of(PASSPHRASES["ana-ben"], "ana-ben", keys.secret.hex()),
                                                 folder_of(cy_dee, "cy-dee", keys.secret.hex())}
    assert not before & {p.name for p in pairs.iterdir()}


def test_rotate_refuses_another_sites_passphrase_and_mends_a_shared_one(tmp_path: Path) -> None:
    _, folder = encrypted_program(tmp_path)
    keys_file = tmp_path / "keys.yml"
    before = keys_file.read_bytes()
    taken = subprocess.run([sys.executable, "-m", "mentorsite", "keys", "rotate", "cy-dee", "--passphrase-stdin"],
                           cwd=folder, env=ENV, input=f"  {REVIEW_PASSPHRASE}\n", capture_output=True, text=True,
                           check=False)
    assert taken.returncode == 1
    assert "expected a passphrase of its own, got one that another site has; choose another" in taken.stderr
    assert REVIEW_PASSPHRASE not in taken.stdout + taken.stderr
    assert keys_file.read_bytes() == before
    keys_file.write_text(keys_yaml({"ana-ben": PASSPHRASES["ana-ben"], "cy-dee": PASSPHRASES["ana-ben"]}))
    assert run(folder, "build").returncode == 1
    mended = run(folder, "keys", "rotate", "cy-dee")
    assert mended.returncode == 0, mended.stderr
    assert run(folder, "build").returncode == 0
