"""Faults and hostile input (issue 17): a hostile file is a located error for that file alone.

YAML aliases that refer to themselves, aliases that multiply ("billion laughs") and deep
nesting used to stop every check and build with a traceback or run out of memory; now each
is bounded and reported at its place, and every other file and pair is still checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mentorsite.checking.program import read_program
from tests.programs import BASE_PROGRAM, write_files

LAUGHS = "".join(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
                 for previous, name in zip("abcdefgh", "bcdefghi", strict=True))
HOSTILE = {
    "an alias that refers to itself": (
        "mentor: &m {name: Ben, self: *m}\nmentee: {name: Ana}\nstart: 2026-01-05\nstatus: active\n",
        "1:9: error[too-large] expected a value, got an alias that refers to itself; write the value out"),
    "aliases that multiply": (
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS,
        "2:4: error[too-large] expected at most 100 uses of aliases in one record, got more"),
    "nested brackets": (
        "mentor: " + "[" * 5000 + "]" * 5000 + "\n",
        "1:1: error[too-deep] expected at most 50 levels of nesting, got too many to read"),
    "nested mappings": (
        "mentor: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
        "1:1: error[too-deep] expected at most 50 levels of nesting, got too many to read"),
    "nesting just past the bound": (
        "mentor: " + "[" * 60 + "]" * 60 + "\n",
        "1:58: error[too-large] expected at most 50 levels of nesting, got more"),
}
OTHER_PAIR = {
    "content/pairs/cy-dee/pair.yml": "mentor: {name: Cy Moss}\nmentee: {name: Dee Ray}\nstart: 2026-01-05\n"
                                     "status: proposed\nsumary: a typo the check still finds\n",
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_pair_file_is_an_error_for_that_file_alone(tmp_path: Path, case: str) -> None:
    text, message = HOSTILE[case]
    folder = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, "content/pairs/ana-ben/pair.yml": text})
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert f"content/pairs/ana-ben/pair.yml:{message}" in shown
    assert any(line.startswith("content/pairs/cy-dee/pair.yml:5:1: warning[unknown-key]") for line in shown)
    assert checked.pair_records("cy-dee") is not None  # the other pair is read and checked
    assert checked.handbook_problems() == []


def test_a_hostile_front_matter_is_an_error_at_its_line(tmp_path: Path) -> None:
    session = "---\ndate: 2026-02-03\nagenda: &x [a, *x]\n---\n\nNotes.\n"
    folder = write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/ana-ben/sessions/2026-02-03.md": session})
    shown = [str(d) for d in read_program(folder / "content", folder).diagnostics]
    assert ("content/pairs/ana-ben/sessions/2026-02-03.md:3:9: error[too-large] expected a value, "
            "got an alias that refers to itself; write the value out") in shown


def test_aliases_within_the_bounds_are_read() -> None:
    from mentorsite.reading.sources import read_yaml

    document = read_yaml(b"mentor: &person {name: Ben}\nreviewers: [*person, *person]\n", "pair.yml")
    assert document.diagnostics == []
    assert document.data == {"mentor": {"name": "Ben"}, "reviewers": [{"name": "Ben"}, {"name": "Ben"}]}


def mentorsite(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=program, env=environment,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("command", [("check",), ("build",)], ids=["check", "build"])
def test_a_date_that_does_not_exist_in_mkdocs_yml_is_a_located_message(tmp_path: Path,
                                                                         command: tuple[str, ...]) -> None:
    config = BASE_PROGRAM["mkdocs.yml"].replace("  - mentorsite\n", "  - mentorsite:\n      as_of: 2026-13-01\n")
    folder = write_files(tmp_path, {**BASE_PROGRAM, "mkdocs.yml": config})
    result = mentorsite(folder, *command)
    assert result.returncode == 1
    assert result.stderr == ("Error: mkdocs.yml:8:14: error[bad-date] expected a date that exists (YYYY-MM-DD), "
                             "got '2026-13-01'\n")
    assert not (folder / "site").exists()


# Values YAML reads but cannot build: explicit tags, numbers past Python's limit -------------

UNREADABLE_SCALARS = {
    '!!int "abc"': "3:10: error[yaml-syntax] invalid YAML: expected a whole number, got 'abc'",
    "!!int 0b2": "3:10: error[yaml-syntax] invalid YAML: expected a whole number, got '0b2'",
    '!!float "x"': "3:10: error[yaml-syntax] invalid YAML: expected a number, got 'x'",
    '!!bool "maybe"': "3:10: error[yaml-syntax] invalid YAML: expected true or false, got 'maybe'",
    '!!timestamp "x"': "3:10: error[yaml-syntax] invalid YAML: expected a date that exists (YYYY-MM-DD), got 'x'",
    "!!timestamp 2026-02-30": ("3:10: error[yaml-syntax] invalid YAML: expected a date that exists "
                               "(YYYY-MM-DD), got '2026-02-30'"),
    "9" * 5000: "3:10: error[too-large] expected a number of at most 4300 digits, got one of 5000",
}


@pytest.mark.parametrize("value", UNREADABLE_SCALARS, ids=["int", "binary-int", "float", "bool", "timestamp",
                                                           "impossible-timestamp", "5000-digits"])
def test_a_value_yaml_cannot_build_is_an_error_at_its_place(tmp_path: Path, value: str) -> None:
    session = f"---\ndate: 2026-02-03\nminutes: {value}\n---\n\nNotes.\n"
    files = {**BASE_PROGRAM, **OTHER_PAIR, "content/pairs/ana-ben/sessions/2026-02-03.md": session}
    folder = write_files(tmp_path, files)
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert f"content/pairs/ana-ben/sessions/2026-02-03.md:{UNREADABLE_SCALARS[value]}" in shown
    assert checked.pair_records("cy-dee") is not None  # the other pair is read and checked


@pytest.mark.parametrize("value", ['!!int "abc"', "9" * 5000])
def test_the_pure_and_the_fast_yaml_reader_agree_on_unreadable_values(value: str) -> None:
    from mentorsite.reading import sources

    text = f"minutes: {value}\n"
    fast = sources.parse_yaml(text, "a.yml", 0)
    pure = sources._parse_with(sources._RecordLoader, text, "a.yml", 0)
    assert [str(d) for d in fast.diagnostics] == [str(d) for d in pure.diagnostics]
    assert len(fast.diagnostics) == 1


# Numbers and dates whose arithmetic would overflow --------------------------------------

def test_dates_and_numbers_past_what_the_figures_can_hold_are_located_errors(tmp_path: Path) -> None:
    files = {**BASE_PROGRAM, **OTHER_PAIR,
             "content/pairs/ana-ben/pair.yml": BASE_PROGRAM["content/pairs/ana-ben/pair.yml"].replace(
                 "start: 2026-01-05", "start: 0001-01-01\nplanned_end: 9999-12-31"),
             "content/pairs/ana-ben/agreement.md": BASE_PROGRAM["content/pairs/ana-ben/agreement.md"].replace(
                 "every: 2", "every: 99999999999"),
             "content/pairs/ana-ben/sessions/2026-02-03.md": BASE_PROGRAM[
                 "content/pairs/ana-ben/sessions/2026-02-03.md"].replace("agenda:", "minutes: 100000\nagenda:")}
    folder = write_files(tmp_path, files)
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    pairs = "content/pairs/ana-ben"
    assert (f"{pairs}/pair.yml:3:8: error[bad-date] start: expected a date from 1900-01-01 to 2199-12-31, "
            "got 0001-01-01") in shown
    assert (f"{pairs}/pair.yml:4:14: error[bad-date] planned_end: expected a date from 1900-01-01 to "
            "2199-12-31, got 9999-12-31") in shown
    assert (f"{pairs}/agreement.md:2:18: error[out-of-range] cadence.every: expected a number of at most 366, "
            "got the number 99999999999") in shown
    assert (f"{pairs}/sessions/2026-02-03.md:3:10: error[out-of-range] minutes: expected a number of at most "
            "1440, got the number 100000") in shown
    assert checked.pair_records("cy-dee") is not None


@pytest.mark.slow
@pytest.mark.parametrize(("setting", "environment", "message"), [
    ("as_of: 9999-12-31", {}, "as_of: expected a date from 1900-01-01 to 2199-12-31, got 9999-12-31"),
    ("as_of: 0001-01-01", {}, "as_of: expected a date from 1900-01-01 to 2199-12-31, got 0001-01-01"),
    ("jobs: 1", {"SOURCE_DATE_EPOCH": "99999999999999"},
     "as_of: expected SOURCE_DATE_EPOCH as seconds since 1970, got '99999999999999'"),
    ("jobs: 1", {"SOURCE_DATE_EPOCH": "soon"}, "as_of: expected SOURCE_DATE_EPOCH as seconds since 1970, got 'soon'"),
], ids=["far-future", "far-past", "epoch-overflow", "epoch-text"])
def test_a_day_of_the_figures_past_what_they_can_hold_is_a_message(tmp_path: Path, setting: str,
                                                                    environment: dict[str, str],
                                                                    message: str) -> None:
    config = BASE_PROGRAM["mkdocs.yml"].replace("  - mentorsite\n", f"  - mentorsite:\n      {setting}\n")
    folder = write_files(tmp_path, {**BASE_PROGRAM, "mkdocs.yml": config})
    for command in (("build",), ("check", "--practices")):
        result = subprocess.run([sys.executable, "-m", "mentorsite", *command], cwd=folder,
                                env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **environment,
                                     "PYTHONPATH": str(Path(__file__).parent.parent)},
                                capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr, result.stderr
        assert message in result.stderr + result.stdout, result.stderr  # check lists it with the others


# Markdown that nests deeper than the renderer can go ------------------------------------

def _nested_list(levels: int) -> str:
    return "".join("    " * level + "- item\n" for level in range(levels + 1))


NESTED = {
    "lists": (_nested_list(101), "107:401: error[too-deep] expected at most 100 levels of indentation "
                                 "(nested lists or blocks), got more; the text cannot be rendered"),
    "quotes": ("Notes.\n\n" + ">" * 101 + " deep\n", "8:101: error[too-deep] expected at most 100 levels of "
                                                     "quotes ('>'), got more; the text cannot be rendered"),
    "blocks": ("".join('<div markdown="1">\n\n' for _ in range(101)), "206:1: error[too-deep] expected at "
               "most 100 levels of HTML blocks with Markdown inside, got more; the text cannot be rendered"),
}


def _session_problems(tmp_path: Path, body: str) -> list[str]:
    """The problems of a program whose session note of ana-ben has ``body``; the other pair still checked."""
    session = f"---\ndate: 2026-02-03\nagenda: [Goals]\n---\n\n{body}"
    files = {**BASE_PROGRAM, **OTHER_PAIR, "content/pairs/ana-ben/sessions/2026-02-03.md": session}
    folder = write_files(tmp_path, files)
    checked = read_program(folder / "content", folder)
    assert checked.pair_records("cy-dee") is not None
    return [str(d) for d in checked.diagnostics]


@pytest.mark.parametrize("case", NESTED)
def test_markdown_that_nests_too_deeply_is_refused_by_check_at_its_line(tmp_path: Path, case: str) -> None:
    body, message = NESTED[case]
    assert f"content/pairs/ana-ben/sessions/2026-02-03.md:{message}" in _session_problems(tmp_path, body)


def test_deep_nesting_in_a_field_and_in_a_guideline_is_refused_too(tmp_path: Path) -> None:
    session = f"---\ndate: 2026-02-03\nagenda:\n  - \"{'>' * 101} deep\"\n---\n\nNotes.\n"
    guideline = "content/handbook/guidelines/regular-meetings.md"
    files = {**BASE_PROGRAM, "content/pairs/ana-ben/sessions/2026-02-03.md": session,
             guideline: BASE_PROGRAM[guideline] + "\n" + _nested_list(120)}
    folder = write_files(tmp_path, files)
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert any(line.startswith("content/pairs/ana-ben/sessions/2026-02-03.md:4:5: error[too-deep] agenda[0]: ")
               for line in shown), shown
    assert any(line.startswith(f"{guideline}:") and "error[too-deep]" in line for line in shown), shown
    assert [d.code for d in checked.handbook_problems()] == ["too-deep"]


def test_nesting_at_the_bound_is_checked_clean() -> None:
    from mentorsite.reading.nesting import too_deep

    assert too_deep(_nested_list(100)) is None
    assert too_deep(">" * 100 + " x\n") is None
    assert too_deep("".join('<div markdown="1">\n\n</div>\n' for _ in range(500))) is None  # closed each time


@pytest.mark.slow
def test_a_list_at_the_nesting_bound_builds(tmp_path: Path) -> None:
    session = f"---\ndate: 2026-02-03\nagenda: [Goals]\n---\n\n{_nested_list(100)}"
    folder = write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/ana-ben/sessions/2026-02-03.md": session})
    result = mentorsite(folder, "build", "--pair", "ana-ben")
    assert result.returncode == 0, result.stderr
    page = (folder / "site-private/pairs/ana-ben/sessions/2026-02-03.html").read_text(encoding="utf-8")
    assert page.count("<li>") >= 101


def test_text_the_renderer_cannot_nest_keeps_the_pair_unbuilt_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: were `check` to miss such text, the pair is not built and says why."""
    from click.testing import CliRunner

    from mentorsite.checking import inclusions
    from mentorsite.cli import main

    monkeypatch.setattr(inclusions, "too_deep", lambda text: None)
    # A text field, which the page's Markdown renders (a body has a renderer of its own, which
    # bounds its nesting: see test_record_bodies.py).
    nested = "".join(f"  {line}\n" for line in _nested_list(400).splitlines())
    agreement = ("---\ncadence: {every: 2, unit: weeks}\nchannels: [video]\nconfidentiality: |\n" + nested
                 + "goals: [speaking]\n---\n")
    folder = write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/ana-ben/agreement.md": agreement})
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["build", "--pair", "ana-ben", "--jobs", "1"])
    assert result.exit_code == 1
    assert not isinstance(result.exception, RecursionError)
    assert "1 pair not built" in result.output
    assert not (folder / "site-private/pairs/ana-ben").exists()


