"""Four paths beyond issue 16's list by which a pair's text reached a reader it is not for.

Each test is one attack that worked on 4e3b703: the record cache readable as plain text, a
pair folder claiming another pair's id, a program template reading files through Python's
internals, and a new session's agenda copying private text into a record that may be shared.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from mentorsite.checking.program import read_program
from mentorsite.pages.rendering import TemplateFailure, create_environment, render_page
from mentorsite.reading.caching import RecordCache
from tests.programs import BASE_PROGRAM, write_files
from tests.test_cli import mentorsite

SECRET = "CANARY-7f3e: the mentee is thinking of leaving the company"
OTHER_SESSION = "content/pairs/cy-dan/sessions/2026-02-03.md"


def two_pairs(root: Path) -> Path:
    """The base program with a second pair, cy-dan, whose private session holds SECRET."""
    files = dict(BASE_PROGRAM)
    for path, text in BASE_PROGRAM.items():
        if path.startswith("content/pairs/ana-ben/"):
            files[path.replace("ana-ben", "cy-dan")] = text
    files[OTHER_SESSION] = f"---\ndate: 2026-02-03\n---\n\n{SECRET}\n"
    return write_files(root, files)


def test_the_record_cache_file_holds_no_record_text(tmp_path: Path) -> None:
    """Beyond issue 16, path 1: the record cache was signed, not encrypted.

    On 4e3b703 `.cache/mentorsite/records.pickle` held every record's text in clear (the
    pickle after an HMAC), so a cache folder restored in another workflow run, or copied
    anywhere, gave away every pair's private sessions. Now the file decrypts only under the
    key derived from this user's machine key, and holds none of the text.
    """
    program = two_pairs(tmp_path / "program")
    result = mentorsite(program, "check", XDG_CACHE_HOME=str(tmp_path / "home-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    shards = sorted((program / ".cache/mentorsite" / RecordCache.FOLDER).glob("*.pickle"))
    data = b"".join(shard.read_bytes() for shard in shards)
    assert len(data) > 1000  # the entries of every record are in it
    for text in (SECRET, "CANARY-7f3e", "Speak at the team demo", "Ana Silva", "cy-dan", "2026-02-03"):
        assert text.encode("utf-8") not in data, text
        assert text.encode("utf-16-le") not in data, text
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)  # not a pickle with a prefix any more
    # This user reads it back (the cache works); a copy under another key reads nothing.
    own = RecordCache(program / ".cache/mentorsite", key=(tmp_path / "home-cache/mentorsite/cache-key").read_bytes())
    read_program(program / "content", program, cache=own)
    assert own.hits > 0 and own.misses == 0
    elsewhere = tmp_path / "restored"
    shutil.copytree(program / ".cache/mentorsite", elsewhere)
    foreign = RecordCache(elsewhere, key=b"another user's key, 32 bytes long")
    assert foreign.entries == {}


def test_another_pair_folder_cannot_claim_a_pairs_id(tmp_path: Path) -> None:
    """Beyond issue 16, path 2: a pair folder claimed another pair's id.

    On 4e3b703 a copy of ana-ben in content/pairs/zz-eve/ with `id: ana-ben` gave only a
    duplicate-id error, and the program's records for 'ana-ben' were zz-eve's copy (the
    later folder won), so its text would be built as ana-ben's portfolio, under ana-ben's
    passphrase. Now the id must be the folder name, the claim is refused at its line and
    column, and 'ana-ben' means ana-ben's own folder. A session's id is its file name in the
    same way: another id would take another session's page; and a goal may not be 'index',
    which would take the page of the list of goals.
    """
    files = dict(BASE_PROGRAM)
    files["content/pairs/zz-eve/pair.yml"] = ("mentor: {name: Ben Adler}\nmentee: {name: Eve Mallory}\n"
                                              "id: ana-ben\nstart: 2026-01-05\nstatus: active\n")
    files["content/pairs/ana-ben/sessions/2026-02-10.md"] = "---\ndate: 2026-02-10\nid: 2026-02-03\n---\n"
    files["content/pairs/ana-ben/goals/other.md"] = "---\ntitle: Other\nstatus: planned\nid: index\n---\n"
    program = write_files(tmp_path / "program", files)
    checked = read_program(program / "content", program)
    shown = [str(d) for d in checked.diagnostics if d.code == "id-mismatch"]
    assert shown == [
        "content/pairs/ana-ben/sessions/2026-02-10.md:3:5: error[id-mismatch] id: expected id '2026-02-10' "
        "(the file name), got '2026-02-03'",
        "content/pairs/zz-eve/pair.yml:3:5: error[id-mismatch] id: expected id 'zz-eve' (the folder name), "
        "got 'ana-ben'",
    ]
    assert [str(d) for d in checked.diagnostics if d.code == "reserved-id"] == [
        "content/pairs/ana-ben/goals/other.md:4:5: error[reserved-id] id: expected a goal id other than 'index', "
        "which the list of goals uses for its page, got 'index'; did you mean 'index-goal'?"]
    records = checked.pair_records("ana-ben")
    assert records is not None and records.pair.mentee.name == "Ana Silva"
    assert [p.pair.mentee.name for p in checked.program.pairs] == ["Ana Silva"]
    assert [s.id for s in records.sessions] == ["2026-02-03"]  # the claiming session is refused
    assert checked.pair_folders["zz-eve"] == "content/pairs/zz-eve"
    assert [d for d in checked.pair_problems("ana-ben") if "zz-eve" in d.path] == []


ATTACKS = {
    "a builtin through a global's function": (
        "{{ lipsum.__globals__['__builtins__']['open']('{target}').read() }}",
        "attribute '__globals__' of a 'function' value"),
    "a module through a class": ("{{ cycler.__init__.__globals__.os }}", "attribute '__init__' of a 'type' value"),
    "the class tree from a text": ("{{ ''.__class__.__mro__ }}", "attribute '__class__' of a 'str' value"),
    "a value changed for later pages": ("{{ readers.update(mentor='Eve') }}",
                                        "attribute 'update' of a 'dict' value"),
}


def test_a_program_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    """Beyond issue 16, path 3: templates were unsandboxed code.

    On 4e3b703 `templates/portfolio/checkins.md.j2` with `{{ lipsum.__globals__[...]['open'](...)
    .read() }}` copied cy-dan's private session into ana-ben's portfolio and its search index,
    and the build exited 0. Now every template runs in Jinja's immutable sandbox: each attempt
    is a located message, no page holds the other pair's text, and no traceback is printed.
    """
    program = two_pairs(tmp_path / "program")
    templates = program / "templates"
    environment = create_environment(templates)
    for name, (source, refused) in ATTACKS.items():
        attack = source.replace("{target}", str(program / OTHER_SESSION))
        write_files(templates, {"attack.md.j2": f"# Attack\n\n{attack}\n"})
        with pytest.raises(TemplateFailure) as caught:
            render_page(create_environment(templates), {}, "attack.md", "attack.md.j2")
        assert str(caught.value.diagnostic) == (
            f"{templates / 'attack.md.j2'}:3:1: error[template] expected a template that uses only the values "
            f"it is given and leaves them as they are (templates run in a sandbox), got a use of {refused}"), name
    assert environment.globals["readers"]["mentor"] == "Mentors"
    reading = ATTACKS["a builtin through a global's function"][0].replace("{target}", OTHER_SESSION)
    write_files(templates, {"portfolio/checkins.md.j2": f"# Check-ins\n\n{reading}\n"})
    build = mentorsite(program, "build", "--jobs", "1")
    assert build.returncode == 1
    assert "Traceback" not in build.stderr
    assert (f"{templates / 'portfolio/checkins.md.j2'}:3:1: error[template] expected a template that uses only "
            "the values it is given") in build.stderr
    written = [p for p in (program / "site-private").rglob("*") if p.is_file()]
    assert not any(SECRET in p.read_text(encoding="utf-8", errors="replace") for p in written)
    write_files(templates, {"records/session.j2": f"---\ndate: {{{{ date }}}}\n---\n\n{reading}\n"})
    draft = mentorsite(program, "new", "session", "ana-ben", "--date", "2026-03-10")
    assert (draft.returncode, draft.stdout) == (1, "")
    assert draft.stderr.startswith(f"Error: {templates / 'records/session.j2'}:5:1: error[template] expected")
    assert not (program / "content/pairs/ana-ben/sessions/2026-03-10.md").exists()


def test_a_new_session_marks_the_agenda_items_copied_from_private_records(tmp_path: Path) -> None:
    """Beyond issue 16, path 4: `mentorsite new session` copied private text into the draft.

    On 4e3b703 the agenda listed the open actions of private sessions and the titles of
    private goals with nothing to tell them apart, so a pair that set the new session's
    `visibility: review` shared them without noticing. Now a comment above the agenda says
    which items repeat private text, and each such item names the private record it is from.
    """
    files = dict(BASE_PROGRAM)
    files["content/pairs/ana-ben/goals/leave.md"] = ("---\ntitle: Decide whether to leave the team\n"
                                                     "status: in-progress\nvisibility: pair\n---\n")
    files["content/pairs/ana-ben/sessions/2026-02-10.md"] = (
        "---\ndate: 2026-02-10\nvisibility: review\nactions:\n  - {task: Book the room, owner: mentor}\n---\n")
    program = write_files(tmp_path / "program", files)
    result = mentorsite(program, "new", "session", "ana-ben", "--date", "2026-02-20")
    assert result.returncode == 0, result.stderr
    text = (program / "content/pairs/ana-ben/sessions/2026-02-20.md").read_text(encoding="utf-8")
    agenda = text[text.index("# The 2 agenda items"):text.index("goals: [")]
    assert agenda == """\
