"""Checks across records: duplicate ids, references that lead nowhere, dates out of order.

They read the parsed data of every document, not only of the records that passed their
field checks, so that one run reports a dangling reference in a file with other mistakes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.record_sets import PairRecords
from mentorsite.model.records import Checkin, Session
from mentorsite.reading.problems import problem
from mentorsite.reading.sources import Document

_MAX_LISTED = 8


def document_id(document: Document, default: str | None = None) -> str:
    """The id a document declares, else ``default``, else the name of its file."""
    declared = (document.data or {}).get("id")
    return declared if isinstance(declared, str) else default or Path(document.path).stem


def describe_unknown(kind: str, value: str, known: Sequence[str], scope: str) -> str:
    """"no goal 'x' in this pair (known: a, b)", with a suggestion when one is close."""
    message = f"no {kind} '{value}' {scope}"
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    if not known:
        return f"{message} (there are none yet)"
    listed = ", ".join(known[:_MAX_LISTED])
    more = f" and {len(known) - _MAX_LISTED} more" if len(known) > _MAX_LISTED else ""
    return f"{message} (known: {listed}{more})"


def check_duplicate_ids(kind: str, documents: Iterable[Document],
                        identify: Callable[[Document], str] = document_id) -> list[Diagnostic]:
    """Every document whose id is already taken is an error.

    A file whose id comes from its own name keeps it; the one that declares a clashing
    ``id:`` is the one reported, at that line.
    """
    first: dict[str, Document] = {}
    found = []
    readable = [d for d in documents if d.data is not None]
    for document in sorted(readable, key=lambda d: (("id",) in d.positions.keys, d.path)):
        record_id = identify(document)
        if record_id in first:
            message = f"the {kind} id '{record_id}' is already used by {first[record_id].path}"
            # An id written in the file is shown where it is written; one from a name, at 1:1.
            where = document.positions.keys.get(("id",), (1, 1))
            found.append(problem(document.path, where, "duplicate-id", message, "id"))
        else:
            first[record_id] = document
    return found


def check_references(documents: Iterable[Document], field: str, kind: str, known: Iterable[str],
                     scope: str) -> list[Diagnostic]:
    """Each text in the list ``field`` of each document must be one of ``known``."""
    known_ids = sorted(set(known))
    found = []
    for document in documents:
        targets = (document.data or {}).get(field)
        if not isinstance(targets, list):
            continue  # a wrong type is reported by the field checks
        for index, target in enumerate(targets):
            if isinstance(target, str) and target not in known_ids:
                message = describe_unknown(kind, target, known_ids, scope)
                found.append(problem(document.path, document.positions.of_value((field, index)),
                                     f"unknown-{kind}", message, f"{field}[{index}]"))
    return found


def check_action_links(sessions: Iterable[Document]) -> list[Diagnostic]:
    """Action ids are unique in the pair, and each ``carries`` names an action of an earlier session.

    An action that carries another continues it, so it has no id of its own for a later one
    to carry: the later one carries the first id too.
    """
    entries = []
    for document in sessions:
        actions = (document.data or {}).get("actions")
        order = (str((document.data or {}).get("date", "")), document_id(document))
        if isinstance(actions, list):
            entries += [(order, document, i, a) for i, a in enumerate(actions) if isinstance(a, dict)]
    entries.sort(key=lambda entry: (entry[0], entry[2]))
    named: dict[str, tuple[tuple[str, str], Document]] = {}
    found = []
    for order, document, index, action in entries:
        name, target = action.get("id"), action.get("carries")
        where = document.positions.of_value(("actions", index, "id"))
        if isinstance(name, str) and isinstance(target, str):
            message = f"an action that carries '{target}' continues it and takes no id of its own"
            found.append(problem(document.path, where, "carries-and-id", message, f"actions[{index}].id"))
        elif isinstance(name, str) and name in named:
            message = f"the action id '{name}' is already used in {named[name][1].path}"
            found.append(problem(document.path, where, "duplicate-id", message, f"actions[{index}].id"))
        elif isinstance(name, str):
            named[name] = (order, document)
    for order, document, index, action in entries:
        target = action.get("carries")
        if not isinstance(target, str):
            continue  # none, or a wrong type the field checks report
        earlier = sorted(name for name, (when, _) in named.items() if when < order)
        if target in earlier:
            continue
        if target in named:
            message = f"the action '{target}' is in {named[target][1].path}, not in an earlier session"
        else:
            message = describe_unknown("earlier action", target, earlier, "in this pair")
        found.append(problem(document.path, document.positions.of_value(("actions", index, "carries")),
                             "unknown-action", message, f"actions[{index}].carries"))
    return found


def check_pair_dates(records: PairRecords, documents: dict[str, Document]) -> list[Diagnostic]:
    """End dates after the start; sessions and check-ins not before the start, nor after an end."""
    pair = records.pair
    found = []

    def at(path: str, field: str) -> tuple[int, int]:
        return documents[path].positions.of_value((field,)) if path in documents else (1, 1)

    for name in ("planned_end", "end"):
        value = getattr(pair, name)
        if value is not None and value < pair.start:
            message = f"expected a date on or after the start ({pair.start}), got {value}"
            found.append(problem(pair.path, at(pair.path, name), "date-order", message, name))
    dated: list[Session | Checkin] = [*records.sessions, *records.checkins]
    for record in dated:
        if record.date < pair.start:
            message = f"expected a date on or after the pair's start ({pair.start}), got {record.date}"
        elif pair.end is not None and pair.end >= pair.start and record.date > pair.end:
            message = (f"expected a date on or before the pair's end ({pair.end}, status '{pair.status}'), "
                       f"got {record.date}; if the relationship went on, move its end")
        else:
            continue
        found.append(problem(record.path, at(record.path, "date"), "date-order", message, "date",
                             Severity.WARNING))
    return found