# Record files that cannot be read -------------------------------------------------------

def test_a_record_swapped_for_a_pipe_after_the_listing_is_refused_without_waiting(tmp_path: Path) -> None:
    import signal

    from mentorsite.reading.loading import _Finder

    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    pipe = folder / "content/pairs/ana-ben/sessions/2026-02-10.md"
    os.mkfifo(pipe)
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("reading a pipe waited for a writer"))
    signal.alarm(5)
    try:
        found = _Finder(folder / "content", folder).read(pipe)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert str(found) == ("content/pairs/ana-ben/sessions/2026-02-10.md:1:1: error[unreadable] expected a plain "
                          "file, got another kind (a pipe, a device or a socket); it is not read")


def test_a_record_that_cannot_be_opened_is_an_error_of_that_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorsite.reading import loading

    folder = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR})
    refused = str(folder / "content/pairs/ana-ben/goals/speaking.md")
    opening = os.open

    def open_unless_refused(path: str | os.PathLike[str], flags: int, *rest: int) -> int:
        if os.fspath(path).endswith(refused):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return opening(path, flags, *rest)

    monkeypatch.setattr(loading.os, "open", open_unless_refused)
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert ("content/pairs/ana-ben/goals/speaking.md:1:1: error[unreadable] cannot be read: permission denied"
            in shown)
    assert checked.pair_records("cy-dee") is not None


