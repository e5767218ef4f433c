"""Names the build could not write, ids that would take a generated page, located YAML errors (issue 17).

A pair id, goal id, session file name or guideline id past what the file system takes in
one name (with the longer names the build derives from it) used to pass ``check`` and then
stop the build of every pair with ENAMETOOLONG; a goal ``index`` took the place of the list
of goals; an unclosed list was reported at the closing ``---`` instead of where it opens.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorsite.checking.program import RESERVED_PAIR_IDS, read_program
from mentorsite.checking.validation import validate_record
from mentorsite.model.editions import EDITIONS, Edition
from mentorsite.model.records import Goal, Guideline, Session
from mentorsite.pages import portfolio
from mentorsite.pages.rendering import create_environment
from mentorsite.reading.positions import Positions
from mentorsite.reading.sources import Document, read_markdown, read_yaml
from tests.programs import BASE_PROGRAM, write_files

# What is new with these checks is imported in the tests that use it, so that every other
# test runs, and fails on what it checks, against code without them.

PAIR = "content/pairs/ana-ben"
GOAL = BASE_PROGRAM[f"{PAIR}/goals/speaking.md"]
SESSION = BASE_PROGRAM[f"{PAIR}/sessions/2026-02-03.md"]
GUIDELINE = BASE_PROGRAM["content/handbook/guidelines/regular-meetings.md"]
OTHER_PAIR = {"content/pairs/cy-dee/pair.yml": "mentor: {name: Cy Moss}\nmentee: {name: Dee Ray}\n"
                                               "start: 2026-01-05\nstatus: proposed\nsumary: a typo\n"}
NAME_MAX = os.pathconf(Path.cwd(), "PC_NAME_MAX")
NAME_LIMIT = f"the file system takes at most {NAME_MAX} bytes in one name"


def checked_messages(program: Path, code: str = "name-too-long") -> list[str]:
    checked = read_program(program / "content", program)
    return [str(d) for d in checked.diagnostics if d.code == code]


def limit_of(kind: str) -> int:
    """The longest name of a kind that the build can write, worked out here on its own.

    A pair's longest derived name is its withdrawn folder, '.mentorsite-withdrawn-<id>-<pid>'
    with a pid of up to 10 digits (a 32-bit pid_t); a page's is '<id>.html'.
    """
    if kind == "pair":
        return NAME_MAX - len(".mentorsite-withdrawn--") - len(str(2**31 - 1))
    return NAME_MAX - len(".html")


def size(text: str) -> int:
    return len(text.encode("utf-8"))


# Names: one byte under the limit passes, one byte over is refused --------------------------


def pair_program(pair_id: str) -> dict[str, str | bytes]:
    return {key.replace("ana-ben", pair_id): value for key, value in {**BASE_PROGRAM, **OTHER_PAIR}.items()}


def test_the_limits_come_from_the_file_system_and_the_writers_forms() -> None:
    from mentorsite.reading import limits
    from mentorsite.reading.limits import NameLimits
    from mentorsite.site import stamps

    found = NameLimits.of(Path("/no/such/place/site-private"), Path("/no/such/place/site"))
    assert found.name_max == os.pathconf("/", "PC_NAME_MAX")  # the nearest folder that exists
    assert found.pair_id().most == limit_of("pair")
    assert found.page_id("goals", "ana-ben").most == limit_of("goals")
    assert found.page_id("guidelines", None).most == limit_of("guidelines")
    assert limits.size("é") == 2
    # The forms are the writers': the stamps and summary file the portfolio build names.
    assert limits.STAMP_PREFIXES == (stamps.PAIR_STAMP, stamps.SHARED_STAMP, stamps.SEALED_STAMP)
    assert limits.SUMMARY_FILE == stamps.SUMMARY_FILE
    assert {f"{{id}}-{edition}.zip" for edition in EDITIONS} <= set(limits.export_forms())
    # And the names written where no constant says them: the export's folder, the withdrawn copy.
    from mentorsite.files import output
    from mentorsite.site import preview

    assert f'prefix="{limits.EXPORT_FOLDER}"' in inspect.getsource(preview.export_pair)
    assert 'f"{SCRATCH_MARK}withdrawn-{target.name}-{os.getpid()}"' in inspect.getsource(output.withdraw)


def test_a_pair_id_one_byte_over_the_limit_is_refused_and_one_under_passes(tmp_path: Path) -> None:
    most = limit_of("pair")
    fits, too_long = "p" * most, "q" * (most + 1)
    program = write_files(tmp_path, {**pair_program(fits), **pair_program(too_long)})
    checked = read_program(program / "content", program)
    assert [str(d) for d in checked.diagnostics if d.code == "name-too-long"] == [
        f"content/pairs/{too_long}/pair.yml:1:1: error[name-too-long] id: expected a pair id (the folder name) "
        f"of at most {most} bytes, got {most + 1}: the build derives the name '.mentorsite-withdrawn-<id>-<pid>' "
        f"from it, and {NAME_LIMIT}; shorten it by 1 byte"]
    assert checked.pair_records(fits) is not None and not checked.pair_problems(fits)
    assert any(d.code == "unknown-key" for d in checked.pair_problems("cy-dee"))  # the other pairs are checked
    assert checked.handbook_problems() == []


@pytest.mark.parametrize(("kind", "folder", "record", "name"), [
    ("goal", "goals", GOAL, "{id}"),
    ("session", "sessions", SESSION, "2026-02-03-{id}"),
])
def test_a_page_id_from_a_file_name_one_byte_over_the_limit_is_refused(
        tmp_path: Path, kind: str, folder: str, record: str, name: str) -> None:
    most = limit_of(folder)
    prefix = name.replace("{id}", "")
    fits = f"{PAIR}/{folder}/{prefix}{'a' * (most - len(prefix))}.md"
    too_long = f"{PAIR}/{folder}/{prefix}{'b' * (most + 1 - len(prefix))}.md"
    # A check-in's file name is its date (the check-ins share one page): no longer name passes.
    checkin = f"{PAIR}/checkins/2026-03-02-{'c' * (most - 11)}.md"
    program = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, fits: record, too_long: record,
                                     checkin: "---\ndate: 2026-03-02\n---\n"})
    assert checked_messages(program) == [
        f"{too_long}:1:1: error[name-too-long] id: expected a {kind} id (the file name) of at most {most} bytes, "
        f"got {most + 1}: the build derives the name '<id>.html' from it, and {NAME_LIMIT}; shorten it by 1 byte"]
    assert checked_messages(program, "bad-file-name") == [
        f"{checkin}:1:1: error[bad-file-name] expected a file name YYYY-MM-DD.md, got '{Path(checkin).name}'; "
        "rename it 2026-03-02.md (the date it gives)"]


def test_a_goal_and_a_guideline_id_written_in_the_record_are_measured_at_the_value(tmp_path: Path) -> None:
    most = limit_of("goals")
    goal = GOAL.replace("status:", f"id: {'g' * (most + 2)}\nstatus:")
    guideline = GUIDELINE.replace("order: 2", f"order: 2\nid: {'h' * (most + 1)}")
    fitting = GUIDELINE.replace("order: 2", f"order: 3\nid: {'k' * most}")
    program = write_files(tmp_path, {**BASE_PROGRAM, f"{PAIR}/goals/short.md": goal,
                                     "content/handbook/guidelines/long.md": guideline,
                                     "content/handbook/guidelines/fits.md": fitting})
    assert checked_messages(program) == [
        f"content/handbook/guidelines/long.md:7:5: error[name-too-long] id: expected a guideline id of at most "
        f"{most} bytes, got {most + 1}: the build derives the name '<id>.html' from it, and {NAME_LIMIT}; "
        "shorten it by 1 byte",
        f"{PAIR}/goals/short.md:3:5: error[name-too-long] id: expected a goal id of at most {most} bytes, got "
        f"{most + 2}: the build derives the name '<id>.html' from it, and {NAME_LIMIT}; shorten it by 2 bytes"]


def test_a_page_of_the_handbook_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    """Markdown pages of docs_dir that are no guideline are written as '<name>.html' too."""
    most = limit_of("pages")
    fits, too_long = f"content/handbook/{'a' * most}.md", f"content/handbook/more/{'b' * (most + 1)}.mkd"
    program = write_files(tmp_path, {**BASE_PROGRAM, fits: "# Fits\n", too_long: "# Too long\n",
                                     f"content/handbook/{'c' * (most + 1)}.png": b"not a page"})
    assert checked_messages(program) == [
        f"{too_long}:1:1: error[name-too-long] expected a page name (the file name without its ending) of at most "
        f"{most} bytes, got {most + 1}: the build derives the name '<id>.html' from it, and {NAME_LIMIT}; "
        "shorten it by 1 byte"]


def test_a_name_is_measured_in_bytes_not_characters(tmp_path: Path) -> None:
    most = limit_of("goals")
    name = "é" * ((most + 2) // 2)  # fewer characters than the limit, more bytes
    assert len(name) < most < size(name)
    program = write_files(tmp_path, {**BASE_PROGRAM, f"{PAIR}/goals/{name}.md": GOAL})
    assert checked_messages(program) == [
        f"{PAIR}/goals/{name}.md:1:1: error[name-too-long] id: expected a goal id (the file name) of at most "
        f"{most} bytes, got {size(name)}: the build derives the name '<id>.html' from it, and {NAME_LIMIT}; "
        f"shorten it by {size(name) - most} bytes"]


def test_a_deep_private_folder_limits_the_paths_of_the_pages(tmp_path: Path) -> None:
    from mentorsite.reading.limits import NameLimits
    from mentorsite.reading.loading import ProgramPlaces

    program = write_files(tmp_path, {**BASE_PROGRAM})
    deep = program / "/".join(["d" * 200] * 19)  # never made: the limits are read from the nearest parent
    places = ProgramPlaces.defaults(program / "content")
    places = ProgramPlaces(places.program_dir, places.pairs_dir, places.docs_dir,
                           (("site_dir", program / "site"), ("private_dir", deep)), places.private)
    found = NameLimits.of(deep, program / "site").page_id("goals", "ana-ben")
    assert "/" in found.form and found.most < 250
    for goal_id, expected in [("a" * found.most, []), ("b" * (found.most + 1), ["path"])]:
        (program / f"{PAIR}/goals/{goal_id}.md").write_text(GOAL, encoding="utf-8")
        checked = read_program(program / "content", program, places=places)
        refused = [d for d in checked.diagnostics if d.code == "name-too-long"]
        assert ["path" for d in refused if "paths of fewer than 4096 bytes; shorten it by 1 byte" in d.message
                and f"{deep}/review/.mentorsite-withdrawn-ana-ben-<pid>/goals/<id>/index.html" in d.message] \
            == expected
        (program / f"{PAIR}/goals/{goal_id}.md").unlink()


def mentorsite(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=program, env=environment,
                          capture_output=True, text=True, check=False, timeout=240)


@pytest.mark.slow
def test_names_at_the_limits_build_and_names_past_them_stop_at_check(tmp_path: Path) -> None:
    """Every kind at its limit builds (twice, so the swap names are written too, then exports and
    withdraws); one byte more is refused by `check` and the build keeps the other pairs."""
    pair = "p" * limit_of("pair")
    at_limit = {key.replace("ana-ben", pair): value for key, value in BASE_PROGRAM.items()}
    page_most = limit_of("goals")
    at_limit |= {f"content/pairs/{pair}/goals/{'g' * page_most}.md": GOAL,
                 f"content/pairs/{pair}/sessions/2026-02-03-{'s' * (page_most - 11)}.md": SESSION,
                 f"content/handbook/guidelines/{'h' * page_most}.md": GUIDELINE,
                 f"content/handbook/{'a' * page_most}.md": "# A page of the handbook\n"}
    program = write_files(tmp_path / "program", {**at_limit, **OTHER_PAIR})
    for _ in range(2):
        built = mentorsite(program, "build")
        assert (built.returncode, "Traceback" in built.stderr) == (0, False), built.stderr[-2000:]
        (program / f"content/pairs/{pair}/goals/{'g' * page_most}.md").write_text(GOAL + "\nMore.\n")
    assert (program / f"site-private/review/{pair}/goals/{'g' * page_most}.html").is_file()
    assert (program / f"site/guidelines/{'h' * page_most}/index.html").is_file()
    assert (program / f"site/{'a' * page_most}/index.html").is_file()
    exported = mentorsite(program, "export", pair, "--edition", "review")
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(program / f"site-private/exports/{pair}-review.zip") as archive:
        assert f"{pair}-review/index.html" in archive.namelist()

    over = "q" * (len(pair) + 1)
    (program / f"content/pairs/{pair}").rename(program / f"content/pairs/{over}")
    checked = mentorsite(program, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert f"content/pairs/{over}/pair.yml:1:1: error[name-too-long] id: expected a pair id" in checked.stdout
    built = mentorsite(program, "build")
    assert built.returncode != 0 and "Traceback" not in built.stderr and "[Errno 36]" not in built.stderr
    assert "error[name-too-long]" in built.stdout + built.stderr
    assert (program / "site-private/pairs/cy-dee/index.html").is_file()  # the other pair is still built
    assert not (program / f"site-private/pairs/{pair}").exists()  # withdrawn: its records are gone
    assert not any(p.name.startswith(".mentorsite-") for p in (program / "site-private/pairs").iterdir())


# Reserved ids: one table of the portfolio's pages, for the pages and for the checks ---------


def render_example(folder: Path, edition: Edition) -> portfolio.Portfolio:
    """Every page of a pair that has every kind of record (and every practice check, which the scorecard shows)."""
    program = write_files(folder, {**BASE_PROGRAM})
    checked = read_program(program / "content", program)
    records = checked.pair_records("ana-ben")
    assert records is not None and records.goals and records.sessions and records.checkins and records.closing
    settings = portfolio.PortfolioSettings(as_of=date(2026, 11, 21))
    return portfolio.render_portfolio(records, edition, checked.program.handbook, settings, create_environment())


def test_every_page_of_the_portfolio_is_in_the_table(tmp_path: Path) -> None:
    """render_portfolio names its pages from PORTFOLIO_PAGES (see the next test for the proof it reads it)."""
    from mentorsite.model.page_table import PORTFOLIO_PAGES

    rendered = {page.uri for edition in EDITIONS for page in render_example(tmp_path / edition, edition).pages}
    patterns = [page.uri for page in PORTFOLIO_PAGES.values()]
    assert rendered
    for uri in rendered:
        assert any(uri == pattern or (uri.startswith(pattern.split("{id}")[0]) and "{id}" in pattern)
                   for pattern in patterns), uri
    assert set(portfolio.EVIDENCE_PAGES.values()) <= set(patterns)


def test_a_page_added_to_the_table_is_generated_and_its_name_refused(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorsite.model.page_table import PORTFOLIO_PAGES, PortfolioPage

    monkeypatch.setitem(PORTFOLIO_PAGES, "goals", PortfolioPage("goals/all.md", "the list of goals"))
    assert "goals/all.md" in {page.uri for page in render_example(tmp_path / "pages", "pair").pages}
    files: dict[str, str | bytes] = {**BASE_PROGRAM, f"{PAIR}/goals/all.md": GOAL, f"{PAIR}/goals/index.md": GOAL}
    program = write_files(tmp_path / "program", files)
    assert checked_messages(program, "reserved-id") == [
        f"{PAIR}/goals/all.md:1:1: error[reserved-id] id: expected a goal id other than 'all', which the list of "
        "goals uses for its page, got 'all' (from the file name); did you mean 'all-goal' (rename the file or "
        "set 'id')?",
        f"{PAIR}/goals/index.md:1:1: error[reserved-id] id: expected a goal id other than 'index', which names "
        "the page of its folder, got 'index' (from the file name); did you mean 'index-goal' (rename the file "
        "or set 'id')?"]


def test_a_page_at_the_top_reserves_every_name_the_site_uses() -> None:
    from mentorsite.model.page_table import PORTFOLIO_PAGES, SITE_FILES, PortfolioPage, reserved_ids

    pages = {**PORTFOLIO_PAGES, "goal": PortfolioPage("{id}.md", "a goal")}
    reserved = reserved_ids(Goal, pages)
    others = {uri.removesuffix(".md").split("/")[0] for uri in (p.uri for p in PORTFOLIO_PAGES.values())}
    assert others - {"{id}"} <= set(reserved)
    assert {name.rstrip("/").removesuffix(".html") for name in SITE_FILES} <= set(reserved)


@pytest.mark.parametrize("record_type", [Goal, Session, Guideline])
def test_every_reserved_id_is_refused_with_a_free_one_as_the_hint(record_type: type[Goal]) -> None:
    from mentorsite.checking.validation import refuse_reserved_id
    from mentorsite.model.page_table import reserved_ids

    reserved = reserved_ids(record_type)
    assert "index" in reserved
    for record_id, why in reserved.items():
        document = Document("x.md", {"id": record_id}, Positions(values={("id",): (3, 5)}))
        found = refuse_reserved_id(record_type, document, "x", taken=[f"{record_id}-goal", f"{record_id}-session"])
        kind = {Goal: "goal", Session: "session", Guideline: "guideline"}[record_type]
        hint = f"{record_id}-{kind}" if kind == "guideline" else f"{record_id}-{kind}-2"
        assert [str(d) for d in found] == [
            f"x.md:3:5: error[reserved-id] id: expected a {kind} id other than '{record_id}', which {why}, "
            f"got '{record_id}'; did you mean '{hint}'?"]


def test_a_goal_named_index_is_refused_and_the_pair_is_not_built_from_it(tmp_path: Path) -> None:
    goal = GOAL.replace("status:", "id: index\nstatus:")
    program = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, f"{PAIR}/goals/other.md": goal,
                                     f"{PAIR}/goals/index-goal.md": GOAL})
    checked = read_program(program / "content", program)
    assert [str(d) for d in checked.diagnostics if d.code == "reserved-id"] == [
        f"{PAIR}/goals/other.md:3:5: error[reserved-id] id: expected a goal id other than 'index', which the list "
        "of goals uses for its page, got 'index'; did you mean 'index-goal-2'?"]
    records = checked.pair_records("ana-ben")
    assert records is not None and "index" not in {g.id for g in records.goals}
    assert checked.pair_records("cy-dee") is not None


def test_every_page_file_of_the_table_is_a_distinct_file() -> None:
    from mentorsite.model.page_table import PORTFOLIO_PAGES, page_files

    written = [file for page in PORTFOLIO_PAGES.values() if "{id}" not in page.uri for file in page_files(page.uri)]
    assert len(written) == len(set(written))
    assert page_files("goals/index.md") == {"goals/index.html"}
    assert page_files("goals/{id}.md".replace("{id}", "x")) == {"goals/x/index.html", "goals/x.html"}


def test_the_reviewer_sites_own_folders_are_no_pair_ids(tmp_path: Path) -> None:
    from mentorsite.model.page_table import SITE_FILES

    assert set(RESERVED_PAIR_IDS) == {name.removesuffix("/") for name in SITE_FILES if name.endswith("/")}
    assert set(RESERVED_PAIR_IDS) == {"assets", "search"}
    files: dict[str, str | bytes] = {**BASE_PROGRAM}
    files |= {f"content/pairs/{name}/pair.yml": OTHER_PAIR["content/pairs/cy-dee/pair.yml"] for name in RESERVED_PAIR_IDS}
    program = write_files(tmp_path, files)
    assert [m.split(": error")[0] for m in checked_messages(program, "reserved-id")] == [
        "content/pairs/assets/pair.yml:1:1", "content/pairs/search/pair.yml:1:1"]


def test_the_themes_folders_and_local_stylesheets_are_no_pair_ids(tmp_path: Path) -> None:
    """The reviewer site holds the theme's static folders and local stylesheets beside the review editions."""
    from mentorsite.reading.loading import ProgramPlaces, site_folders

    theme = write_files(tmp_path / "theme", {"main.html": "", "partials/nav.html": "", "img/logo.svg": "",
                                             "locales/de.po": "", ".hidden/x.js": "", "__pycache__/x.pyc": ""})
    assert site_folders([theme], ["stylesheets/extra.css", "https://elsewhere/x.css", "top.css"]) == (
        "img", "stylesheets")
    pair = OTHER_PAIR["content/pairs/cy-dee/pair.yml"]
    program = write_files(tmp_path / "program", {**BASE_PROGRAM, "content/pairs/stylesheets/pair.yml": pair,
                                                 "content/pairs/stylesheets-pair/pair.yml": pair})
    places = ProgramPlaces.defaults(program / "content")
    places = ProgramPlaces(places.program_dir, places.pairs_dir, places.docs_dir, places.outputs, places.private,
                           places.base_paths, ("assets", "stylesheets"))
    checked = read_program(program / "content", program, places=places)
    assert [str(d) for d in checked.diagnostics if d.code == "reserved-id"] == [
        "content/pairs/stylesheets/pair.yml:1:1: error[reserved-id] id: expected a pair id other than 'assets', "
        "'search' or 'stylesheets', which the reviewer site uses for its own files, got 'stylesheets'; did you "
        "mean 'stylesheets-pair-2' (rename the folder)?"]
    assert checked.pair_records("stylesheets-pair") is not None


