"""Synthetic mentoring programs of any size, for the benchmark and for tests of scale.

A program written here is valid (no errors, no warnings) and looks like a real one: a
handbook of guidelines in topics, and pairs at different stages, each with an agreement,
goals, a session every two weeks, a mid-point check-in and, for finished pairs, a closing
reflection. The same arguments always write the same files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from mentorsite.insights.practices import CHECKS

AS_OF = date(2026, 11, 21)
TOPICS = ("Starting out", "Goals", "Meetings", "Feedback and accountability", "Growth",
          "Closing", "Running the program")
VERBS = ("Agree", "Write down", "Review", "Share", "Plan", "Ask about", "Celebrate", "Revisit", "Name",
         "Check")
OBJECTS = ("the purpose of each meeting", "what success looks like", "one small experiment",
           "the next three dates", "a question you are avoiding", "how feedback should be given",
           "what you learnt since last time", "the support you need", "a boundary that matters",
           "the skills you want to grow", "who else could help", "the progress on each goal")
SENTENCES = (
    "Small habits, kept every time, do more than a long list of good intentions.",
    "Write it down together, so that neither of you has to remember it alone.",
    "A pair that names the problem early can usually solve it in one conversation.",
    "Mentees lead; mentors ask the questions that help them see the next step.",
    "Keep it short, a few lines in the notes are enough to pick up where you left off.",
    "When plans change, say so at once and agree what happens instead.",
    "Honest, specific feedback is a gift; ask for it and give it in the same spirit.",
    "Look back every few months at what works, what does not, and what to change.",
    "Celebrate what went well before moving on to what comes next.",
    "The program team can help when something gets in the way; ask them early.",
)
PEOPLE = ("Ada", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia",
          "Mo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik", "Wen", "Yara")
SURNAMES = ("Abara", "Berg", "Costa", "Diallo", "Egan", "Fischer", "Gupta", "Hale", "Ito", "Jansen",
            "Kowal", "Lopez", "Moreau", "Nakamura", "Okoro", "Petrov", "Quist", "Rahman")
GOALS = ("Lead a team retrospective", "Present at the quarterly review", "Write a design document",
         "Run a discovery interview", "Ship a feature end to end", "Mentor a new joiner",
         "Plan next year's learning", "Negotiate a project scope", "Give feedback to a peer")
CHECK_NAMES = tuple(CHECKS)


@dataclass(frozen=True)
class ProgramSize:
    """How big a synthetic program is."""

    pairs: int = 200
    sessions: int = 12
    guidelines: int = 100

    @property
    def label(self) -> str:
        return f"{self.pairs} pairs x {self.sessions} sessions, {self.guidelines} guidelines"


MKDOCS_YML = """\
site_name: Synthetic Mentoring Handbook
docs_dir: content/handbook
site_dir: site
theme:
  name: material
  font: false
plugins:
  - search
  - mentorsite:
      as_of: {as_of}
markdown_extensions:
  - admonition
  - attr_list
  - toc:
      permalink: true
