"""`mentorsite import`: another tool's handbook as guideline records, then checked and built.

The corpus in tests/import_corpus/ holds a small handbook in each convention (Jekyll, Hugo,
Docusaurus, MkDocs, GitBook), written for these tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mentorsite.authoring.imported_pages import first_sentence, humanise, plain, shorten, take_title
from mentorsite.reading.sources import read_markdown
from tests.conftest import Cli

CORPUS = Path(__file__).parent / "import_corpus"
GUIDELINES = Path("content/handbook/guidelines")
STARTER_GUIDELINES = 6


def started(tmp_path: Path, cli: Cli, convention: str) -> Path:
    """A program from `mentorsite init`, with the convention's handbook copied into its folder as old/."""
    tmp_path.mkdir(exist_ok=True)
    assert cli(tmp_path, "init", "program").returncode == 0
    program = tmp_path / "program"
    shutil.copytree(CORPUS / convention, program / "old")
    return program


def imported(program: Path) -> dict[str, dict[str, object]]:
    """The fields of each guideline an import wrote, by id."""
    records = {}
    for path in sorted((program / GUIDELINES).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "# imported from: " in text:
            document = read_markdown(text.encode(), path.name)
            assert document.diagnostics == []
            records[path.stem] = {**(document.data or {}), "body": document.body}
    return records


def checked_and_built(cli: Cli, program: Path) -> None:
    check = cli(program, "check")
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "0 errors and 0 warnings.\n")
    build = cli(program, "build", "--strict")
    assert build.returncode == 0, build.stderr


JEKYLL_OUTPUT = """\
old/_guides/mentors/02-first-meeting.md:10:1: warning[liquid-tag] a Liquid tag '{% include note.html \
content="Book an hour, not thirty mi...' is not carried over; the guideline shows it as written
old/_guides/mentors/02-first-meeting.md:12:56: warning[liquid-tag] a Liquid tag '{{ page.agreement_name }}' \
is not carried over; the guideline shows it as written
old/index.md:10:12: warning[liquid-tag] a Liquid tag '{{ site.title }}' is not carried over; the guideline \
shows it as written
_guides/mentees/2021-03-04-setting-goals.md -> content/handbook/guidelines/setting-goals.md: id setting-goals, \
topic Mentees
_guides/mentees/asking-for-feedback.md -> content/handbook/guidelines/asking-for-feedback.md: \
id asking-for-feedback, topic Mentees
_guides/mentees/faq.md -> content/handbook/guidelines/faq.md: id faq, topic Mentees
_guides/mentors/01-your-role.md -> content/handbook/guidelines/your-role.md: id your-role, topic Mentors
_guides/mentors/02-first-meeting.md -> content/handbook/guidelines/first-meeting.md: id first-meeting, \
topic Mentors
_guides/mentors/faq.md -> content/handbook/guidelines/faq-2.md: id faq-2, topic Mentors
index.md -> content/handbook/guidelines/mentoring-at-acme.md: id mentoring-at-acme, topic General
_drafts/: skipped, a folder of templates, data, drafts or output, not pages
_includes/: skipped, a folder of templates, data, drafts or output, not pages
Left out 1 file that is not a Markdown page: _config.yml
Wrote 7 guidelines into content/handbook/guidelines; 0 imported before, 2 skipped; 0 errors and 3 warnings.
"""