@pytest.mark.slow
def test_check_knows_the_folders_of_the_configured_theme(tmp_path: Path) -> None:
    pair = OTHER_PAIR["content/pairs/cy-dee/pair.yml"]
    program = write_files(tmp_path, {**BASE_PROGRAM, "content/pairs/stylesheets/pair.yml": pair,
                                     "mkdocs.yml": BASE_PROGRAM["mkdocs.yml"] + "extra_css: [stylesheets/extra.css]\n"})
    checked = mentorsite(program, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert ("content/pairs/stylesheets/pair.yml:1:1: error[reserved-id] id: expected a pair id other than "
            "'assets', 'search' or 'stylesheets', which") in checked.stdout


def test_an_id_with_a_closing_newline_is_not_a_slug(tmp_path: Path) -> None:
    """'$' in a pattern matches before a closing newline: 'index\\n' would pass as an id."""
    goal = GOAL.replace("status:", 'id: "speaking\\n"\nstatus:')
    document = read_markdown(goal.encode(), "goals/x.md")
    record, found = validate_record(Goal, document, "x")
    assert record is None
    assert [d.code for d in found] == ["unsafe-id"]


def test_a_name_that_is_not_utf8_or_holds_a_control_character_is_refused_where_it_is(tmp_path: Path) -> None:
    """Such a name cannot be shown as it is, and a line break in it could make a message read like another's."""
    program = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, f"{PAIR}/checkins/2026-03-02\n.md": "---\n---\n",
                                     "content/pairs/eve\nx/pair.yml": OTHER_PAIR["content/pairs/cy-dee/pair.yml"]})
    (program / os.fsdecode(f"{PAIR}/goals/bad".encode() + b"\xff.md")).write_text(GOAL, encoding="utf-8")
    checked = read_program(program / "content", program)
    shown = [str(d) for d in checked.diagnostics if d.code == "bad-file-name"]
    assert shown == [
        f"{PAIR}/checkins/2026-03-02\\n.md:1:1: error[bad-file-name] expected a file name without control "
        "characters, got U+000A, so it is not read; rename it",
        f"{PAIR}/goals/bad\\xff.md:1:1: error[bad-file-name] expected a file name in UTF-8, got the byte 0xff, so "
        "it is not read; rename it",
        "content/pairs/eve\\nx:1:1: error[bad-file-name] expected a file name without control characters, got "
        "U+000A, so it is not read; rename it"]
    assert all("\n" not in line for line in map(str, checked.diagnostics))
    assert [str(d).encode("utf-8") for d in checked.diagnostics]  # every message can be printed
    assert checked.pair_records("cy-dee") is not None
    assert any(d.is_error for d in checked.pair_problems("ana-ben"))  # a file of it is not read: it is not built
    assert checked.handbook_problems() == []  # the folder refused for its name is a pair's problem
    assert [d.code for d in checked.pair_problems("eve\\nx")] == ["bad-file-name"]


