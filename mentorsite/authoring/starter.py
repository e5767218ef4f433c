"""The starter program `mentorsite init` writes: a handbook, one sample pair, schemas, hooks,
and with ``--git`` the repository it starts in.

The handbook and configuration come from ``themes/starter/``; the sample pair is drafted
from the same record templates as `mentorsite new`, dated from ``today``, so it builds at
once and shows what a pair's first weeks look like.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, distribution, version
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
    files = rendered_starter(folder, environment, STARTER_FOLDER, site_name=site_name,
                             mentorsite_requirement=hook_requirement())
    files.update(_sample_pair(folder, environment, today))
    return files


def rendered_starter(folder: Path, environment: Environment, starter_folder: str,
                     **values: object) -> dict[Path, str]:
    """A bundled starter folder's files for ``folder`` (templates rendered with ``values``, dot
    files named), then the JSON Schemas, by path, in a stable order."""
    files: dict[Path, str] = {}
    starter = bundled_templates_dir() / starter_folder
    for source in sorted(starter.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(starter).as_posix()
        if relative.endswith(".j2"):
            name = relative.removesuffix(".j2")
            text = environment.get_template(f"{starter_folder}/{relative}").render(**values)
            files[folder / DOTTED.get(name, name)] = text
        else:
            files[folder / DOTTED.get(relative, relative)] = source.read_text(encoding="utf-8")
    for name, text in schema_texts().items():
        files[folder / SCHEMAS_FOLDER / name] = text
    return files


def hook_requirement() -> str:
    """What pre-commit installs for the starter's hooks: the mentorsite that starts the program.

    Installed from a wheel or a checkout, that file or folder (the installer records it in
    ``direct_url.json``); installed from the package index, the same version from there.
    """
    try:
        origin = json.loads(distribution("mentorsite").read_text("direct_url.json") or "null")
        installed = version("mentorsite")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "mentorsite"
    url = origin.get("url", "") if isinstance(origin, dict) else ""
    return f"mentorsite @ {url}" if url.startswith("file://") else f"mentorsite=={installed}"


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


class RepositoryError(Exception):
    """The git repository `init --git` would start cannot be: one line with what to do."""


FIRST_COMMIT = "Start the mentoring program"
NO_IDENTITY = ("git has no user to make the first commit as; set one with "
               "git config --global user.name \"Your Name\" and "
               "git config --global user.email you@example.org, then run init again")


def check_repository_can_start(where: Path) -> None:
    """Raise ``RepositoryError`` unless git is there and knows who commits (before any file is written).

    The author is git's own: its configuration or its environment variables, never one made up here.
    """
    if shutil.which("git") is None:
        raise RepositoryError("git is not installed (or not on PATH); install it, or run init without --git")
    for variable, key in (("GIT_AUTHOR_NAME", "user.name"), ("GIT_AUTHOR_EMAIL", "user.email")):
        configured = subprocess.run(["git", "config", "--get", key], cwd=where, capture_output=True,
                                    text=True, check=False).stdout.strip()
        if not (os.environ.get(variable) or configured or (key == "user.email" and os.environ.get("EMAIL"))):
            raise RepositoryError(NO_IDENTITY)


def start_repository(folder: Path) -> None:
    """``git init`` in ``folder``, every file added, and the first commit, as git's configured user."""
    for arguments in (["init", "--quiet"], ["add", "--all"],
                      ["-c", "user.useConfigOnly=true", "commit", "--quiet", "--message", FIRST_COMMIT]):
        result = subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            if "identity" in result.stderr or "tell me who you are" in result.stderr:
                raise RepositoryError(NO_IDENTITY)
            step = "commit" if "commit" in arguments else arguments[0]
            said = result.stderr.strip().splitlines()[-1:] or ["no reason given"]
            raise RepositoryError(f"git {step} failed in {folder}: {said[0]}")
