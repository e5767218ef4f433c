"""Golden files: rendered pages compared with the files kept under tests/golden/."""

from __future__ import annotations

from pathlib import Path

from mentorsite.pages.rendering import RenderedPage


def check_golden(folder: Path, pages: list[RenderedPage], update: bool) -> None:
    """Each page equals its file under ``folder``, and there is no file without a page.

    With ``update`` (pytest --update-goldens), the files are rewritten first.
    """
    if update:
        for page in pages:
            (folder / page.uri).parent.mkdir(parents=True, exist_ok=True)
            (folder / page.uri).write_text(page.markdown, encoding="utf-8")
    expected = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
    assert sorted(page.uri for page in pages) == expected
    for page in pages:
        assert page.markdown == (folder / page.uri).read_text(encoding="utf-8"), page.uri