# Located YAML errors: where the unclosed bracket or quote opens ------------------------------


UNCLOSED = {
    "a list": ("agenda: [a, b", (3, 9), "the list opened with '[' here is not closed; expected ']' before {end}"),
    "a mapping": ("feedback: {mentor: fine", (3, 11),
                  "the mapping opened with '{{' here is not closed; expected '}}' before {end}"),
    "double quotes": ('minutes: "45', (3, 10), 'the text opened with " here is not closed; expected a closing " '
                      "before {end}"),
    "single quotes": ("minutes: '45", (3, 10), "the text opened with ' here is not closed; expected a closing ' "
                      "before {end}"),
    "nested": ("feedback: {mentor: [a, b", (3, 20), "the list opened with '[' here is not closed; expected ']' "
               "before {end}; nor is the mapping opened with '{{' on line 3, column 11"),
    "a quote in a list": ('agenda: [a, "b]', (3, 13), 'the text opened with " here is not closed; expected a '
                          'closing " before {end}'),
    "an empty list": ("agenda: [", (3, 9), "the list opened with '[' here is not closed; expected ']' before {end}"),
}


@pytest.mark.parametrize("case", UNCLOSED, ids=list(UNCLOSED))
def test_an_unclosed_bracket_or_quote_in_front_matter_is_reported_where_it_opens(case: str) -> None:
    line, (row, column), message = UNCLOSED[case]
    text = f"---\ndate: 2026-02-03\n{line}\n---\n\nNotes.\n"
    found = read_markdown(text.encode(), "s.md").diagnostics
    assert [str(d) for d in found] == [
        f"s.md:{row}:{column}: error[yaml-syntax] invalid YAML: {message.format(end=chr(39).join(['the closing ', '---', '']))}"]


