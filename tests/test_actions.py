"""Action items across sessions: fair review editions, and the identity a pair gives an action.

Small programs built for each rule, with the exact words of the dashboard, the session pages,
the scorecard and the checks the report runs, so that they can be seen to agree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mentorsite.checking.program import read_program
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.scorecards import PracticeSettings, run_checks
from mentorsite.model.editions import Edition
from mentorsite.model.record_sets import Program
from mentorsite.pages.portfolio import PortfolioSettings, render_portfolio
from mentorsite.pages.rendering import create_environment, verdict_badge
from tests.programs import BASE_PROGRAM, write_files

AS_OF = date(2026, 3, 1)
CHECKED = """\
---
title: Follow up actions
audience: [both]
topic: Meetings
summary: Do what you agreed.
order: 3
checks: [actions-followed-up]
---

Agreed actions are done by the next meeting.
"""


def check_line(title: str, verdict: str) -> str:
    """How the scorecard states one check's verdict."""
    return f"**{title}:** {verdict_badge(verdict)}"


def program(tmp_path: Path, sessions: dict[str, str]) -> Program:
    """The base program with these sessions (file name -> front matter lines) instead of its own."""
    files: dict[str, str | bytes] = {name: text for name, text in BASE_PROGRAM.items() if "/sessions/" not in name}
    files["content/handbook/guidelines/follow-up.md"] = CHECKED
    for name, lines in sessions.items():
        files[f"content/pairs/ana-ben/sessions/{name}.md"] = f"---\ndate: {name}\n{lines}---\n\nNotes.\n"
    checked = read_program(write_files(tmp_path, files) / "content", tmp_path)
    assert [str(d) for d in checked.diagnostics] == []
    return checked.program


def pages(built: Program, edition: Edition) -> dict[str, str]:
    portfolio = render_portfolio(built.pairs[0], edition, built.handbook, PortfolioSettings(as_of=AS_OF),
                                 create_environment())
    return {page.uri: page.markdown for page in portfolio.pages}


def actions_section(markdown: str) -> list[str]:
    """The lines of the page's action section, without blank ones."""
    start = markdown.index("## Action")
    end = markdown.find("\n## ", start + 1)
    return [line for line in markdown[start:end if end > 0 else None].splitlines()[1:] if line.strip()]


# Deliver 1: a shared action whose outcome would come from a session not shared ---------------------


def test_an_action_closed_in_a_private_session_is_not_held_open_in_the_review_edition(tmp_path: Path) -> None:
    """The case of the report: the pair edition says all done, the review edition said '1 open, 1 overdue'."""
    built = program(tmp_path, {
        "2026-01-06": "actions:\n  - {task: Share the map, owner: mentee, due: 2026-01-13}\n"
                      "  - {task: Book a room, owner: mentor, done: true}\nvisibility: review\n",
        "2026-01-20": "actions:\n  - {task: share the  map, owner: mentee, due: 2026-01-27, done: true}\n",
    })
    pair = pages(built, "pair")
    assert actions_section(pair["index.md"])[:2] == [
        "2 action items, all done.",
        "The sessions list 3 action entries, 1 of them carrying an earlier action over: each action counts "
        "once, as its latest session leaves it (each session page says where it was carried from and to)."]
    review = pages(built, "review")
    assert actions_section(review["index.md"]) == [
        "From the shared sessions only.",
        "1 action item done; 1 with an outcome not shared.",
        "An action has an outcome not shared when it was left open in a shared session and a later session "
        "is not shared: what became of it may be written there, so it counts as neither open nor done.",
        "| Task | Owner | Due | Since | |", "|---|---|---|---|---|",
        "| Share the map | Ana Silva (mentee) | 2026-01-13 | 2026-01-06 | outcome not shared |"]
    assert actions_section(review["sessions/2026-01-06.md"])[-2:] == [
        "| Share the map | Ana Silva (mentee) | 2026-01-13 | outcome not shared |  |",
        "| Book a room | Ben Adler (mentor) | — | yes |  |"]
    everything = "\n".join(review.values())
    assert "overdue" not in everything and "open," not in everything
    assert "2026-01-20" not in everything and "2026-01-27" not in everything
    assert "2 action" not in everything and "3 action" not in everything  # no count of the private entries


