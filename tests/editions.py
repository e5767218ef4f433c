"""A program with two handbook editions published with mike, in its own git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.programs import BASE_PROGRAM, write_files

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_AUTHOR_NAME": "Program owner",
       "GIT_AUTHOR_EMAIL": "owner@program.test", "GIT_COMMITTER_NAME": "Program owner",
       "GIT_COMMITTER_EMAIL": "owner@program.test"}
VERSIONED = BASE_PROGRAM["mkdocs.yml"] + "extra:\n  version:\n    provider: mike\n"
RETIRED = """\
---
title: Keep a paper diary
audience: [mentee]
topic: Meetings
summary: Write the notes on paper.
---

Paper is patient.
"""
ADDED = """\
---
title: Say thank you
audience: [mentee]
topic: Closing
summary: Thank your mentor at the end.
---

A short note is enough.
"""


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(command), cwd=folder, env=ENV, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def git(folder: Path, *arguments: str) -> str:
    return run(folder, "git", *arguments).stdout


def publish(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run(folder, sys.executable, "-m", "mentorsite", "publish", *arguments)


def publish_two_editions(folder: Path) -> Path:
    """Edition 2026.1, then 2026.2 with one guideline added, one changed and one removed."""
    write_files(folder, {
        **BASE_PROGRAM, "mkdocs.yml": VERSIONED, ".gitignore": "site/\nsite-private/\n",
        "content/handbook/guidelines/paper-diary.md": RETIRED})
    git(folder, "init", "--quiet", "--initial-branch", "main")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "Handbook 2026.1")
    publish(folder, "2026.1", "--alias", "latest")

    (folder / "content/handbook/guidelines/paper-diary.md").unlink()
    (folder / "content/handbook/guidelines/say-thank-you.md").write_text(ADDED)
    changed = folder / "content/handbook/guidelines/clear-goals.md"
    changed.write_text(changed.read_text().replace("Goals give the meetings a direction.",
                                                   "Goals give every meeting a direction and an end."))
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", "Handbook 2026.2")
    publish(folder, "2026.2", "--alias", "latest")
    return folder