@pytest.mark.parametrize("case", UNCLOSED, ids=list(UNCLOSED))
def test_an_unclosed_bracket_or_quote_in_a_yaml_file_is_reported_where_it_opens(case: str) -> None:
    line, (row, column), message = UNCLOSED[case]
    text = f"status: active\n\n{line}\n"
    found = read_yaml(text.encode(), "pair.yml").diagnostics
    assert [str(d) for d in found] == [
        f"pair.yml:{row}:{column}: error[yaml-syntax] invalid YAML: {message.format(end='the end of the file')}"]


def test_a_list_that_runs_into_the_next_field_is_reported_where_it_opens() -> None:
    text = "---\ndate: 2026-02-03\nagenda: [a, b\ngoals: [speaking]\n---\n"
    assert [str(d) for d in read_markdown(text.encode(), "s.md").diagnostics] == [
        "s.md:3:9: error[yaml-syntax] invalid YAML: the list opened with '[' here is not closed; expected ']' "
        "before line 4, column 6"]
    # A stray bracket on the line of the list is where to look: it stays there.
    text = "---\ndate: 2026-02-03\nagenda: [a, }]\n---\n"
    assert [(d.line, d.column) for d in read_markdown(text.encode(), "s.md").diagnostics] == [(3, 13)]


def test_a_quote_closed_only_on_a_later_line_is_reported_where_it_opens() -> None:
    text = 'mentor: {name: Ben}\nsummary: "Ana\'s first year\nstatus: "active"\n'
    assert [str(d) for d in read_yaml(text.encode(), "pair.yml").diagnostics] == [
        'pair.yml:2:10: error[yaml-syntax] invalid YAML: the text opened with " here runs on to line 3, column 9, '
        'where a " closes it; expected a closing " on line 2']