def test_a_jekyll_handbook_becomes_guidelines_that_check_and_build(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "jekyll")
    result = cli(program, "import", "old")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == JEKYLL_OUTPUT
    records = imported(program)
    fields = {record_id: (record["title"], record["topic"], record.get("order"), record["summary"])
              for record_id, record in records.items()}
    assert fields == {
        "asking-for-feedback": ("Ask for feedback", "Mentees", None,
                                "Ask your mentor for feedback on one thing at a time: a document, a talk or a "
                                "decision."),
        "faq": ("Questions mentees ask", "Mentees", None, "Can I change mentors?"),
        "faq-2": ("Questions mentors ask", "Mentors", 9, "What if my mentee cancels often?"),
        "first-meeting": ("Run the first meeting", "Mentors", 2,
                          "The first meeting sets the tone for everything after it."),
        "mentoring-at-acme": ("Mentoring at Acme", "General", 1,
                              "How our mentoring program works, for mentors and mentees alike."),
        "setting-goals": ("Set goals you can check", "Mentees", None,
                          "Two or three goals, each with a date and a way to tell it is done."),
        "your-role": ("Know your role as a mentor", "Mentors", 1, "A mentor is a guide, not a manager."),
    }
    assert all(record["audience"] == ["both"] for record in records.values())
    assert records["setting-goals"]["tags"] == ["goals", "smart"]
    assert records["your-role"]["sources"] == [
        {"title": "Know your role as a mentor, imported from old/_guides/mentors/01-your-role.md"}]
    # The heading that repeats the title is dropped; links between imported pages lead to their records.
    landing = str(records["mentoring-at-acme"]["body"])
    assert landing.startswith("Welcome to {{ site.title }}.")
    assert "[your role as a mentor](your-role.md)" in landing
    assert "[setting goals](setting-goals.md#write-them-down)" in landing
    assert "See the [FAQ](faq-2.md)" in str(records["first-meeting"]["body"])
    assert str(records["asking-for-feedback"]["body"]).startswith("Ask your mentor")  # its heading is the title
    text = (program / GUIDELINES / "your-role.md").read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["---", "# yaml-language-server: $schema=../../../schemas/guideline.schema.json",
                                     "# imported from: old/_guides/mentors/01-your-role.md"]
    checked_and_built(cli, program)
    assert (program / "site/guidelines/first-meeting/index.html").is_file()


@pytest.mark.parametrize(("convention", "pages"), [("hugo", 6), ("docusaurus", 6), ("gitbook", 6)])
def test_each_convention_imports_then_checks_and_builds_strictly(tmp_path: Path, cli: Cli, convention: str,
                                                                 pages: int) -> None:
    program = started(tmp_path, cli, convention)
    result = cli(program, "import", "old")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(imported(program)) == pages
    assert len(list((program / GUIDELINES).glob("*.md"))) == STARTER_GUIDELINES + pages
    checked_and_built(cli, program)


def test_hugo_topics_orders_and_ids(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "hugo")
    result = cli(program, "import", "old")
    records = imported(program)
    assert {record_id: (record["title"], record["topic"], record.get("order"))
            for record_id, record in records.items()} == {
        "welcome": ("Welcome, new pairs", "Onboarding", 10),  # TOML front matter; the first tag is the topic
        "expectations": ("Say what you expect", "Getting started with mentoring", 20),  # from _index.md
        "agenda": ("Prepare an agenda", "Meetings", 5),
        "sessions": ("About sessions", "Sessions", 1),  # index.md takes its folder's name
        "checklist": ("Checklist", "Notes", None),  # no front matter, no heading: the file name
        "checklist-2": ("Closing checklist", "Wrap up", 90),
    }
    assert records["welcome"]["summary"] == "What the first month of a mentoring pair looks like."
    assert "[the checklist](checklist.md)" in str(records["agenda"]["body"])
    assert "getting-started/_index.md: skipped, a Hugo section page: its title names the topic of its folder" \
        in result.stdout.splitlines()


