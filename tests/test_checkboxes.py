"""The handbook's checklists name each checkbox after its line (before, axe-core found 47
unnamed checkboxes, a critical finding, on the example's two checklists)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from mentorsite.pages.checkboxes import named_checkboxes
from tests.conftest import Cli
from tests.programs import copy_example

LIST = ('- [ ] Agree a few goals & dates. ([Set <b>clear</b> goals](x.md))\n- [x] Two\n'
        '    - [ ] Nested "one"\n- plain\n')


@pytest.mark.parametrize("custom", [False, True])
def test_each_task_item_names_its_checkbox_after_its_text(custom: bool) -> None:
    page = markdown.markdown(LIST, extensions=["pymdownx.tasklist"],
                             extension_configs={"pymdownx.tasklist": {"custom_checkbox": custom}})
    named = named_checkboxes(page)
    assert re.findall(r'aria-label="([^"]*)"', named) == [
        "Agree a few goals &amp; dates. (Set clear goals)", "Two", "Nested &quot;one&quot;"]
    assert named.count("<input") == 3 and named_checkboxes(named) == named  # once only
    assert named.replace(re.search(r' aria-label="[^"]*"', named).group(0), "", 1) != page  # type: ignore[union-attr]


def test_a_page_without_task_items_is_left_as_it_is() -> None:
    page = markdown.markdown("- one\n- two\n\n<input type='checkbox'>\n")
    assert named_checkboxes(page) == page


def test_the_built_checklists_have_no_unnamed_checkbox(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path)
    result = cli(program, "build", "--strict")
    assert result.returncode == 0, result.stderr
    for reader in ("mentor", "mentee"):
        page = (program / "site/checklists" / reader / "index.html").read_text(encoding="utf-8")
        article = page[page.index("<article"):page.index("</article>")]
        boxes = re.findall(r"<input[^>]*>", article)
        assert len(boxes) > 10 and all('aria-label="' in box for box in boxes), reader
