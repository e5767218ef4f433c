"""Messages for what people coming from other programs write (issue 20, Deliver 4).

Role words of other programs get a "did you mean" (student is mentee); a file with a bad name
still gets every other check; a session or check-in after a pair's end is flagged at its date;
YAML's syntax errors read as what to fix, with the common cause.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorsite.checking.program import read_program
from mentorsite.checking.validation import suggest
from tests.programs import BASE_PROGRAM, write_files

PAIR = "content/pairs/ana-ben"
OWNER = "expected one of 'mentor', 'mentee' or 'both', or a person as {name: ...},"


def messages(tmp_path: Path, changes: dict[str, str]) -> list[str]:
    folder = write_files(tmp_path, {**BASE_PROGRAM, **changes})
    return [str(d) for d in read_program(folder / "content", folder).diagnostics]


def session(*lines: str) -> str:
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n\nNotes.\n"


@pytest.mark.parametrize(("word", "role"), [
    ("student", "mentee"), ("Students", "mentee"), ("learner", "mentee"), ("contributor", "mentee"),
    ("advisor", "mentor"), ("Coach", "mentor"), ("everyone", "both"), ("mentor and mentee", "both"),
])
def test_an_owner_in_another_programs_words_gets_the_role(tmp_path: Path, word: str, role: str) -> None:
    found = messages(tmp_path, {f"{PAIR}/sessions/2026-02-03.md": session(
        "date: 2026-02-03", "actions:", f"  - {{task: Draft the talk, owner: {word}}}")})
    assert found == [f"{PAIR}/sessions/2026-02-03.md:4:35: error[bad-value] actions[0].owner: {OWNER} "
                     f"got '{word}'; did you mean '{role}'?"]


def test_role_words_are_offered_only_where_the_role_is_allowed() -> None:
    assert suggest("student", ["mentor", "mentee", "start"]) == "did you mean 'mentee'?"
    assert suggest("organiser", ["mentor", "mentee", "both", "program"]) == "did you mean 'program'?"
    assert suggest("organiser", ["mentor", "mentee", "both"]) == "expected one of: mentor, mentee, both"
    assert suggest("mentee", ["mentee", "mentor"]) == "did you mean 'mentee'?"  # a near name as before


def test_a_key_in_another_programs_words_gets_the_role(tmp_path: Path) -> None:
    found = messages(tmp_path, {f"{PAIR}/pair.yml": "advisor: {name: Ben Adler}\nstudent: {name: Ana Silva}\n"
                                                    "start: 2026-01-05\nstatus: active\n"})
    assert f"{PAIR}/pair.yml:1:1: warning[unknown-key] advisor: unknown key; did you mean 'mentor'?" in found
    assert f"{PAIR}/pair.yml:2:1: warning[unknown-key] student: unknown key; did you mean 'mentee'?" in found


def test_an_audience_in_other_words_gets_the_audience(tmp_path: Path) -> None:
    guideline = BASE_PROGRAM["content/handbook/guidelines/clear-goals.md"].replace("audience: [both]",
                                                                                   "audience: [students]")
    found = messages(tmp_path, {"content/handbook/guidelines/clear-goals.md": guideline})
    assert any("audience[0]: expected one of 'mentor', 'mentee', 'both' or 'program', got 'students'; did you "
               "mean 'mentee'?" in line for line in found), found


def test_a_file_with_a_bad_name_still_gets_every_other_check(tmp_path: Path) -> None:
    found = messages(tmp_path, {f"{PAIR}/sessions/Week_1.md": session(
        "date: 2026-02-10", "minutes: lots", "actions:", "  - {task: Draft the talk, owner: student}")})
    assert found == [
        f"{PAIR}/sessions/Week_1.md:1:1: error[bad-file-name] expected a file name YYYY-MM-DD.md or "
        "YYYY-MM-DD-topic.md, got 'Week_1.md'; rename it 2026-02-10-week-1.md (the date it gives)",
        f"{PAIR}/sessions/Week_1.md:3:10: error[wrong-type] minutes: expected a whole number, got 'lots'",
        f"{PAIR}/sessions/Week_1.md:5:35: error[bad-value] actions[0].owner: {OWNER} got 'student'; "
        "did you mean 'mentee'?",
    ]


def test_a_check_in_with_a_bad_name_and_no_date_gets_no_rename_hint(tmp_path: Path) -> None:
    found = messages(tmp_path, {f"{PAIR}/checkins/march.md": "---\nscores: {trust: 9}\n---\n"})
    assert found[0] == (f"{PAIR}/checkins/march.md:1:1: error[bad-file-name] expected a file name "
                        "YYYY-MM-DD.md, got 'march.md'")
    assert any(line.startswith(f"{PAIR}/checkins/march.md:2:1: error[missing-field] date") for line in found), found
    assert any(":2:17: error[out-of-range] scores.trust" in line for line in found), found


ENDED = "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nstart: 2026-01-05\nend: 2026-03-20\nstatus: completed\n"


def test_a_session_or_check_in_after_the_pairs_end_is_flagged_at_its_date(tmp_path: Path) -> None:
    found = messages(tmp_path, {f"{PAIR}/pair.yml": ENDED,
                                f"{PAIR}/sessions/2026-03-27.md": session("date: 2026-03-27"),
                                f"{PAIR}/sessions/2026-03-20.md": session("date: 2026-03-20")})
    assert [line for line in found if "date-order" in line] == [
        f"{PAIR}/sessions/2026-03-27.md:2:7: warning[date-order] date: expected a date on or before the pair's "
        "end (2026-03-20, status 'completed'), got 2026-03-27; if the relationship went on, move its end"]
    found = messages(tmp_path / "checkin", {f"{PAIR}/pair.yml": ENDED.replace("completed", "closed-early")})
    assert [line for line in found if "date-order" in line] == []  # its check-in of 1 March is before the end
    late = messages(tmp_path / "late", {f"{PAIR}/pair.yml": ENDED,
                                        f"{PAIR}/checkins/2026-04-02.md": "---\ndate: 2026-04-02\n---\n"})
    assert [line for line in late if "date-order" in line] == [
        f"{PAIR}/checkins/2026-04-02.md:2:7: warning[date-order] date: expected a date on or before the pair's "
        "end (2026-03-20, status 'completed'), got 2026-04-02; if the relationship went on, move its end"]


YAML_CASES = {
    "a list item among keys": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\n- start: 2026-01-05\nstatus: active\n",
        "3:1: error[yaml-syntax] invalid YAML: found a list item ('- ') among the keys that start on line 1, "
        "column 1; put a list under its key, indented: 'key:' and then '  - item' on the lines below"),
    "a key indented less": (
        "mentor:\n  name: Ben Adler\n role: Lead\nmentee: {name: Ana Silva}\nstart: 2026-01-05\nstatus: active\n",
        "3:2: error[yaml-syntax] invalid YAML: this line is indented differently from the keys that start on "
        "line 1, column 1; indent it like the lines it belongs with (the same number of spaces)"),
    "a key inside a list": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nreviewers:\n  - Kim\n  start: 2026-01-05\n"
        "status: active\n",
        "5:3: error[yaml-syntax] invalid YAML: found a 'key:' line inside the list that starts on line 4, "
        "column 3, where each line starts with '- '; indent it like the key that holds the list, or make it "
        "an item with '- '"),
    "a line without its colon": (
        "mentor: {name: Ben Adler}\nmentee Ana Silva\nstart: 2026-01-05\nstatus: active\n",
        "2:1: error[yaml-syntax] invalid YAML: this line has no ': ' after its key; write 'key: value', or "
        "indent the line more to continue the value above it"),
    "text after a quote": (
        'mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nsummary: "Goals" for the year\nstart: 2026-01-05\n'
        "status: active\n",
        "3:18: error[yaml-syntax] invalid YAML: found more text after a quoted or bracketed value on the same "
        "line; put the whole value in quotes"),
    "a colon in text": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nsummary: Goals: speaking\nstart: 2026-01-05\n"
        "status: active\n",
        "3:15: error[yaml-syntax] invalid YAML: found ': ' where a value was expected; put text that contains "
        "': ' in quotes, or check that the line above has 'key: value' and that this line is indented like "
        "the keys around it"),
    "a backquote": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nsummary: `code` first\nstart: 2026-01-05\n"
        "status: active\n",
        "3:10: error[yaml-syntax] invalid YAML: a value cannot start with a backquote; put the whole value in "
        "quotes"),
    "an asterisk": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nsummary: *really* good\nstart: 2026-01-05\n"
        "status: active\n",
        "3:10: error[yaml-syntax] invalid YAML: a value that starts with '*' or '&' is read as a reference "
        "inside the file; put the whole value in quotes ('*bold*')"),
    "an unclosed list": (
        "mentor: {name: Ben Adler}\nmentee: {name: Ana Silva}\nreviewers: [Kim, Lee\nstart: 2026-01-05\n"
        "status: active\n",
        "3:12: error[yaml-syntax] invalid YAML: the list opened with '[' here is not closed; expected ']' "
        "before line 4, column 6"),
}


@pytest.mark.parametrize("case", YAML_CASES)
def test_yaml_mistakes_read_as_what_to_fix(tmp_path: Path, case: str) -> None:
    text, expected = YAML_CASES[case]
    found = messages(tmp_path, {f"{PAIR}/pair.yml": text})
    assert [line for line in found if "yaml-syntax" in line] == [f"{PAIR}/pair.yml:{expected}"], found