# The 2 agenda items marked 'private' repeat text from records only the two of you see
# (visibility: pair). Before you set this session's visibility to review, remove or
# reword them: reviewers would read them here.
agenda:
  - "Follow up: Draft the talk (mentee, due 2026-02-17, overdue)"    # private: from sessions/2026-02-03.md
  - "Follow up: Book the room (mentor)"
  - "Progress on Decide whether to leave the team"    # private: from goals/leave.md
  - "Progress on Speak at the team demo"
  - What went well since we last met, and what got in the way
"""
    (program / "content/pairs/ana-ben/closing.md").unlink()
    assert mentorsite(program, "new", "closing", "ana-ben", "--date", "2026-04-01").returncode == 0
    closing = (program / "content/pairs/ana-ben/closing.md").read_text(encoding="utf-8")
    assert closing[closing.index("# The goal"):closing.index("next_steps:")] == """\
# The goal marked 'private' is seen only by the two of you (visibility: pair), but this closing is
# shared with reviewers (visibility: review): what you copy into outcomes, they read.
outcomes: []
  # - Decide whether to leave the team (in-progress)    # private: from goals/leave.md
  # - Speak at the team demo (in-progress)
"""
    assert mentorsite(program, "check").stderr == "0 errors and 0 warnings.\n"
