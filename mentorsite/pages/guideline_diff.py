"""What changed in a guideline, word by word, as HTML a reader of the handbook can read.

A unified diff of a guideline's text shows whole lines, and one re-wrapped paragraph reads
as if every word of it changed. Here the text a manifest keeps (``guideline_text``) is split
back into its fields and the body into blocks (paragraphs, list items, headings, code
fences); blocks are compared by their words, so spacing and line breaks alone change
nothing, and a changed block is shown once with its removed words in ``<del>`` and its added
words in ``<ins>``. Unchanged blocks are counted, not shown.

Every word is escaped for HTML and for the Markdown around it (a guideline is Markdown
written by a program owner, and ``<script>`` in it must reach the page as text): the values
made here go into raw HTML blocks, which Python-Markdown passes as they are, but the
Markdown extensions that read the page before it (fences, critic marks, snippets) must
find nothing of theirs in them either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from mentorsite.model.manifests import ChangedGuideline

HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
          "clip-path:inset(50%);white-space:nowrap")
"""A word said to screen readers and not shown: colour and a line are not the only signal."""
PARAGRAPH = '<p style="overflow-wrap:anywhere">'
"""A changed block wraps like any text, even a long address in it."""
SIMILAR = 0.3
"""Below this share of common words, two blocks are shown as one removed and one added."""
MOST_PAIRINGS = 2500
"""Past this many block pairs to weigh, blocks are paired in order (a rewrite, not an edit)."""
MOST_COMPARISONS = 250_000
"""Past this many word pairs (or block pairs), comparing could take minutes on a record of a
megabyte: two blocks are then shown as one removed and one added, their likeness is estimated
from their words alone, and the body's blocks are matched with the usual shortcut for long
sequences. A build stays bounded whatever a guideline holds."""
LINES = '<pre style="white-space:pre-wrap;overflow-wrap:anywhere"><code>'
"""A changed code block or table, line by line, as it is written."""

_MARKDOWN = str.maketrans({"`": "&#96;", "~": "&#126;", "{": "&#123;", "}": "&#125;", "*": "&#42;",
                           "_": "&#95;", "\\": "&#92;", "[": "&#91;", "]": "&#93;", "$": "&#36;",
                           "|": "&#124;"})
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
FIELDS = {"Title": ("", " "), "Summary": ("", " "), "Audiences": (",", ", "), "Topic": ("", " "),
          "Sources": ("\n", "; "), "Related": (",", ", "), "Checklist": ("\n", "; "), "Licence": ("", " ")}
"""The fields compared one by one: what parts the items of a list in the text, and what joins them shown."""


def escape(text: str) -> str:
    """``text`` as literal text in HTML, with nothing a Markdown extension would act on."""
    return html.escape(text).translate(_MARKDOWN)


@dataclass(frozen=True)
class FieldChange:
    """A field of the guideline that changed: its name, and its words old and new in HTML."""

    name: str
    html: str


@dataclass(frozen=True)
class Passage:
    """A changed block of the body in HTML, or (``html`` empty) a run of ``unchanged`` blocks left out."""

    html: str = ""
    unchanged: int = 0


@dataclass(frozen=True)
class ReadableChange:
    """A changed guideline as a reader sees it: its changed fields, and its body block by block.

    ``only_spacing``: nothing but spacing or line breaks changed (the raw diff shows where);
    ``raw_diff``: the unified diff, escaped to stand in a ``<pre>``.
    """

    fields: tuple[FieldChange, ...]
    body: tuple[Passage, ...]
    raw_diff: str

    @property
    def only_spacing(self) -> bool:
        return not self.fields and all(not passage.html for passage in self.body)


def removed(words: Sequence[str], joiner: str = " ") -> str:
    return f'<del class="critic"><span style="{HIDDEN}">removed: </span>{escape(joiner.join(words))}</del>'


def added(words: Sequence[str], joiner: str = " ") -> str:
    return f'<ins class="critic"><span style="{HIDDEN}">added: </span>{escape(joiner.join(words))}</ins>'


def word_diff(before: Sequence[str], after: Sequence[str], joiner: str = " ") -> str:
    """The words of ``after``, with those of ``before`` it no longer has struck through.

    ``joiner`` goes between words (or between the items of a list such as the audiences).
    """
    if len(before) * len(after) > MOST_COMPARISONS:
        return joiner.join(part for part in (removed(before, joiner) if before else "",
                                             added(after, joiner) if after else "") if part)
    parts = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape(joiner.join(before[i1:i2])))
        if tag in ("delete", "replace"):
            parts.append(removed(before[i1:i2], joiner))
        if tag in ("insert", "replace"):
            parts.append(added(after[j1:j2], joiner))
    return joiner.join(parts)


def split_fields(text: str) -> tuple[dict[str, str], str]:
    """A manifest's guideline text (see ``guideline_text``) as its fields and its body.

    Text in any other shape is all body: it is still compared, only not field by field.
    """
    lines = text.rstrip("\n").split("\n")
    at = next((i for i in range(3, len(lines) - 1) if lines[i].startswith("For: ")
               and lines[i + 1].startswith("Topic: ") and lines[i - 1] == ""), None)
    if not lines[0].startswith("# ") or lines[1:2] != [""] or at is None:
        return {}, text.strip()
    fields = {"Title": lines[0][2:], "Summary": " ".join(lines[2:at - 1]), "Audiences": lines[at][5:],
              "Topic": lines[at + 1][7:], "Sources": "", "Related": "", "Checklist": "", "Licence": ""}
    rest = lines[at + 2:]
    if len(rest) >= 2 and rest[-1].startswith("Licence: ") and rest[-2] == "":
        fields["Licence"], rest = rest[-1][9:], rest[:-2]
    fields["Checklist"], rest = _listed(rest, "Checklist:")
    if len(rest) >= 2 and rest[-1].startswith("Related: ") and rest[-2] == "":
        fields["Related"], rest = rest[-1][9:], rest[:-2]
    fields["Sources"], rest = _listed(rest, "Sources:")
    return fields, "\n".join(rest).strip()


def _listed(lines: list[str], heading: str) -> tuple[str, list[str]]:
    """A list under ``heading`` at the end of ``lines`` (its items, one a line), and the lines before it."""
    first = len(lines)
    while first > 0 and lines[first - 1].startswith("- "):
        first -= 1
    if first < len(lines) and first >= 2 and lines[first - 1] == heading and lines[first - 2] == "":
        return "\n".join(line[2:] for line in lines[first:]), lines[:first - 2]
    return "", lines


def blocks(body: str) -> list[list[str]]:
    """The body's blocks as lists of words: paragraphs, list items, headings, fenced code.

    A blank line, a heading and a list item's marker end a block; a code fence is one
    block from its opening line to its closing one, blank lines and all.
    """
    found: list[list[str]] = []
    current: list[str] = []
    fence = ""

    def close() -> None:
        if current:
            as_lines = _FENCE.match(current[0]) or all(line.lstrip().startswith("|") for line in current)
            found.append([line.rstrip() for line in current] if as_lines
                         else [word for line in current for word in line.split()])
            current.clear()

    for line in body.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            current.append(line)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = ""
                close()
        elif opening:
            close()
            fence = opening.group(1)
            current.append(line)
        elif not line.strip():
            close()
        elif _HEADING.match(line):
            close()
            current.append(line)
            close()
        else:
            if _ITEM.match(line):
                close()
            current.append(line)
    close()
    return found


def similarity(before: Sequence[str], after: Sequence[str]) -> float:
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    return matcher.ratio() if len(before) * len(after) <= MOST_COMPARISONS else matcher.quick_ratio()


def is_lines(block: Sequence[str]) -> bool:
    """A code block or a table: kept as its lines (``blocks``), not as its words."""
    return bool(block) and bool(_FENCE.match(block[0]) or block[0].lstrip().startswith("|"))


Pairs = list[tuple[int | None, int | None]]


def pair_blocks(before: Sequence[list[str]], after: Sequence[list[str]]) -> Pairs:
    """Blocks of a changed stretch paired in order where alike: (old, new), (old, None), (None, new).

    The pairing keeps the order of both sides and takes the most common words overall, so an
    inserted paragraph before an edited one does not pair with it.
    """
    if len(before) * len(after) > MOST_PAIRINGS:
        count = max(len(before), len(after))
        return [(i if i < len(before) else None, i if i < len(after) else None) for i in range(count)]
    weight = [[similarity(a, b) for b in after] for a in before]
    best = [[0.0] * (len(after) + 1) for _ in range(len(before) + 1)]
    for i in range(len(before) - 1, -1, -1):
        for j in range(len(after) - 1, -1, -1):
            paired = best[i + 1][j + 1] + weight[i][j] if weight[i][j] >= SIMILAR else -1.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    pairs: Pairs = []
    i = j = 0
    while i < len(before) and j < len(after):
        if weight[i][j] >= SIMILAR and best[i][j] == best[i + 1][j + 1] + weight[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    return pairs + [(k, None) for k in range(i, len(before))] + [(None, k) for k in range(j, len(after))]


def compare_bodies(before: str, after: str) -> tuple[Passage, ...]:
    """The body's changed blocks in HTML, in order, with each run of unchanged ones counted."""
    old, new = blocks(before), blocks(after)
    passages: list[Passage] = []
    matcher = SequenceMatcher(None, [tuple(b) for b in old], [tuple(b) for b in new],
                              autojunk=len(old) * len(new) > MOST_COMPARISONS)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            passages.append(Passage(unchanged=i2 - i1))
            continue
        for i, j in pair_blocks(old[i1:i2], new[j1:j2]):
            if i is not None and j is not None and old[i1 + i] == new[j1 + j]:
                passages.append(Passage(unchanged=1))
                continue
            passages += _changed_block(old[i1 + i] if i is not None else None,
                                       new[j1 + j] if j is not None else None)
    merged: list[Passage] = []
    for passage in passages:
        if merged and passage.unchanged and merged[-1].unchanged:
            merged[-1] = Passage(unchanged=merged[-1].unchanged + passage.unchanged)
        else:
            merged.append(passage)
    return tuple(merged)