# A program's own templates that fail while computing -------------------------------------

FAILING_TEMPLATES = {
    "division": ("{{ 1 // 0 }}", "templates/portfolio/session.md.j2:1:1: error[template] expected a template that "
                 "can compute its values, got ZeroDivisionError: integer division or modulo by zero"),
    "types": ("{{ 'a' + 1 }}", "templates/portfolio/session.md.j2:1:1: error[template] expected a template that "
              "can compute its values, got TypeError: can only concatenate str (not \"int\") to str"),
    "itself": ("{% include 'portfolio/session.md.j2' %}", "error[template] expected a template that ends, got one "
               "that includes or calls itself without end"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", FAILING_TEMPLATES)
def test_a_template_that_fails_while_computing_is_a_located_message(tmp_path: Path, case: str) -> None:
    template, message = FAILING_TEMPLATES[case]
    folder = write_files(tmp_path, {**BASE_PROGRAM, "templates/portfolio/session.md.j2": template})
    result = mentorsite(folder, "build", "--jobs", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("arguments", [
    ("new", "session", "ana-ben", "--date", "9999-12-31"),
    ("new", "checkin", "ana-ben", "--date", "0001-01-01"),
    ("new", "agreement", "ana-ben", "--every", "999999999999"),
    ("new", "agreement", "ana-ben", "--minutes", "99999"),
], ids=["session-9999", "checkin-0001", "every", "minutes"])
def test_a_new_record_past_what_the_figures_can_hold_is_refused_before_writing(
        tmp_path: Path, arguments: tuple[str, ...]) -> None:
    files = {k: v for k, v in BASE_PROGRAM.items() if not k.endswith("agreement.md")}
    folder = write_files(tmp_path, files)
    before = sorted(p.relative_to(folder) for p in (folder / "content").rglob("*"))
    result = mentorsite(folder, *arguments)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert "Error: Invalid value for '--" in result.stderr
    assert sorted(p.relative_to(folder) for p in (folder / "content").rglob("*")) == before


# The build's own earlier output, damaged --------------------------------------------------

@pytest.mark.slow
def test_a_damaged_review_summary_is_withdrawn_and_built_again(tmp_path: Path) -> None:
    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    assert mentorsite(folder, "build").returncode == 0
    summary = folder / "site-private/review/ana-ben/summary.json"
    assert summary.is_file()
    summary.write_text('{"pair_id": "ana-ben", "cut sho', encoding="utf-8")
    result = mentorsite(folder, "build")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert ("mentorsite: the review edition of ana-ben was damaged (review/ana-ben/summary.json cannot be "
            "read): it is withdrawn, and built again by the next build") in result.stderr
    assert not (folder / "site-private/review/ana-ben").exists()
    assert "ana-ben" not in (folder / "site-private/review/index.html").read_text(encoding="utf-8")
    again = mentorsite(folder, "build")
    assert again.returncode == 0, again.stderr
    assert summary.is_file()
    assert "ana-ben" in (folder / "site-private/review/index.html").read_text(encoding="utf-8")


def _deploy_branch(folder: Path, files: dict[str, str]) -> None:
    """A gh-pages branch holding ``files``, as if published by hand or damaged."""
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", *arguments], cwd=folder,
                       check=True, capture_output=True, timeout=60)

    git("init", "--quiet", "--initial-branch", "main")
    git("add", "--all")
    git("commit", "--quiet", "--message", "Records")
    git("checkout", "--quiet", "--orphan", "gh-pages")
    git("rm", "--quiet", "-r", "--cached", ".")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    git("add", *files)
    git("commit", "--quiet", "--message", "Published")
    git("checkout", "--quiet", "--force", "main")


@pytest.mark.slow
@pytest.mark.parametrize("listing", ['[{"version": "2026.1"', '{"version": "2026.1"}', '[{"title": "x"}]',
                                     '[{"version": "2026.1", "aliases": 5}]'],
                         ids=["cut-short", "not-a-list", "no-version", "aliases-a-number"])
def test_a_damaged_list_of_published_editions_is_a_message(tmp_path: Path, listing: str) -> None:
    folder = write_files(tmp_path, {**BASE_PROGRAM, ".gitignore": "site/\nsite-private/\n"})
    _deploy_branch(folder, {"versions.json": listing})
    for command in (("check",), ("build",)):
        result = mentorsite(folder, *command)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert "gh-pages:versions.json: expected the list of published editions, got text that cannot be read" \
            in result.stderr, result.stderr


@pytest.mark.slow
def test_a_damaged_manifest_of_one_edition_leaves_its_changes_out(tmp_path: Path) -> None:
    folder = write_files(tmp_path, {**BASE_PROGRAM, ".gitignore": "site/\nsite-private/\n"})
    _deploy_branch(folder, {"versions.json": '[{"version": "2026.1", "title": "2026.1", "aliases": ["latest"]}]',
                            "2026.1/mentorsite-manifest.json": '{"format": 1, "guidel'})
    result = mentorsite(folder, "build")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# Markdown that the renderer would take minutes over ----------------------------------------

SLOW_TO_RENDER = {
    "brackets": ("[" * 30000, "6:501: error[too-deep] expected at most 500 brackets '[' open at once, got more; "
                 "the text would take too long to render"),
    "links": ("[a](" * 50000, "6:2004: error[too-deep] expected at most 500 parentheses '(' open at once, got "
              "more; the text would take too long to render"),
    "elements": ("<div>" * 20000, "6:2501: error[too-deep] expected at most 500 HTML elements open at once, got "
                 "more; the text would take too long to render"),
    "unended tags": ("<a href='" * 5000, "6:4501: error[too-deep] expected at most 500 HTML elements open at "
                     "once, got more; the text would take too long to render"),
}


@pytest.mark.parametrize("case", SLOW_TO_RENDER)
def test_markdown_that_would_take_minutes_to_render_is_refused_by_check(tmp_path: Path, case: str) -> None:
    body, message = SLOW_TO_RENDER[case]
    assert f"content/pairs/ana-ben/sessions/2026-02-03.md:{message}" in _session_problems(tmp_path, body + "\n")


def test_text_with_many_closed_links_and_elements_is_checked_clean() -> None:
    from mentorsite.reading.nesting import too_deep

    assert too_deep("[a link](https://example.invalid/x) and (a remark) " * 5000) is None
    assert too_deep("<p>para <em>one</em><br></p>\n" * 5000) is None
    assert too_deep("[" * 500 + "]" * 500) is None


@pytest.mark.slow
def test_a_handbook_page_that_would_take_minutes_to_render_stops_the_build_at_once(tmp_path: Path) -> None:
    folder = write_files(tmp_path, {**BASE_PROGRAM, "content/handbook/index.md": "# Home\n\n" + "[" * 30000})
    result = mentorsite(folder, "build")
    assert result.returncode == 1
    assert "content/handbook/index.md:3:501: error[too-deep]" in result.stderr, result.stderr


# Odd kinds of files where the program reads or writes ---------------------------------------

def _run(folder: Path, *arguments: str, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=folder, env=environment,
                          capture_output=True, text=True, check=False, timeout=timeout)


@pytest.mark.slow
def test_a_loop_of_links_is_a_message_naming_it_not_an_internal_error(tmp_path: Path) -> None:
    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    guidelines = folder / "content/handbook/guidelines"
    (guidelines / "loop.md").symlink_to("other.md")
    (guidelines / "other.md").symlink_to("loop.md")
    for command in (("check",), ("build",)):
        result = _run(folder, *command)
        assert result.returncode == 1, result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert ("content/handbook/guidelines/loop.md:1:1: error[broken-link] is a link that leads nowhere "
                "(its target is missing, or links lead to each other in a loop); it is not read") in \
            result.stdout + result.stderr


def test_a_loop_of_links_met_by_resolve_is_told_as_the_loop_it_is(tmp_path: Path) -> None:
    from mentorsite.files.failures import as_os_error, describe

    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    try:
        (tmp_path / "a").resolve(strict=True)
    except (RuntimeError, OSError) as raised:
        error = as_os_error(raised)
    assert isinstance(error, OSError)
    assert describe(error, tmp_path) == ("cannot open a: there are too many symbolic links in the path (a link "
                                         "that leads to itself?); fix or remove the link")


@pytest.mark.slow
def test_dead_links_pipes_and_unreadable_folders_are_errors_of_check_and_nothing_waits(tmp_path: Path) -> None:
    folder = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR})
    (folder / "content/handbook/dangling.md").symlink_to("nowhere.md")
    os.mkfifo(folder / "content/handbook/waiting.md")
    (folder / "content/pairs/ee-ff").symlink_to("ee-ff")  # a pair folder that is a link to itself
    result = _run(folder, "check", timeout=30)
    assert result.returncode == 1
    assert ("content/handbook/dangling.md:1:1: error[broken-link] is a link that leads nowhere (its target is "
            "missing, or links lead to each other in a loop); the handbook cannot read it") in result.stdout
    assert ("content/handbook/waiting.md:1:1: error[unreadable] expected a plain file, got another kind (a pipe, "
            "a device or a socket); the handbook would read it") in result.stdout
    assert "content/pairs/ee-ff:1:1: error[broken-link]" in result.stdout
    build = _run(folder, "build", timeout=60)  # stops on the handbook's errors before MkDocs reads the pipe
    assert build.returncode == 1 and "Traceback" not in build.stderr