def test_the_review_edition_marks_only_what_a_session_not_shared_comes_after(tmp_path: Path) -> None:
    """Shared after the private session, an action is open and overdue as written; before it, not known."""
    built = program(tmp_path, {
        "2026-01-06": "actions:\n  - {id: map, task: Share the map, owner: mentee, due: 2026-01-13}\n"
                      "visibility: review\n",
        "2026-01-20": "actions:\n  - {task: Send the stakeholder map, carries: map, owner: mentee, done: true}\n",
        "2026-02-03": "actions:\n  - {task: Read the guide, owner: mentee, due: 2026-02-10}\nvisibility: review\n",
    })
    assert actions_section(pages(built, "pair")["index.md"])[0] == "1 open, 1 of them overdue; 1 done."
    review = pages(built, "review")
    assert actions_section(review["index.md"])[1:2] == ["1 open, 1 of them overdue; 0 done; 1 with an outcome not shared."]
    assert "| Read the guide | Ana Silva (mentee) | 2026-02-10 | 2026-02-03 | **overdue** |" in review["index.md"]
    assert "| Share the map | Ana Silva (mentee) | 2026-01-13 | 2026-01-06 | outcome not shared |" in review["index.md"]
    assert "| Read the guide | Ana Silva (mentee) | 2026-02-10 | not yet |" in review["sessions/2026-02-03.md"]
    everything = "\n".join(review.values())
    assert "stakeholder" not in everything and "2026-01-20" not in everything
    # The scorecard of the review edition does not judge follow-up at all; the report reads every record.
    assert check_line("Actions followed up", "not-assessed") in review["practices.md"]
    assert (check_line("Actions followed up", "fail") + " 1 of 2 action items due are done"
            in pages(built, "pair")["practices.md"])
    results = run_checks(built.pairs[0], AS_OF, PracticeSettings(), CHECKS)
    assert results["actions-followed-up"].summary.startswith("1 of 2 action items due are done")


def test_a_private_session_before_the_shared_ones_hides_nothing(tmp_path: Path) -> None:
    built = program(tmp_path, {
        "2026-01-06": "actions:\n  - {task: Book a room, owner: mentor}\n",
        "2026-01-20": "actions:\n  - {task: Share the map, owner: mentee, due: 2026-01-27}\nvisibility: review\n",
    })
    review = pages(built, "review")
    assert actions_section(review["index.md"])[1] == "1 open, 1 of them overdue; 0 done."
    assert "outcome not shared" not in "\n".join(review.values())


# Deliver 2: an action's identity, by its text or by the id the pair gives it ------------------------


def test_the_same_text_in_two_sessions_is_one_action_and_every_page_says_so(tmp_path: Path) -> None:
    built = program(tmp_path, {
        "2026-01-06": "actions:\n  - {task: Share the map, owner: mentee, due: 2026-01-13}\n",
        "2026-01-20": "actions:\n  - {task: share the  map, owner: mentee, due: 2026-01-27, done: true}\n"
                      "  - {task: Book a room, owner: mentor, due: 2026-01-27, done: true}\n",
    })
    pair = pages(built, "pair")
    assert actions_section(pair["index.md"])[:2] == [
        "2 action items, all done.",
        "The sessions list 3 action entries, 1 of them carrying an earlier action over: each action counts "
        "once, as its latest session leaves it (each session page says where it was carried from and to)."]
    assert ("| Share the map | Ana Silva (mentee) | 2026-01-13 | not yet | carried over to [2026-01-20](2026-01-20.md)"
            " (same task text), now done |") in pair["sessions/2026-01-06.md"]
    assert ("| share the map | Ana Silva (mentee) | 2026-01-27 | yes | carried over from [2026-01-06](2026-01-06.md)"
            " (same task text) |") in pair["sessions/2026-01-20.md"]
    assert check_line("Actions followed up", "pass") + " 2 of 2 action items due are done" in pair["practices.md"]
    results = run_checks(built.pairs[0], AS_OF, PracticeSettings(), CHECKS)
    assert results["actions-followed-up"].summary.startswith("2 of 2 action items due are done")
    rows = [line for uri, page in pair.items() if uri.startswith("sessions/2") for line in actions_section(page)
            if line.startswith("| ") and not line.startswith(("| Task", "|---"))]
    assert len(rows) == 3  # the three entries the dashboard counts as two items


