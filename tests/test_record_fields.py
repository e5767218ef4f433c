"""The record fields real programs asked for: attendees and links, a named owner, co-mentors,
checklist lines, and a licence with its attribution.

Each is followed from the record to the pages that show it, in both editions of a portfolio
and in the handbook, and each bad value to its diagnostic at its line and column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mentorsite.checking.program import CheckedProgram, read_program
from mentorsite.insights.measures import action_items
from mentorsite.model.editions import Edition
from mentorsite.model.records import Licence, Person
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio
from mentorsite.pages.rendering import RenderedPage, create_environment, render_handbook
from mentorsite.session.settings import EngineSettings, read_settings
from tests.programs import BASE_PROGRAM, write_files

AS_OF = date(2026, 4, 1)
GROUP = "content/pairs/ana-ben/sessions/2026-02-17-group-review.md"
PRIVATE = "content/pairs/ana-ben/sessions/2026-03-03.md"
FILES = {
    "content/pairs/ana-ben/pair.yml": """\
mentor: {name: Ben Adler, role: Staff engineer}
mentee: {name: Ana Silva}
co_mentors:
  - {name: Cleo Brandt, role: Principal engineer}
  - {name: Dev Rao}
start: 2026-01-05
status: active
""",
    GROUP: """\
---
date: 2026-02-17
minutes: 90
format: video
attendees: [Ana Silva, Ben Adler, Cleo Brandt, Eli Moss]
agenda: [Review the talk outline with the team]
actions:
  - {task: Book the demo room, owner: {name: Eli Moss, role: Team lead}, due: 2026-02-24, done: true}
  - {task: Send the slides round, owner: {name: Cleo Brandt}, due: 2026-03-10}
  - {task: Rehearse the talk, owner: mentee, due: 2026-03-03}
links:
  - {title: "Recording [part 1]", url: "https://video.example/rec/17?t=1"}
  - {title: Outline, url: "https://notes.example/outline_(draft)"}
visibility: review
---
""",
    PRIVATE: """\
---
date: 2026-03-03
attendees: [Ana Silva, Ben Adler, Fay Quist]
links:
  - {title: Private recording, url: "https://video.example/rec/private"}
---

A rehearsal.
""",
    "content/handbook/guidelines/clear-goals.md": """\
---
title: Set clear goals
audience: [both]
topic: Goals
summary: Agree a few specific, dated goals early.
checklist:
  - Write down two to four goals before the second meeting.
  - Give each goal a due date.
order: 1
related: [regular-meetings]
---

Goals give the meetings a direction.
""",
    "content/handbook/guidelines/regular-meetings.md": """\
---
title: Meet regularly
audience: [mentee]
topic: Meetings
summary: Keep an agreed rhythm of meetings.
order: 2
licence:
  name: CC BY 4.0
  url: https://licences.example/by/4.0/
  attribution: Adapted from the Meetings guide of the Example Mentoring Network.
---

The mentee books the meetings.
""",
}
SESSION_PAGE = "sessions/2026-02-17-group-review.md"


def checked_program(tmp_path: Path, changes: dict[str, str] | None = None) -> CheckedProgram:
    root = write_files(tmp_path, {**BASE_PROGRAM, **FILES, **(changes or {})})
    return read_program(root / "content", root)


@pytest.fixture
def program(tmp_path: Path) -> CheckedProgram:
    checked = checked_program(tmp_path)
    assert [str(d) for d in checked.diagnostics] == []
    return checked


def portfolio_pages(checked: CheckedProgram, edition: Edition) -> dict[str, str]:
    records = checked.program.pairs[0]
    portfolio = render_portfolio(records, edition, checked.program.handbook, PortfolioSettings(as_of=AS_OF),
                                 create_environment())
    return {page.uri: page.markdown for page in portfolio.pages}


def test_a_session_with_every_new_field_is_its_page_in_both_editions(program: CheckedProgram) -> None:
    """Attendees, links and a named owner on the session page; the review edition shows them
    because the session is shared, with its open actions' outcome not shared (a later session is not)."""
    heading = """\
---
title: "2026-02-17 \\u00b7 Group review"
---

# Session: 2026-02-17 · Group review

2026-02-17 · 90 minutes · video

Attendees: Ana Silva, Ben Adler, Cleo Brandt, Eli Moss


## Agenda

1. Review the talk outline with the team


## Links

- [Recording \\[part 1\\]](<https://video.example/rec/17?t=1>)
- [Outline](<https://notes.example/outline_(draft)>)

## Actions

"""
    feedback = """
## Feedback

**From the mentor, Ben Adler:** none written.

**From the mentee, Ana Silva:** none written.


"""
    pair_actions = """\
| Task | Owner | Due | Done |
|---|---|---|---|
| Book the demo room | Eli Moss (Team lead) | 2026-02-24 | yes |
| Send the slides round | Cleo Brandt | 2026-03-10 | not yet |
| Rehearse the talk | Ana Silva (mentee) | 2026-03-03 | not yet |
"""
    review_actions = """\
An action carried over is one action across sessions: the dashboard counts it once, as its latest session leaves it.

| Task | Owner | Due | Done | Across sessions |
|---|---|---|---|---|
| Book the demo room | Eli Moss (Team lead) | 2026-02-24 | yes |  |
| Send the slides round | Cleo Brandt | 2026-03-10 | outcome not shared |  |
| Rehearse the talk | Ana Silva (mentee) | 2026-03-03 | outcome not shared |  |
"""
    assert portfolio_pages(program, "pair")[SESSION_PAGE] == heading + pair_actions + feedback
    assert portfolio_pages(program, "review")[SESSION_PAGE] == heading + review_actions + feedback