def test_a_folder_that_cannot_be_listed_is_an_error_of_that_folder_and_the_rest_is_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorsite.reading import loading

    folder = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR})
    refused = folder / "content/pairs/ana-ben/sessions"
    listing = os.scandir

    def scandir_unless_refused(path: str | os.PathLike[str]) -> Any:
        if Path(path) == refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return listing(path)

    monkeypatch.setattr(loading.os, "scandir", scandir_unless_refused)
    checked = read_program(folder / "content", folder)
    shown = [str(d) for d in checked.diagnostics]
    assert ("content/pairs/ana-ben/sessions:1:1: error[unreadable] cannot be read: permission denied; nothing "
            "in it is checked") in shown
    assert any(line.startswith("content/pairs/cy-dee/pair.yml:5:1: warning[unknown-key]") for line in shown)


@pytest.mark.slow
def test_a_pipe_for_mkdocs_yml_or_the_keys_file_is_a_message_at_once(tmp_path: Path) -> None:
    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    config = folder / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.unlink()
    os.mkfifo(config)
    result = _run(folder, "check", timeout=30)
    assert result.returncode == 1
    assert ("mkdocs.yml:1:1: error[unreadable] cannot use mkdocs.yml: expected a plain file, got another kind "
            "(a pipe, a device or a socket)") in result.stderr, result.stderr
    config.unlink()
    config.write_text(text.replace("  - mentorsite\n", "  - mentorsite:\n      encryption: {enabled: true, "
                                   "keys_file: keys.yml}\n"), encoding="utf-8")
    os.mkfifo(folder / "keys.yml")
    for command in (("keys", "list"), ("keys", "folder-secret"), ("keys", "rotate", "ana-ben")):
        result = _run(folder, *command, timeout=30)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert "expected a plain file, got another kind (a pipe, a device or a socket)" in result.stderr, \
            (command, result.stderr)


