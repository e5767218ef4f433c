"""The canary program, attacked: issue 16's paths tried with a marker in every pair text.

A third pair writes records that try every way of pulling another pair's text, or the keys
file, into its own portfolio (include lines, links, symbolic links, a pair folder that is
another pair's), and a pair takes a shared record back while its files have an error. After
each build every byte and file name of every output is read: each marker may appear only
where its visibility allows, the passphrases nowhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mentorsite.vault.sealing import open_site
from tests.canary import CanaryProgram, Marker, canary_program
from tests.programs import write_files
from tests.test_adversarial_markdown import include_attempts
from tests.test_encryption import FOLDER_SECRET, REVIEW_PASSPHRASE, encrypted_program, keys_yaml
from tests.test_portfolios import site_files

# Subprocesses import the mentorsite beside these tests (also a worktree of an older commit).
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400",  # 2026-11-21
       "PYTHONPATH": str(Path(__file__).parent.parent)}
MARKER = re.compile(r"cnry\d{4}x")
KEYS_PASSPHRASE = "eve-cannot-read-this-passphrase"


def build(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # The folder secret from the environment, so that the keys file is one any version reads.
    env = {**ENV, "MENTORSITE_FOLDER_SECRET": FOLDER_SECRET}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *arguments], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)


def marker_places(folder: Path) -> dict[str, set[str]]:
    """Where each marker is: every file under site/ and site-private/, names and bytes."""
    found: dict[str, set[str]] = {}
    for top in ("site", "site-private"):
        if not (folder / top).is_dir():
            continue
        for path, text in site_files(folder / top):
            for marker in set(MARKER.findall(path)) | set(MARKER.findall(text)):
                found.setdefault(marker, set()).add(f"{top}/{path}")
    return found


def allowed(marker: Marker) -> tuple[str, ...]:
    places = [f"site-private/pairs/{marker.pair}/"]
    if marker.visibility == "review":
        places += [f"site-private/review/{marker.pair}/", "site-private/review/index.html",
                   "site-private/review/search/search_index.json"]
    return tuple(places)


def leaks(program: CanaryProgram, folder: Path) -> list[str]:
    places = marker_places(folder)
    return sorted(f"{marker} in {path}" for marker in program.markers
                  for path in places.get(marker.text, set()) if not path.startswith(allowed(marker)))


def private_session(program: CanaryProgram, pair: str) -> str:
    """The path of a pair's session kept to the pair (its file name holds a marker)."""
    return next(path for path, text in program.files.items()
                if path.startswith(f"content/pairs/{pair}/sessions/") and "visibility: pair" in text)