"""


def write_program(root: Path, size: ProgramSize, seed: int = 1) -> list[str]:
    """Write mkdocs.yml and a content folder of ``size`` into ``root``; returns the pair ids."""
    chance = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(as_of=AS_OF.isoformat()), encoding="utf-8")
    guidelines = root / "content" / "handbook" / "guidelines"
    guidelines.mkdir(parents=True, exist_ok=True)
    ids = [f"practice-{number:03d}" for number in range(1, size.guidelines + 1)]
    for number, guideline_id in enumerate(ids):
        (guidelines / f"{guideline_id}.md").write_text(_guideline(chance, number, ids), encoding="utf-8")
    pair_ids = [f"pair-{number:04d}" for number in range(1, size.pairs + 1)]
    for number, pair_id in enumerate(pair_ids):
        _write_pair(root / "content" / "pairs" / pair_id, chance, number, size.sessions, ids)
    return pair_ids


def _record(fields: dict[str, object], body: str) -> str:
    """A Markdown record: the fields as YAML front matter, then the body."""
    return f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n\n{body}\n"


def _guideline(chance: random.Random, number: int, ids: list[str]) -> str:
    title = f"{chance.choice(VERBS)} {chance.choice(OBJECTS)}"
    body = "\n\n".join(" ".join(chance.sample(SENTENCES, k=3)) for _ in range(3))
    items = "\n".join(f"- {chance.choice(VERBS)} {chance.choice(OBJECTS)}." for _ in range(4))
    return _record({
        "title": f"{title.capitalize()} ({number + 1})",
        "audience": [chance.choice(["both", "mentor", "mentee"])],
        "topic": TOPICS[number % len(TOPICS)],
        "order": number + 1,
        "summary": chance.choice(SENTENCES),
        "tags": [chance.choice(["goals", "meetings", "feedback"])],
        "related": chance.sample([i for i in ids if i != ids[number]], k=min(2, len(ids) - 1)),
        "checks": [CHECK_NAMES[number % len(CHECK_NAMES)]] if number % 3 == 0 else [],
    }, f"{body}\n\n{items}")


def _write_pair(folder: Path, chance: random.Random, number: int, sessions: int,
                guideline_ids: list[str]) -> None:
    finished = number % 4 == 3
    interval = timedelta(days=14)
    last = AS_OF - timedelta(days=5 + number % 9)
    start = last - interval * max(sessions - 1, 0) - timedelta(days=3)
    midpoint = start + (last - start) / 2
    goal_ids = [f"goal-{n}" for n in range(1, 4)]
    pair: dict[str, object] = {
        "mentor": {"name": f"{chance.choice(PEOPLE)} {chance.choice(SURNAMES)}", "role": "Senior engineer"},
        "mentee": {"name": f"{chance.choice(PEOPLE)} {chance.choice(SURNAMES)}", "role": "Engineer"},
        "start": start, "planned_end": last + timedelta(days=60),
        **({"end": last, "status": "completed"} if finished else {"status": "active"}),
        "program": "Synthetic Mentoring", "cohort": f"cohort-{number % 5 + 1}",
    }
    signed = start + timedelta(days=1)
    files = {
        "pair.yml": yaml.safe_dump(pair, sort_keys=False),
        "agreement.md": _record({
            "cadence": {"every": 2, "unit": "weeks"}, "session_minutes": 60, "channels": ["video call"],
            "confidentiality": "What we say stays between us.", "goals": goal_ids,
            "midpoint_review": midpoint,
            "exit": "Either of us can end it with a message to the other.",
            "signed": {"mentor": signed, "mentee": signed}, "guidelines": [chance.choice(guideline_ids)],
        }, chance.choice(SENTENCES)),
    }
    for goal_number, goal_id in enumerate(goal_ids):
        due = start + timedelta(days=60 * (goal_number + 1))
        files[f"goals/{goal_id}.md"] = _record({
            "title": GOALS[(number + goal_number) % len(GOALS)],
            "status": "achieved" if due < AS_OF - timedelta(days=30) else "in-progress",
            "specific": f"{chance.choice(OBJECTS).capitalize()}.",
            "measurable": "Done when it is written down.",
            "achievable": "There is time for it this quarter.",
            "relevant": "It is the next step in the role.",
            "due": due,
            "progress": [{"date": start + timedelta(days=20), "percent": 40, "note": "Under way."}],
        }, chance.choice(SENTENCES))
    for session in range(sessions):
        day = start + timedelta(days=3) + interval * session
        files[f"sessions/{day}.md"] = _record({
            "date": day, "minutes": chance.choice([45, 60, 60, 75]), "format": "video",
            "agenda": [f"{chance.choice(VERBS)} {chance.choice(OBJECTS)}", "Actions from last time"],
            "goals": [chance.choice(goal_ids)],
            "actions": [{"task": f"{chance.choice(VERBS)} {chance.choice(OBJECTS)}", "owner": "mentee",
                         "due": day + timedelta(days=10), "done": day + timedelta(days=14) < AS_OF}],
            "feedback": {"mentor": chance.choice(SENTENCES), "mentee": chance.choice(SENTENCES)},
            "guidelines": [chance.choice(guideline_ids)],
        }, "\n\n".join(" ".join(chance.sample(SENTENCES, k=2)) for _ in range(2)))
    files[f"checkins/{midpoint}.md"] = _record({
        "date": midpoint, "scores": {"trust": 4, "usefulness": 4, "progress": 3}, "fit": "continue",
    }, chance.choice(SENTENCES))
    if finished:
        files["closing.md"] = _record({
            "date": last, "outcomes": [f"{GOALS[number % len(GOALS)]}, done."],
            "next_steps": [chance.choice(OBJECTS).capitalize()], "future_contact": "A coffee now and then.",
        }, chance.choice(SENTENCES))
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