@pytest.mark.slow
def test_export_replaces_only_a_plain_file_in_a_folder_that_exists(tmp_path: Path) -> None:
    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    os.mkfifo(folder / "pipe.zip")
    (folder / "link.zip").symlink_to("elsewhere.zip")
    cases = {"pipe.zip": "it is a device, a pipe or a socket", "link.zip": "it is a symbolic link"}
    for target, why in cases.items():
        result = _run(folder, "export", "ana-ben", "-o", target)
        assert result.returncode == 1, result.stderr
        assert f"mentorsite: cannot export to {target}: {why}" in result.stderr, result.stderr
    assert (folder / "pipe.zip").is_fifo() and (folder / "link.zip").is_symlink()
    assert not (folder / "elsewhere.zip").exists()
    (folder / "old.zip").write_bytes(b"an earlier export")
    assert _run(folder, "export", "ana-ben", "-o", "old.zip").returncode == 0


@pytest.mark.slow
def test_serving_on_a_busy_or_impossible_port_is_a_message(tmp_path: Path) -> None:
    import socket

    folder = write_files(tmp_path, dict(BASE_PROGRAM))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        for arguments in (("serve",), ("serve", "--pair", "ana-ben")):
            result = _run(folder, *arguments, "-a", address, timeout=60)
            assert result.returncode == 1, result.stderr
            assert f"Error: cannot serve on {address}: the address is in use; choose another with -a" \
                in result.stderr, result.stderr
    result = _run(folder, "serve", "-a", "127.0.0.1:99999")
    assert result.returncode == 2
    assert "expected a port from 1 to 65535, got 99999" in result.stderr


def test_a_fault_that_names_no_file_says_what_the_command_was_writing(program_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from click.testing import CliRunner

    from mentorsite import cli
    from mentorsite.cli import authoring

    def full(*arguments: object, **keywords: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(authoring, "write_schemas", full)
    monkeypatch.chdir(program_dir)
    result = CliRunner().invoke(cli.main, ["schema"])
    assert result.exit_code == 1
    assert result.output == ("Error: cannot write the schemas: no space is left on the device; free some space, "
                             "then run again\n")


def test_schemas_are_written_whole_so_a_full_disk_keeps_the_earlier_ones(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from mentorsite.model import schemas

    written = schemas.write_schemas(tmp_path)
    for path in written:
        path.write_text("an earlier schema\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in written}
    real_fdopen = os.fdopen

    class FullFile:
        def __init__(self, handle: int, *arguments: Any, **keywords: Any) -> None:
            self.file = real_fdopen(handle, *arguments, **keywords)

        def __enter__(self) -> FullFile:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, text: str) -> int:
            self.file.write(text[: len(text) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(schemas.os, "fdopen", FullFile)
    with pytest.raises(OSError):
        schemas.write_schemas(tmp_path)
    assert {path.name: path.read_bytes() for path in written} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)  # no scratch file left