def test_docusaurus_and_gitbook_folders_and_tables_of_contents(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "docusaurus")
    cli(program, "import", "old")
    records = imported(program)
    assert {record_id: (record["title"], record["topic"], record.get("order"))
            for record_id, record in records.items()} == {
        "intro": ("Introduction", "General", 1),
        "listening": ("Listen before you advise", "For mentors", 1),  # the label of _category_.json
        "giving-feedback-2": ("Give feedback that helps", "For mentors", 2),  # the heading is the title
        "mentees": ("Your part as a mentee", "For mentees", 1),
        "giving-feedback": ("Give your mentor feedback", "For mentees", 3),
        "preparing": ("Preparing", "For mentees", None),
    }
    book = started(tmp_path / "book", cli, "gitbook")
    result = cli(book, "import", "old")
    records = imported(book)
    # SUMMARY.md gives the order and the groups; its place wins over a file's number prefix.
    assert {record_id: (record["title"], record["topic"], record.get("order"))
            for record_id, record in records.items()} == {
        "our-mentoring-program": ("Our mentoring program", "General", 10),
        "roles": ("Roles", "Basics", 20),
        "faq": ("Basic questions", "Basics", 30),
        "first-meeting": ("The first meeting", "Meetings", 40),
        "follow-up": ("Follow up", "Meetings", 50),
        "faq-2": ("Questions about meetings", "Meetings", 60),
    }
    assert records["roles"]["summary"] == ("Who the mentor, the mentee and the program team are, and what each "
                                           "of them does.")
    assert "Read [the roles](roles.md) first." in str(records["first-meeting"]["body"])
    assert "SUMMARY.md: skipped, the GitBook table of contents: it gives the order and topics of the pages it " \
        "lists" in result.stdout.splitlines()


TAG_WARNINGS = {
    "hugo": ["old/getting-started/02-expectations.md:9:1: warning[hugo-shortcode]",
             "old/getting-started/02-expectations.md:11:1: warning[hugo-shortcode]",
             "old/getting-started/02-expectations.md:13:6: warning[hugo-shortcode]"],
    "docusaurus": ["old/mentors/01-listening.mdx:5:1: warning[mdx-import]",
                   "old/mentors/01-listening.mdx:6:1: warning[mdx-import]",
                   "old/mentors/01-listening.mdx:10:1: warning[mdx-component]",
                   "old/mentors/01-listening.mdx:11:3: warning[mdx-component]",
                   "old/mentors/01-listening.mdx:12:3: warning[mdx-component]",
                   "old/mentors/01-listening.mdx:15:1: warning[docusaurus-admonition]"],
    "gitbook": ["old/basics/roles.md:7:1: warning[gitbook-block]", "old/basics/roles.md:9:1: warning[gitbook-block]"],
    "mkdocs": ["old/docs/index.md:4:28: warning[link-not-imported]",
               "old/docs/mentoring/02-cadence.md:5:25: warning[liquid-tag]"],
}


@pytest.mark.parametrize("convention", sorted(TAG_WARNINGS))
def test_what_cannot_be_carried_over_is_warned_at_its_line(tmp_path: Path, cli: Cli, convention: str) -> None:
    program = started(tmp_path, cli, convention)
    source = "old/docs" if convention == "mkdocs" else "old"
    result = cli(program, "import", source, "--dry-run")
    warnings = [line.split("] ")[0] + "]" for line in result.stdout.splitlines() if ": warning[" in line]
    assert warnings == TAG_WARNINGS[convention]


def test_a_link_to_a_file_not_imported_is_kept_and_named(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "mkdocs")
    result = cli(program, "import", "old/docs")
    assert ("old/docs/index.md:4:28: warning[link-not-imported] the link 'img/overview.png' leads to a file that "
            "is not imported; copy it into the handbook or change the link (a strict build fails on a link to a "
            "missing file)") in result.stdout.splitlines()
    assert "Left out 1 file that is not a Markdown page: img/overview.png" in result.stdout
    records = imported(program)
    assert "![The program at a glance](img/overview.png)" in str(records["welcome"]["body"])
    assert records["agreement"]["summary"] == "Agree on cadence, channels and confidentiality at the first meeting."
    assert "[agreement](agreement.md#signing)" in str(records["cadence"]["body"])
    check = cli(program, "check")
    assert (check.returncode, check.stderr) == (0, "0 errors and 0 warnings.\n")