def _changed_block(before: list[str] | None, after: list[str] | None) -> list[Passage]:
    """A changed block: words in a paragraph, or lines (code, a table) as they are written."""
    if before is not None and after is not None and is_lines(before) != is_lines(after):
        return [*_changed_block(before, None), *_changed_block(None, after)]  # a paragraph became code
    lines = is_lines(before or after or [])
    joiner = "\n" if lines else " "
    if before is not None and after is not None:
        shown = word_diff(before, after, joiner)
    else:
        shown = removed(before, joiner) if before is not None else added(after or [], joiner)
    return [Passage(f"{LINES}{shown}</code></pre>" if lines else f"{PARAGRAPH}{shown}</p>")]


def items(value: str, separator: str) -> list[str]:
    """A field's words, or (with a ``separator``) its items, each with its spacing made single."""
    if not separator:
        return value.split()
    return [" ".join(item.split()) for item in value.split(separator) if item.strip()]


def readable_change(change: ChangedGuideline) -> ReadableChange:
    """What changed in a guideline between two editions: its fields, then its body."""
    old_fields, old_body = split_fields(change.before.text)
    new_fields, new_body = split_fields(change.after.text)
    fields = []
    for name, (separator, joiner) in FIELDS.items():
        old, new = (items(fields.get(name, ""), separator) for fields in (old_fields, new_fields))
        if old != new:
            fields.append(FieldChange(name, word_diff(old, new, joiner)))
    return ReadableChange(tuple(fields), compare_bodies(old_body, new_body), escape(change.diff))
