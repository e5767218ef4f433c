"""The starter program `mentorsite init` writes: a handbook, one sample pair, schemas, hooks.

The handbook and configuration come from ``themes/starter/``; the sample pair is drafted
from the same record templates as `mentorsite new`, dated from ``today``, so it builds at
once and shows what a pair's first weeks look like.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment

from mentorsite.authoring.drafts import (
    Draft,
    DraftPlace,
    draft_agreement,
    draft_goal,
    draft_pair,
    draft_session,
    parse_draft,
)
from mentorsite.checking.validation import RecordType
from mentorsite.files.themes import bundled_templates_dir
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Agreement, Goal, Pair, Person
from mentorsite.model.schemas import SCHEMAS_FOLDER, schema_texts

STARTER_FOLDER = "starter"
CONTENT_FOLDER = "content"
# Files shipped without their leading dot, so that packaging tools do not skip them.
DOTTED = {"gitignore": ".gitignore", "pre-commit-config.yaml": ".pre-commit-config.yaml"}
SAMPLE_PAIR = "riley-morgan"


def starter_files(folder: Path, environment: Environment, today: date, site_name: str) -> dict[Path, str]:
    """Every file of a new program in ``folder``, by path, in a stable order."""
    files: dict[Path, str] = {}
    starter = bundled_templates_dir() / STARTER_FOLDER
    for source in sorted(starter.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(starter).as_posix()
        if relative.endswith(".j2"):
            template = environment.get_template(f"{STARTER_FOLDER}/{relative}")
            files[folder / relative.removesuffix(".j2")] = template.render(site_name=site_name)
        else:
            files[folder / DOTTED.get(relative, relative)] = source.read_text(encoding="utf-8")
    for name, text in schema_texts().items():
        files[folder / SCHEMAS_FOLDER / name] = text
    files.update(_sample_pair(folder, environment, today))
    return files


def _sample_pair(folder: Path, environment: Environment, today: date) -> dict[Path, str]:
    place = DraftPlace(folder / CONTENT_FOLDER, folder / SCHEMAS_FOLDER, folder)
    mentor = Person(name="Morgan Lee", role="Engineering manager")
    mentee = Person(name="Riley Chen", role="Software engineer")
    planned_end = today + timedelta(weeks=26)
    pair_draft = draft_pair(environment, place, SAMPLE_PAIR, mentor, mentee, today, status="active",
                            planned_end=planned_end)
    records = PairRecords(_parsed(pair_draft, folder, Pair))
    goal_draft = draft_goal(environment, place, records, "Lead a design review",
                            due=today + timedelta(weeks=12))
    records = replace(records, goals=(_parsed(goal_draft, folder, Goal),))
    agreement_draft = draft_agreement(environment, place, records)
    records = replace(records, agreement=_parsed(agreement_draft, folder, Agreement))
    drafts = [pair_draft, agreement_draft, goal_draft, draft_session(environment, place, records, today)]
    return {draft.path: draft.text for draft in drafts}


def _parsed(draft: Draft, root: Path, kind: type[RecordType]) -> RecordType:
    record, _ = parse_draft(draft, root)
    assert isinstance(record, kind), "drafts are checked when made"
    return record