def test_a_dry_run_prints_the_same_and_writes_nothing(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "jekyll")
    before = sorted(p.relative_to(program) for p in program.rglob("*"))
    result = cli(program, "import", "old", "--dry-run")
    assert result.returncode == 0
    assert sorted(p.relative_to(program) for p in program.rglob("*")) == before
    expected = JEKYLL_OUTPUT.replace("Wrote 7", "Would write 7").replace(
        "3 warnings.\n", "3 warnings. Dry run: nothing was written.\n")
    assert result.stdout == expected


def test_a_second_import_writes_nothing_and_names_what_is_there(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "gitbook")
    assert cli(program, "import", "old").returncode == 0
    texts = {p: p.read_bytes() for p in (program / GUIDELINES).glob("*.md")}
    (program / GUIDELINES / "roles.md").write_text("---\n# imported from: old/basics/roles.md\n---\nEdited by hand.\n")
    texts[program / GUIDELINES / "roles.md"] = (program / GUIDELINES / "roles.md").read_bytes()
    again = cli(program, "import", "old")
    assert again.returncode == 0
    assert {p: p.read_bytes() for p in (program / GUIDELINES).glob("*.md")} == texts
    lines = again.stdout.splitlines()
    assert "basics/roles.md -> content/handbook/guidelines/roles.md: exists (imported before), left as it is" in lines
    assert lines[-1] == ("Wrote 0 guidelines into content/handbook/guidelines; 6 imported before, 1 skipped; "
                         "0 errors and 0 warnings.")


def test_a_page_of_another_source_with_the_same_path_is_new(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "gitbook")
    assert cli(program, "import", "old/basics/roles.md").returncode == 0
    shutil.copytree(program / "old", program / "other")
    result = cli(program, "import", "other/basics/roles.md")
    assert result.stdout.splitlines()[-2] == ("roles.md -> content/handbook/guidelines/roles-2.md: id roles-2, "
                                              "topic General")
    again = cli(program, "import", "other/basics/roles.md")
    assert "exists (imported before), left as it is" in again.stdout


def test_ids_never_take_one_the_program_has(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "jekyll")
    (program / "old/set-goals.md").write_text("# Set goals\n\nA page of the old handbook.\n")
    (program / "old/CONTRIBUTING.md").write_text("# Contributing\n\nOpen a pull request.\n")
    (program / "old/index").mkdir()
    (program / "old/index/README.md").write_text("# About\n\nThe folder is named index.\n")
    result = cli(program, "import", "old/set-goals.md", "--audience", "mentor", "--audience", "mentee",
                 "--source-url", "https://handbook.example/src/")
    assert result.stdout.splitlines()[0] == ("set-goals.md -> content/handbook/guidelines/set-goals-2.md: "
                                             "id set-goals-2, topic General")
    record = imported(program)["set-goals-2"]
    assert record["audience"] == ["mentor", "mentee"]
    assert record["sources"] == [{"title": "Set goals", "url": "https://handbook.example/src/set-goals.md"}]
    result = cli(program, "import", "old", "--dry-run")
    assert ("CONTRIBUTING.md: skipped, a file of the repository, not of the handbook (name it as SOURCE to "
            "import it)") in result.stdout.splitlines()
    result = cli(program, "import", "old/index")
    # The README of SOURCE itself is named after its title, not after the folder ('index' is no id).
    assert "README.md -> content/handbook/guidelines/about.md: id about, topic General" in result.stdout
    assert cli(program, "check").returncode == 0


