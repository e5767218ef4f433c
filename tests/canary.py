"""A program whose every pair text is a unique marker, to trace where each one ends up.

Each marker is ``cnryNNNNx``: lowercase letters and digits only, so it is also a valid id
and survives Markdown, HTML escaping and the search index unchanged, and no marker is part
of another. ``Marker.visibility`` is that of the record holding it (``pair.yml`` counts as
``review``: who, dates and status are shared with reviewers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from tests.programs import BASE_PROGRAM

# Fields that hold no free text (dates, numbers, choices, references to other ids): they
# cannot carry a marker. Every other public field of every pair record must carry one.
NOT_TEXT = {"start", "status", "planned_end", "end", "every", "unit", "cadence", "session_minutes",
            "midpoint_review", "signed", "visibility", "due", "done", "date", "percent", "minutes",
            "format", "goals", "guidelines", "owner", "fit"}


@dataclass(frozen=True)
class Marker:
    text: str
    pair: str
    visibility: str
    where: str


@dataclass
class CanaryProgram:
    files: dict[str, str] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    fields_marked: dict[str, set[str]] = field(default_factory=dict)
    _numbers: count[int] = field(default_factory=lambda: count(1))

    def mark(self, pair: str, visibility: str, where: str) -> str:
        text = f"cnry{next(self._numbers):04d}x"
        self.markers.append(Marker(text, pair, visibility, where))
        record, _, field_name = where.partition(".")
        self.fields_marked.setdefault(record, set()).add(field_name.split(".")[0].split("[")[0])
        return text


def canary_program() -> CanaryProgram:
    """Two pairs with every record type, some records private to the pair, some shared."""
    program = CanaryProgram()
    program.files.update({k: v for k, v in BASE_PROGRAM.items() if not k.startswith("content/pairs/")})
    # ana-ben keeps its agreement and closing private; cy-dee shares them.
    _add_pair(program, "ana-ben", private_agreement=True)
    _add_pair(program, "cy-dee", private_agreement=False)
    return program


def _add_pair(program: CanaryProgram, pair: str, *, private_agreement: bool) -> None:
    def m(visibility: str, where: str) -> str:
        return program.mark(pair, visibility, where)

    folder = f"content/pairs/{pair}"
    files = program.files
    files[f"{folder}/pair.yml"] = f"""\
mentor: {{name: {m("review", "pair.mentor.name")}, role: {m("review", "pair.mentor.role")}}}
mentee: {{name: {m("review", "pair.mentee.name")}, role: {m("review", "pair.mentee.role")}}}
co_mentors: [{{name: {m("review", "pair.co_mentors[0].name")}, role: {m("review", "pair.co_mentors[0].role")}}}]
start: 2026-01-05
planned_end: 2026-06-30
end: 2026-06-26
status: completed
program: {m("review", "pair.program")}
cohort: {m("review", "pair.cohort")}
handbook_version: {m("review", "pair.handbook_version")}
reviewers: [{m("review", "pair.reviewers[0]")}, {m("review", "pair.reviewers[1]")}]
summary: {m("review", "pair.summary")}
"""
    agreement = "pair" if private_agreement else "review"
    shared_goal = m("review", "goal.id")
    private_goal = m("pair", "goal.id")
    files[f"{folder}/agreement.md"] = f"""\
---
cadence: {{every: 2, unit: weeks}}
channels: [{m(agreement, "agreement.channels[0]")}, {m(agreement, "agreement.channels[1]")}]
confidentiality: {m(agreement, "agreement.confidentiality")}
goals: [{shared_goal}, {private_goal}]
boundaries: [{m(agreement, "agreement.boundaries[0]")}]
expectations:
  mentor: [{m(agreement, "agreement.expectations.mentor[0]")}]
  mentee: [{m(agreement, "agreement.expectations.mentee[0]")}]
exit: {m(agreement, "agreement.exit")}
signed: {{mentor: 2026-01-06, mentee: 2026-01-07}}
guidelines: [clear-goals]
visibility: {agreement}
---

Agreement notes {m(agreement, "agreement.body")}.
"""
    for goal_id, visibility in ((shared_goal, "review"), (private_goal, "pair")):
        files[f"{folder}/goals/{goal_id}.md"] = f"""\
---
title: Goal {m(visibility, "goal.title")}
status: in-progress
specific: {m(visibility, "goal.specific")}
measurable: {m(visibility, "goal.measurable")}
achievable: {m(visibility, "goal.achievable")}
relevant: {m(visibility, "goal.relevant")}
due: 2026-05-29
milestones:
  - {{title: {m(visibility, "goal.milestones[0].title")}, due: 2026-03-01, done: true}}
progress:
  - {{date: 2026-02-02, percent: 40, note: {m(visibility, "goal.progress[0].note")}}}
guidelines: [clear-goals]
visibility: {visibility}
---

Goal notes {m(visibility, "goal.body")}.
"""
    for day, visibility in (("2026-02-03", "pair"), ("2026-02-17", "review")):
        slug = m(visibility, "session.id")
        files[f"{folder}/sessions/{day}-{slug}.md"] = f"""\
---
date: {day}
minutes: 45
attendees: [{m(visibility, "session.attendees[0]")}, {m(visibility, "session.attendees[1]")}]
agenda: [{m(visibility, "session.agenda[0]")}, {m(visibility, "session.agenda[1]")}]
goals: [{shared_goal}, {private_goal}]
actions:
  - {{task: {m(visibility, "session.actions[0].task")}, owner: mentee, due: 2026-02-20}}
  - {{task: {m(visibility, "session.actions[1].task")}, due: 2026-02-24,
     owner: {{name: {m(visibility, "session.actions[1].owner.name")}, role: {m(visibility, "session.actions[1].owner.role")}}}}}
feedback:
  mentor: {m(visibility, "session.feedback.mentor")}
  mentee: {m(visibility, "session.feedback.mentee")}
links:
  - {{title: {m(visibility, "session.links[0].title")}, url: "https://recordings.invalid/{m(visibility, "session.links[0].url")}"}}
guidelines: [regular-meetings]
visibility: {visibility}
---

Session notes {m(visibility, "session.body")}.
"""
    for day, visibility in (("2026-03-02", "pair"), ("2026-04-06", "review")):
        files[f"{folder}/checkins/{day}.md"] = f"""\
---
date: {day}
scores: {{{m(visibility, "checkin.scores")}: 4}}
fit: continue
visibility: {visibility}
---

Check-in notes {m(visibility, "checkin.body")}.
"""
    closing = agreement
    files[f"{folder}/closing.md"] = f"""\
---
date: 2026-06-26
outcomes: [{m(closing, "closing.outcomes[0]")}]
next_steps: [{m(closing, "closing.next_steps[0]")}]
future_contact: {m(closing, "closing.future_contact")}
visibility: {closing}
---

Closing notes {m(closing, "closing.body")}.
"""


def six_pair_program() -> CanaryProgram:
    """Six canary pairs, three active and three completed: enough for the report to show figures."""
    program = canary_program()
    for number in range(4):
        _add_pair(program, f"pair-{number}", private_agreement=number % 2 == 1)
    for pair_id in ("ana-ben", "pair-0", "pair-1"):
        record = f"content/pairs/{pair_id}/pair.yml"
        program.files[record] = (program.files[record].replace("status: completed", "status: active")
                                 .replace("end: 2026-06-26\n", ""))
    return program
