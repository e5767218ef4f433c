"""Counted nouns, said once for every page and message: '1 session', '2 sessions', '0 check-ins'.

The pages (as the templates' ``plural`` filter) and the practice checks both count things;
one rule for them keeps a count of one from reading '1 weeks' in one place and not another.
"""

from __future__ import annotations

IRREGULAR = {"person": "people"}
"""Plurals that are not made by the rules below."""


def plural_of(word: str) -> str:
    """The plural of a noun, or of the last word of a phrase ('action item': 'action items')."""
    head, _, last = word.rpartition(" ")
    if last in IRREGULAR:
        many = IRREGULAR[last]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        many = f"{last}es"
    elif len(last) > 1 and last.endswith("y") and last[-2] not in "aeiou":
        many = f"{last[:-1]}ies"
    else:
        many = f"{last}s"
    return f"{head} {many}" if head else many


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless the count is one: '1 day', '0 days', '2 check-ins'.

    ``many`` gives the plural of a word the rules get wrong, where it is used.
    """
    return f"{count} {word if count == 1 else many or plural_of(word)}"