def test_every_unreadable_page_is_reported_in_one_run_and_nothing_is_written(tmp_path: Path, cli: Cli) -> None:
    program = started(tmp_path, cli, "hugo")
    (program / "old/bad-yaml.md").write_text("---\ntitle: a: b\n---\nText.\n")
    (program / "old/bad-toml.md").write_text("+++\ntitle = \n+++\nText.\n")
    (program / "old/latin1.md").write_bytes(b"caf\xe9\n")
    (program / "old/unclosed.md").write_text("---\ntitle: x\n")
    (program / "old/a-list.md").write_text("---\n- a\n---\nText.\n")
    before = sorted((program / GUIDELINES).iterdir())
    result = cli(program, "import", "old")
    assert result.returncode == 1
    errors = [line.split("] ")[0] + "]" for line in result.stdout.splitlines() if ": error[" in line]
    assert errors == ["old/a-list.md:2:1: error[wrong-type]", "old/bad-toml.md:2:9: error[toml-syntax]",
                      "old/bad-yaml.md:2:9: error[yaml-syntax]", "old/latin1.md:1:4: error[not-utf8]",
                      "old/unclosed.md:1:1: error[unclosed-front-matter]"]
    assert result.stderr == ("Error: nothing was imported: 5 errors and 3 warnings in the pages of old; fix the "
                             "errors and run the import again\n")
    assert sorted((program / GUIDELINES).iterdir()) == before
    missing = cli(program, "import", "nowhere")
    assert (missing.returncode, missing.stderr) == (
        1, "Error: nowhere does not exist; expected a folder of pages or a page\n")


def test_a_page_is_read_as_its_tools_write_it() -> None:
    assert humanise("getting-started") == "Getting started"
    assert humanise("02_first_steps") == "First steps"
    assert humanise("_guides") == "Guides"
    assert take_title("\n# Hello *there*\n\nText.\n") == ("Hello there", "Text.\n")
    assert take_title("Title\n=====\nText.") == ("Title", "Text.")
    assert take_title("Text first.\n\n# Later\n") == (None, "Text first.\n\n# Later\n")
    assert plain("See [the guide](a.md), **now** and `code` ![x](i.png).") == "See the guide, now and code ."
    assert first_sentence("## Heading\n\n- a list\n\nFirst one, e.g. this. Second.") == "First one, e.g. this."
    assert first_sentence("```\ncode.\n```\n\nProse here") == "Prose here"
    long = "word " * 60
    assert shorten(long.strip()) == ("word " * 40).strip() + "…"
    assert len(shorten(long.strip())) <= 201


def test_links_odd_names_and_private_places_are_never_imported(tmp_path: Path, cli: Cli) -> None:
    """Attacker's pass: a link in SOURCE (git keeps them) put a keys file and a private session into
    the public handbook; a name with a line break wrote the record's front matter; importing the
    pairs folder planned every record as a public guideline."""
    program = started(tmp_path, cli, "jekyll")
    secret = tmp_path / "keys.yml"
    secret.write_text("pairs: {ana-ben: KEYSMARKER of ana and ben}\n", encoding="utf-8")
    session = next((program / "content/pairs").glob("*/sessions/*.md"))
    session.write_text(session.read_text(encoding="utf-8") + "\nSESSIONMARKER\n", encoding="utf-8")
    source = program / "old"
    (source / "notes.md").symlink_to(secret)
    (source / "tips.md").symlink_to(session)
    (source / "linked").symlink_to(session.parent, target_is_directory=True)
    (source / "c\ntitle: x\nid: chosen\n---\n.md").write_text("# Odd\n\nText.\n", encoding="utf-8")
    result = cli(program, "import", "old")
    assert result.returncode == 0, result.stderr
    guidelines = program / "content/handbook/guidelines"
    written = "".join(path.read_text(encoding="utf-8") for path in guidelines.glob("*.md"))
    assert "KEYSMARKER" not in written and "SESSIONMARKER" not in written and "chosen" not in written
    for shown in ("notes.md: skipped, a link, not followed", "tips.md: skipped, a link, not followed",
                  "linked: skipped, a link, not followed"):
        assert shown in result.stdout, result.stdout
    assert "skipped, expected a file name without control characters" in result.stdout
    for private in ("content/pairs", "content", ".", str(session.relative_to(program))):
        refused = cli(program, "import", private, "--dry-run")
        assert refused.returncode == 1 and "one of the program's private places" in refused.stderr, private
    (program / "link-to-pairs").symlink_to(program / "content/pairs", target_is_directory=True)
    linked = cli(program, "import", "link-to-pairs")
    assert linked.returncode == 1 and "is a link; name the folder or page it leads to" in linked.stderr