def test_a_second_document_marks_where_the_first_ends() -> None:
    assert [str(d) for d in read_yaml(b"status: active\nagenda: [a, b\n---\nmore: 1\n", "pair.yml").diagnostics] == [
        "pair.yml:2:9: error[yaml-syntax] invalid YAML: the list opened with '[' here is not closed; expected ']' "
        "before the '---' on line 3"]


@settings(max_examples=60, deadline=None)
@given(before=st.integers(0, 4), openers=st.lists(st.sampled_from(["[", "{k: ", '"', "'"]), min_size=1, max_size=4),
       indent=st.integers(0, 3), front_matter=st.booleans())
def test_any_unclosed_nesting_is_reported_at_its_innermost_opening(before: int, openers: list[str], indent: int,
                                                                    front_matter: bool) -> None:
    # A quote ends the nesting: inside it, brackets are text.
    if any(o in "\"'" for o in openers[:-1]):
        openers = [o for o in openers if o not in "\"'"] or ["["]
    fields = "".join(f"f{n}: {n}\n" for n in range(before))
    value = "a, ".join(openers) + "x"
    line = f"key:{' ' * (indent + 1)}{value}"
    innermost = len(line) - len("x") - len(openers[-1]) + 1
    if front_matter:
        found = read_markdown(f"---\n{fields}{line}\n---\nBody.\n".encode(), "s.md").diagnostics
        row = before + 2
    else:
        found = read_yaml(f"{fields}{line}\n".encode(), "pair.yml").diagnostics
        row = before + 1
    assert [(d.line, d.column, d.code) for d in found] == [(row, innermost, "yaml-syntax")]
    assert "is not closed" in found[0].message


def test_a_whole_program_reports_the_unclosed_list_where_it_opens(tmp_path: Path) -> None:
    session = "---\ndate: 2026-02-03\nagenda: [a, b\n---\n\nNotes.\n"
    program = write_files(tmp_path, {**BASE_PROGRAM, **OTHER_PAIR, f"{PAIR}/sessions/2026-02-03.md": session})
    checked = read_program(program / "content", program)
    assert checked_messages(program, "yaml-syntax") == [
        f"{PAIR}/sessions/2026-02-03.md:3:9: error[yaml-syntax] invalid YAML: the list opened with '[' here is "
        "not closed; expected ']' before the closing '---'"]
    assert checked.pair_records("cy-dee") is not None