def attacker_files(program: CanaryProgram, keys_file: str) -> dict[str, str]:
    """A pair whose session tries to pull in the others' records and the keys file."""
    ana_session = private_session(program, "ana-ben")
    cy_agreement = "content/pairs/cy-dee/agreement.md"
    body = include_attempts(ana_session, cy_agreement, keys_file)
    leaving = ana_session.removeprefix("content/pairs/")
    body += (f"\n[the notes](../../{leaving}) and ![a picture](../../cy-dee/closing.md)\n\n"
             f'<a href="../../{leaving}">raw</a> <img src="../../../pairs/cy-dee/agreement.md">\n\n'
             f"[ref]: ../../{leaving}\n")
    return {
        "content/pairs/eve-fay/pair.yml": ("mentor: {name: Eve Noor}\nmentee: {name: Fay Oduya}\n"
                                           "start: 2026-01-05\nstatus: active\n"),
        "content/pairs/eve-fay/sessions/2026-03-03.md": f"---\ndate: 2026-03-03\nvisibility: review\n---\n\n{body}",
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> tuple[CanaryProgram, Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("attacked")
    program = canary_program()
    files = dict(program.files)
    assert files["mkdocs.yml"].endswith("markdown_extensions:\n  - pymdownx.tasklist\n")
    files["mkdocs.yml"] += "  - pymdownx.snippets\n"
    files["keys.yml"] = f"review: {KEYS_PASSPHRASE}\n"
    files.update(attacker_files(program, "keys.yml"))
    folder = write_files(root / "program", files)
    sessions = folder / "content/pairs/eve-fay/sessions"
    # A session that is another pair's private session, and a pair folder that is another pair.
    (sessions / "2026-03-10.md").symlink_to(folder / private_session(program, "ana-ben"))
    (folder / "content/pairs/gus-hal").symlink_to(folder / "content/pairs/cy-dee", target_is_directory=True)
    return program, folder, build(folder)


def test_a_pair_that_tries_to_pull_in_other_records_is_refused_and_nothing_leaks(attacked: tuple[
        CanaryProgram, Path, subprocess.CompletedProcess[str]]) -> None:
    """Breaks 1 and 7a on the canary: includes, links and symbolic links reach nothing."""
    program, folder, result = attacked
    assert leaks(program, folder) == []
    assert result.returncode == 1
    assert "not built, their previous pair editions kept: eve-fay, gus-hal" in result.stderr
    assert (folder / "site-private/pairs/ana-ben/index.html").is_file()  # the other pairs are built
    assert (folder / "site-private/pairs/cy-dee/index.html").is_file()
    for top in ("site", "site-private"):
        assert all(KEYS_PASSPHRASE not in text for _, text in site_files(folder / top))


NEW_FIELDS = ("session.attendees", "session.links", "session.actions[1].owner", "pair.co_mentors")
"""The text fields added for issue 20: names of attendees, owners and co-mentors, link titles and urls."""


def test_the_new_text_fields_reach_only_the_editions_their_record_belongs_in(attacked: tuple[
        CanaryProgram, Path, subprocess.CompletedProcess[str]]) -> None:
    program, folder, _ = attacked
    places = marker_places(folder)
    added = [m for m in program.markers if m.where.startswith(NEW_FIELDS)]
    assert {m.where.split("[")[0].split(".owner")[0] for m in added} >= {"session.attendees", "session.links",
                                                                           "session.actions", "pair.co_mentors"}
    for marker in added:
        found = places.get(marker.text, set())
        assert any(p.startswith(f"site-private/pairs/{marker.pair}/") for p in found), marker
        assert not [p for p in found if p.startswith(("site/", "site-private/report/"))], marker
        shared = any(p.startswith(f"site-private/review/{marker.pair}/") for p in found)
        assert shared == (marker.visibility == "review"), marker


def test_every_attempt_is_a_located_error(attacked: tuple[CanaryProgram, Path,
                                                           subprocess.CompletedProcess[str]]) -> None:
    _, _, result = attacked
    located = re.findall(r"content/pairs/(eve-fay|gus-hal)/[^:\s]*:\d+:\d+: error\[([a-z-]+)\]", result.stderr)
    codes = {code for _, code in located}
    assert {"include", "outside-pair"} <= codes, result.stderr
    assert any(code.startswith("link") for code in codes), result.stderr
    assert sum(1 for _, code in located if code == "include") >= 9  # three targets, three forms each


RETRACTIONS = {
    "a typo in the new visibility": ("visibility: review", "visibility: pairr"),
    "taken back, with an error elsewhere in the pair": ("visibility: review", "visibility: pair\nminutes: many"),
}


@pytest.mark.parametrize("change", RETRACTIONS, ids=list(RETRACTIONS))
def test_a_record_taken_back_leaves_the_review_editions_while_the_pair_has_errors(
        tmp_path: Path, change: str) -> None:
    """Break 2 on the canary: the retracted record leaves the plain and the sealed reviewer site."""
    program, folder = encrypted_program(tmp_path, keys=keys_yaml(secret=None))
    assert build(folder).returncode == 0
    shared = next(path for path, text in program.files.items()
                  if path.startswith("content/pairs/cy-dee/sessions/") and "visibility: review" in text)
    markers = {m.text for m in program.markers
               if m.pair == "cy-dee" and m.where.startswith("session.") and m.visibility == "review"}
    assert markers and all(marker in program.files[shared] + shared for marker in markers)
    reviewer_vault = folder / "site/portfolios/review"

    def in_review() -> set[str]:
        plain = {m for _, text in site_files(folder / "site-private/review") for m in MARKER.findall(text)}
        sealed = {m for data in open_site(reviewer_vault, REVIEW_PASSPHRASE).values()
                  for m in MARKER.findall(data.decode("utf-8", "replace"))}
        return (plain | sealed) & markers

    assert in_review() == markers  # shared before
    old, new = RETRACTIONS[change]
    (folder / shared).write_text(program.files[shared].replace(old, new), encoding="utf-8")
    result = build(folder)
    assert result.returncode == 1
    assert in_review() == set(), result.stderr
    assert markers <= {m for _, text in site_files(folder / "site-private/pairs/cy-dee") for m in MARKER.findall(text)}
