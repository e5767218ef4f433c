"""A pair's own repository, as `mentorsite init --pair` starts it, and where `new` writes in one.

The records are drafted from the same templates as `mentorsite new pair` (``pair.yml``, status
proposed until the agreement is made), at the repository's root; beside them go the
configuration naming the published handbook, the schemas, the hooks and a check script for
the pair's CI, all from ``themes/pair-starter/``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import get_args

from jinja2 import Environment

from mentorsite.authoring.drafts import DraftPlace, draft_pair
from mentorsite.authoring.starter import hook_requirement, rendered_starter
from mentorsite.model.fields import SLUG_PATTERN, Audience
from mentorsite.model.manifests import ManifestEntry
from mentorsite.model.records import Person
from mentorsite.model.schemas import SCHEMAS_FOLDER
from mentorsite.reading.handbook_fetch import PublishedHandbook
from mentorsite.reading.loading import GUIDELINES_FOLDER, PAIRS_FOLDER

PAIR_STARTER_FOLDER = "pair-starter"
EXECUTABLE = ("ci/check.sh",)
# Written when init is given no names: they pass the checks, and the message says to fill them in.
MENTOR_PLACEHOLDER = "Name of the mentor"
MENTEE_PLACEHOLDER = "Name of the mentee"


@dataclass(frozen=True)
class PairRepositoryPlace(DraftPlace):
    """Where drafts go in a pair's repository: its root is the pair's folder, whatever the id."""

    folder: Path = Path()

    def pair_folder(self, pair_id: str) -> Path:
        return self.folder


def pair_place(folder: Path, root: Path) -> PairRepositoryPlace:
    """The drafts' place for the pair repository at ``folder``; ``root`` is where messages start."""
    return PairRepositoryPlace(folder, folder / SCHEMAS_FOLDER, root, folder)


def pair_repository_files(folder: Path, environment: Environment, pair_id: str, handbook: str | None,
                          mentor: Person, mentee: Person, start: date) -> dict[Path, str]:
    """Every file of a new pair repository in ``folder``, by path, in a stable order."""
    requirement, from_a_file = pair_requirement()
    files = rendered_starter(folder, environment, PAIR_STARTER_FOLDER, pair_id=pair_id, handbook=handbook,
                             mentorsite_requirement=requirement,
                             mentorsite_requirement_shell=shlex.quote(requirement),
                             mentorsite_from_a_file=from_a_file)
    draft = draft_pair(environment, pair_place(folder, folder), pair_id, mentor, mentee, start)
    files[draft.path] = draft.text
    return files


def pair_requirement() -> tuple[str, bool]:
    """What the pair's hook and check script install, and whether the mentorsite that ran init came
    from a file (a wheel or a checkout).

    Unlike a program's, a pair's repository is cloned on the mentor's and the mentee's machines,
    where a file of this one is not: the requirement is always a version from the package index,
    and the files say to change it when this mentorsite did not come from there.
    """
    requirement = hook_requirement()
    if not requirement.startswith("mentorsite @ "):
        return requirement, False
    return f"mentorsite=={version('mentorsite')}", True


PREVIEW_CONFIG = """\
site_name: {site_name}
docs_dir: content/handbook
theme:
  name: material
  font: false
plugins:
  - mentorsite:
      handbook_url: {handbook_url}
markdown_extensions:
  - admonition
  - attr_list
  - toc:
      permalink: true
  - pymdownx.tasklist:
      custom_checkbox: true
"""
STUB_BODY = "This guideline is in the program's published handbook.\n"


def preview_program(folder: Path, repository: Path, pair_id: str, handbook: PublishedHandbook | None) -> Path:
    """A program in ``folder`` around the pair's repository, for `mentorsite serve` there; its mkdocs.yml.

    The pair's folder in it is a link to the repository, and its guidelines are stand-ins for
    those the published handbook lists (by id, with their titles), so that the portfolio names
    them as a program's build would, and links to them in the published handbook.
    """
    guidelines = folder / "content" / GUIDELINES_FOLDER
    guidelines.mkdir(parents=True)
    (folder / "content" / PAIRS_FOLDER).mkdir()
    (folder / "content" / PAIRS_FOLDER / pair_id).symlink_to(repository.absolute(), target_is_directory=True)
    for entry in handbook.guidelines if handbook is not None else ():
        if SLUG_PATTERN.fullmatch(entry.id):  # a name from elsewhere: only a plain id names a file here
            (guidelines / f"{entry.id}.md").write_text(_stand_in(entry), encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(PREVIEW_CONFIG.format(site_name=json.dumps(pair_id),
                                            handbook_url=json.dumps(handbook_url(handbook, repository))),
                      encoding="utf-8")
    return config


def handbook_url(handbook: PublishedHandbook | None, repository: Path) -> str:
    """Where the portfolio's links to the handbook lead: the published handbook, by edition if it has them."""
    if handbook is None:
        return "/{version}/"
    location = handbook.location
    base = location if "://" in location else (repository / location).absolute().as_uri()
    base = base if base.endswith("/") else f"{base}/"
    return f"{base}{{version}}/" if handbook.editions else base


def _stand_in(entry: ManifestEntry) -> str:
    """A guideline record with the entry's title, summary, audience and topic, and a body of its own."""
    lines = entry.text.splitlines()
    summary = lines[2].strip() if len(lines) > 2 and lines[2].strip() else entry.title
    readers = next((line[5:].split(", ") for line in lines if line.startswith("For: ")), [])
    audience = [reader for reader in readers if reader in get_args(Audience)] or ["both"]
    topic = next((line[7:].strip() for line in lines if line.startswith("Topic: ")), "") or "Handbook"
    fields = {"title": entry.title.strip() or entry.id, "audience": audience, "topic": topic,
              "summary": summary}
    front = "".join(f"{key}: {json.dumps(value)}\n" for key, value in fields.items())
    return f"---\n{front}---\n\n{STUB_BODY}"
