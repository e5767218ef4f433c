"""Small programs written into temporary folders for tests."""

from __future__ import annotations

from pathlib import Path

MKDOCS_YML = """\
site_name: Test Handbook
docs_dir: content/handbook
theme:
  name: material
plugins:
  - search
  - mentorsite
markdown_extensions:
  - pymdownx.tasklist
"""

BASE_PROGRAM: dict[str, str] = {
    "mkdocs.yml": MKDOCS_YML,
    "content/handbook/guidelines/clear-goals.md": """\
---
title: Set clear goals
audience: [both]
topic: Goals
summary: Agree a few specific, dated goals early.
order: 1
sources:
  - title: A source article
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
---

The mentee books the meetings.
""",
    "content/pairs/ana-ben/pair.yml": """\
mentor: {name: Ben Adler}
mentee: {name: Ana Silva}
start: 2026-01-05
status: active
""",
    "content/pairs/ana-ben/agreement.md": """\
---
cadence: {every: 2, unit: weeks}
channels: [video]
confidentiality: Everything stays between us.
goals: [speaking]
---
""",
    "content/pairs/ana-ben/goals/speaking.md": """\
---
title: Speak at the team demo
status: in-progress
due: 2026-03-31
---
""",
    "content/pairs/ana-ben/sessions/2026-02-03.md": """\
---
date: 2026-02-03
agenda: [Goals]
goals: [speaking]
actions:
  - {task: Draft the talk, owner: mentee, due: 2026-02-17}
---

First session.
""",
    "content/pairs/ana-ben/checkins/2026-03-01.md": """\
---
date: 2026-03-01
scores: {trust: 4}
fit: continue
---
""",
    "content/pairs/ana-ben/closing.md": """\
---
date: 2026-04-01
outcomes: [Gave the talk]
---
""",
}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def add_plugin_options(program: Path, options: str) -> Path:
    """Add ``options`` (YAML lines, indented as plugin settings) to the example's mentorsite settings."""
    config = program / "mkdocs.yml"
    anchor = "      content_dir: content\n"
    text = config.read_text(encoding="utf-8")
    assert anchor in text, "the example's mkdocs.yml names content_dir"
    config.write_text(text.replace(anchor, anchor + options), encoding="utf-8")
    return program


def copy_example(destination: Path) -> Path:
    """The repository's example program (mkdocs.yml and content/) copied into ``destination``.

    Builds of the copy write site/ and site-private/ there, never into the repository.
    """
    import shutil

    repository = Path(__file__).parent.parent
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repository / "content", destination / "content")
    shutil.copy(repository / "mkdocs.yml", destination / "mkdocs.yml")
    return destination