def test_an_id_keeps_apart_what_the_text_would_join_and_carries_links_another_text(tmp_path: Path) -> None:
    built = program(tmp_path, {
        "2026-01-06": "actions:\n  - {id: map, task: Share the map, owner: mentee, due: 2026-01-13}\n",
        "2026-01-20": "actions:\n  - {task: Share the map, owner: mentee, due: 2026-01-27, done: true}\n",
        "2026-02-03": "actions:\n  - {task: Send Ben the map, carries: map, owner: mentee, done: true}\n",
    })
    pair = pages(built, "pair")
    assert actions_section(pair["index.md"])[:2] == [
        "2 action items, all done.",
        "The sessions list 3 action entries, 1 of them carrying an earlier action over: each action counts "
        "once, as its latest session leaves it (each session page says where it was carried from and to)."]
    assert ("| Share the map | Ana Silva (mentee) | 2026-01-13 | not yet | carried over to [2026-02-03](2026-02-03.md),"
            " now done |") in pair["sessions/2026-01-06.md"]
    assert actions_section(pair["sessions/2026-01-20.md"])[-1] == "| Share the map | Ana Silva (mentee) | 2026-01-27 | yes |"
    assert ("| Send Ben the map | Ana Silva (mentee) | — | yes | carried over from [2026-01-06](2026-01-06.md) |"
            in pair["sessions/2026-02-03.md"])
    assert check_line("Actions followed up", "pass") + " 2 of 2 action items due are done" in pair["practices.md"]


def test_carries_must_name_an_action_of_an_earlier_session(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {name: text for name, text in BASE_PROGRAM.items() if "/sessions/" not in name}
    sessions = {
        "2026-01-06": "  - {id: map, task: Share the map, owner: mentee}\n  - {id: room, task: Book, owner: mentor}\n",
        "2026-01-20": "  - {task: Send the map, carries: mpa, owner: mentee}\n"
                      "  - {task: Read, carries: guide, owner: mentee}\n"
                      "  - {id: map, task: Map again, owner: mentee}\n"
                      "  - {id: extra, task: Both, carries: room, owner: mentee}\n",
        "2026-02-03": "  - {id: guide, task: Read the guide, owner: mentee}\n",
    }
    for name, actions in sessions.items():
        files[f"content/pairs/ana-ben/sessions/{name}.md"] = f"---\ndate: {name}\nactions:\n{actions}---\n"
    checked = read_program(write_files(tmp_path, files) / "content", tmp_path)
    found = "content/pairs/ana-ben/sessions/2026-01-20.md"
    assert [str(d) for d in checked.diagnostics] == [
        f"{found}:4:35: error[unknown-action] actions[0].carries: no earlier action 'mpa' in this pair; "
        "did you mean 'map'?",
        f"{found}:5:27: error[unknown-action] actions[1].carries: the action 'guide' is in "
        "content/pairs/ana-ben/sessions/2026-02-03.md, not in an earlier session",
        f"{found}:6:10: error[duplicate-id] actions[2].id: the action id 'map' is already used in "
        "content/pairs/ana-ben/sessions/2026-01-06.md",
        f"{found}:7:10: error[carries-and-id] actions[3].id: an action that carries 'room' continues it and "
        "takes no id of its own",
    ]