def test_a_session_not_shared_keeps_its_attendees_and_links_out_of_the_review_edition(
        program: CheckedProgram) -> None:
    pair, review = portfolio_pages(program, "pair"), portfolio_pages(program, "review")
    private = pair["sessions/2026-03-03.md"]
    assert "Attendees: Ana Silva, Ben Adler, Fay Quist\n" in private
    assert "- [Private recording](<https://video.example/rec/private>)\n" in private
    assert "sessions/2026-03-03.md" not in review
    assert not [uri for uri, text in review.items() if "Fay Quist" in text or "rec/private" in text]


def test_an_action_owned_by_a_third_person_counts_like_any_other_and_shows_the_name(
        program: CheckedProgram) -> None:
    items = action_items(program.program.pairs[0].sessions)
    owners = {item.task: item.owner for item in items}
    assert owners == {"Draft the talk": "mentee", "Book the demo room": Person(name="Eli Moss", role="Team lead"),
                      "Send the slides round": Person(name="Cleo Brandt"), "Rehearse the talk": "mentee"}
    assert [item.task for item in items if item.is_open] == ["Draft the talk", "Rehearse the talk",
                                                            "Send the slides round"]
    dashboard = portfolio_pages(program, "pair")["index.md"]
    assert "3 open, 3 of them overdue; 1 done.\n" in dashboard
    assert "| Send the slides round | Cleo Brandt | 2026-03-10 | 2026-02-17 | **overdue** |\n" in dashboard
    assert "<span>1 done <span class=\"mentorsite-verdict mentorsite-verdict--fail\">3 overdue</span></span>" \
        in dashboard


def test_co_mentors_are_among_the_facts_of_both_editions_and_the_title_names_the_pair(
        program: CheckedProgram) -> None:
    for edition in ("pair", "review"):
        dashboard = portfolio_pages(program, edition)["index.md"]
        assert ("- **Mentee:** Ana Silva\n- **Mentor:** Ben Adler, Staff engineer\n"
                "- **Co-mentors:** Cleo Brandt, Principal engineer; Dev Rao\n- **Status:**") in dashboard, edition
        assert "\n# Ana Silva and Ben Adler\n" in dashboard


def handbook_pages(checked: CheckedProgram, licence: Licence | None = None) -> dict[str, str]:
    pages: list[RenderedPage] = render_handbook(checked.program.handbook, create_environment(),
                                                site_name="Test Handbook", licence=licence)
    return {page.uri: page.markdown for page in pages}


def test_checklist_lines_are_the_checklist_pages_lines_and_the_summary_is_used_without_them(
        program: CheckedProgram) -> None:
    pages = handbook_pages(program)
    mentor, mentee = pages["checklists/mentor.md"], pages["checklists/mentee.md"]
    assert mentor.split("## ", 1)[1] == """\
Goals

- [ ] Write down two to four goals before the second meeting. ([Set clear goals](../guidelines/clear-goals.md))
- [ ] Give each goal a due date. ([Set clear goals](../guidelines/clear-goals.md))

"""
    assert "- [ ] Keep an agreed rhythm of meetings. ([Meet regularly](../guidelines/regular-meetings.md))\n" in mentee
    assert "Agree a few specific" not in mentor + mentee
    assert "**Agree a few specific, dated goals early.**" in pages["guidelines/clear-goals.md"]  # still the summary


LICENCE = Licence(name="CC BY-SA 4.0", url="https://licences.example/by-sa/4.0/",
                  attribution="Adapted from the Example Mentoring Network's handbook.")


