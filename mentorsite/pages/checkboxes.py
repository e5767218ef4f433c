"""Names for the checkboxes of the handbook's checklists.

A checklist line is a task-list item; the program's task-list extension draws it as a
disabled checkbox before the line's text, and neither the plain nor the custom checkbox is
tied to that text, so a screen reader announces an unnamed checkbox. Each checkbox is named
after its line.
"""

from __future__ import annotations

import html
import re

_ITEM = re.compile(r'(<li class="task-list-item">)(.*?)(?=<li[\s>]|</li>|</ul>|</ol>)', re.S)
_CHECKBOX = re.compile(r'<input(?![^>]*\baria-label=)(?=[^>]*\btype="checkbox")')
_TAG = re.compile(r"<[^>]+>")


def named_checkboxes(page: str) -> str:
    """``page`` (HTML) with each task-list checkbox named after its item's text."""
    def name(item: re.Match[str]) -> str:
        start, content = item.group(1), item.group(2)
        text = " ".join(html.unescape(_TAG.sub(" ", content)).split())
        text = re.sub(r"\s+([).,;:!?])", r"\1", re.sub(r"\(\s+", "(", text))  # where tags were
        if not text:
            return item.group(0)
        label = html.escape(text, quote=True)
        return start + _CHECKBOX.sub(f'<input aria-label="{label}"', content, count=1)
    return _ITEM.sub(name, page)