def test_the_licence_and_attribution_are_on_the_home_page_and_every_guideline(program: CheckedProgram) -> None:
    pages = handbook_pages(program, LICENCE)
    assert pages["index.md"].endswith("""
## Licence

This handbook is shared under [CC BY-SA 4.0](<https://licences.example/by-sa/4.0/>). Adapted from the Example \
Mentoring Network's handbook.
Some guidelines are under a licence of their own, named on their pages: \
[Meet regularly](guidelines/regular-meetings.md).
""")
    assert pages["guidelines/clear-goals.md"].endswith("""
## Licence

This guideline is shared under [CC BY-SA 4.0](<https://licences.example/by-sa/4.0/>). Adapted from the Example \
Mentoring Network's handbook.
""")
    own = """
## Licence

This guideline is shared under [CC BY 4.0](<https://licences.example/by/4.0/>). Adapted from the Meetings guide \
of the Example Mentoring Network.
"""
    assert pages["guidelines/regular-meetings.md"].endswith(own)
    alone = handbook_pages(program)  # no licence option: the guideline's own is still named
    assert alone["guidelines/regular-meetings.md"].endswith(own)
    assert "## Licence" not in alone["guidelines/clear-goals.md"]
    assert alone["index.md"].endswith("""
## Licence

Some guidelines are shared under a licence of their own, named on their pages: \
[Meet regularly](guidelines/regular-meetings.md).
""")


def test_the_licence_option_is_read_into_the_settings_and_its_bad_parts_are_located(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("""\
site_name: Test Handbook
plugins:
  - mentorsite:
      licence:
        url: ftp://licences.example/by/4.0/
        attribution: From the Example Mentoring Network.
""", encoding="utf-8")
    folders = EngineSettings(config, tmp_path / "site", tmp_path / "content/handbook")
    options = {"licence": {"name": None, "url": "ftp://licences.example/by/4.0/",
                           "attribution": "From the Example Mentoring Network."}}
    settings, problems = read_settings(options, folders, environ={})
    assert settings.licence is None
    assert [(d.line, d.column, d.field, d.message) for d in problems] == [
        (5, 9, "licence", "expected the licence's name (licence.name), such as 'CC BY-SA 4.0', with its url or "
                          "attribution"),
        (5, 14, "licence.url", "expected a web address starting with https:// or http://, got "
                               "'ftp://licences.example/by/4.0/'"),
    ]
    good = {"licence": {"name": "CC BY-SA 4.0", "url": "https://licences.example/by-sa/4.0/",
                        "attribution": "Adapted from the Example Mentoring Network's handbook."}}
    settings, problems = read_settings(good, folders, environ={})
    assert problems == [] and settings.licence == LICENCE


BAD = {
    GROUP: """\
---
date: 2026-02-17
attendees: [Ana Silva, ""]
actions:
  - {task: Book the demo room, owner: {name: ""}}
  - {task: Send the slides, owner: {role: Team lead}}
  - {task: Rehearse, owner: student}
links:
  - {title: Recording, url: "javascript:alert(1)"}
  - {title: Notes, url: /notes/outline}
  - {title: "", url: "https://notes.example/a"}
---
""",
    "content/pairs/ana-ben/pair.yml": """\
mentor: {name: Ben Adler}
mentee: {name: Ana Silva}
co_mentors: [{name: "", role: Principal engineer}]
start: 2026-01-05
status: active
""",
    "content/handbook/guidelines/regular-meetings.md": """\
---
title: Meet regularly
audience: [mentee]
topic: Meetings
summary: Keep an agreed rhythm of meetings.
checklist: [Book the meetings, ""]
licence: {url: "https://licences.example/by/4.0/"}
---
""",
}


def test_bad_values_of_the_new_fields_are_diagnostics_at_their_line_and_column(tmp_path: Path) -> None:
    checked = checked_program(tmp_path, BAD)
    url = "expected a web address starting with https:// or http://, with no spaces, quotes or angle brackets, got"
    session = GROUP.removeprefix("content/")
    assert [(d.path.removeprefix("content/"), d.line, d.column, d.field, d.message) for d in checked.diagnostics] == [
        ("handbook/guidelines/regular-meetings.md", 6, 32, "checklist[1]", "expected some text, got an empty text"),
        ("handbook/guidelines/regular-meetings.md", 7, 10, "licence.name", "required field is missing"),
        ("pairs/ana-ben/pair.yml", 3, 21, "co_mentors[0].name", "expected some text, got an empty text"),
        (session, 3, 24, "attendees[1]", "expected some text, got an empty text"),
        (session, 5, 46, "actions[0].owner.name", "expected some text, got an empty text"),
        (session, 6, 36, "actions[1].owner.name", "required field is missing"),
        (session, 7, 29, "actions[2].owner", "expected one of 'mentor', 'mentee' or 'both', or a person as "
                                              "{name: ...}, got 'student'; did you mean 'mentee'?"),
        (session, 9, 29, "links[0].url", f"{url} 'javascript:alert(1)'"),
        (session, 10, 25, "links[1].url", f"{url} '/notes/outline'"),
        (session, 11, 13, "links[2].title", "expected some text, got an empty text"),
    ]
    assert all(d.is_error for d in checked.diagnostics)
