"""Reading a keys file without ever repeating what it holds.

A keys file holds secrets, so its reader is stricter than the records' one and words every
problem itself: a message is made of fixed words, the names of the file's entries, the
pair ids of the content and a line and column, never of the file's text. Not even a YAML
syntax error is worded by the YAML library, whose messages quote what they stumble on.
Every value is text on one line, plain or quoted, with no tag, anchor or alias; anything
else, nothing included, is an error rather than a missing passphrase.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.resolver import Resolver

from mentorsite.model.diagnostics import Diagnostic, Severity

Position = tuple[int, int]
REVIEW_ENTRY = "review"
PAIRS_ENTRY = "pairs"
SECRET_ENTRY = "folder_secret"
ENTRIES = (SECRET_ENTRY, PAIRS_ENTRY, REVIEW_ENTRY)
MIN_PASSPHRASE = 12
_DEPTH = 3  # the entries, the pairs, a pair's value: nothing deeper is read

_RESOLVER = Resolver()
_PLAIN_KINDS = {  # what a plain scalar is, by the tag YAML resolves it to
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:null": "nothing",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}
# YAML's own words for a syntax error, matched to ours; its messages quote the text.
_SYNTAX = (
    ("\\t", "a tab (indent with spaces)"),
    ("mapping values are not allowed", "': ' inside a value (put the value in quotes)"),
    ("end of stream", "the end of the file inside quotes or brackets"),
    ("escape", "an unknown escape in double quotes (use single quotes)"),
    ("could not find expected ':'", "a line that is not 'name: value'"),
)


@dataclass(frozen=True)
class Entry:
    """One value of the keys file and where it is written."""

    value: str = field(repr=False)
    position: Position


@dataclass
class KeysFile:
    """What a keys file holds: each usable value, and every problem found in it."""

    review: Entry | None = None
    secret: Entry | None = None
    pairs: dict[str, Entry] = field(default_factory=dict)
    """Every pair entry with a usable value, whether or not the content has that pair."""
    readable: bool = False
    """The file is a mapping of entries (its values may still have problems)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Node:
    """A YAML node, as far as a keys file needs it: what it is, where, and its text."""

    kind: str  # in fixed words: "text", "nothing", "a number", "a mapping", "an alias", ...
    position: Position
    text: str = field(default="", repr=False)
    entries: list[tuple[_Node, _Node]] = field(default_factory=list)


class _Events:
    """The events of one YAML document turned into nodes, one node at a time."""

    def __init__(self, found: list[yaml.Event]):
        self.found = found
        self.index = 0

    def next(self) -> yaml.Event:
        event = self.found[self.index]
        self.index += 1
        return event

    def node(self, depth: int = 0) -> _Node:
        """The next node; below the depth a keys file has, collections are only skipped (not built)."""
        event = self.next()
        position = _position(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            return _Node("an alias", position)
        if isinstance(event, yaml.MappingStartEvent):
            node = _Node("a mapping", position)
            if depth >= _DEPTH:
                self.skip()
            else:
                while not isinstance(self.found[self.index], yaml.MappingEndEvent):
                    node.entries.append((self.node(depth + 1), self.node(depth + 1)))
                self.next()
        elif isinstance(event, yaml.SequenceStartEvent):
            node = _Node("a list", position)
            self.skip()
        else:
            assert isinstance(event, yaml.ScalarEvent)
            node = _Node(_scalar_kind(event), position, event.value)
        if event.tag is not None:
            node.kind = "a tagged value"
        elif event.anchor is not None:
            node.kind = "an anchor"
        return node


    def skip(self) -> None:
        """Past the end of the collection just opened, however deep it is (without recursion)."""
        open_collections = 1
        while open_collections:
            event = self.next()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                open_collections += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                open_collections -= 1


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _scalar_kind(event: yaml.ScalarEvent) -> str:
    if event.style in ("|", ">"):
        return "a block scalar"
    if event.style:  # quoted
        return "text" if event.value.strip() else "nothing"
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    kind = _PLAIN_KINDS.get(tag, "a special value")
    return "nothing" if kind == "text" and not event.value.strip() else kind


def parse_keys(raw: bytes, shown: str, pair_ids: Collection[str] | None) -> KeysFile:
    """The entries of a keys file's bytes; ``shown`` names the file in messages.

    ``pair_ids`` are the pairs of the content (None when unknown: no entry is then warned
    about as naming no pair).
    """
    keys = KeysFile()
    text = _decoded(raw, shown, keys.diagnostics)
    if text is None:
        return keys
    root = _document(text, shown, keys.diagnostics)
    if root is None:
        return keys
    if root.kind != "a mapping":
        message = f"expected a mapping with the entries {_listed(ENTRIES, 'and')}, got {root.kind}"
        keys.diagnostics.append(_problem(shown, root.position, "wrong-type", message))
        return keys
    keys.readable = True
    _Reader(keys, shown, pair_ids).entries(root)
    return keys


def _decoded(raw: bytes, shown: str, diagnostics: list[Diagnostic]) -> str | None:
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        position = (before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1)
        message = "expected UTF-8 text, got bytes that are not; save the file as UTF-8"
        diagnostics.append(_problem(shown, position, "not-utf8", message))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _document(text: str, shown: str, diagnostics: list[Diagnostic]) -> _Node | None:
    """The root node of the only document, or None (with the problem) when there is none."""
    try:
        found = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        position = (before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1)
        message = "expected text, got a control character"
        diagnostics.append(_problem(shown, position, "bad-character", message))
        return None
    except yaml.MarkedYAMLError as error:
        said = error.problem or ""
        got = next((ours for theirs, ours in _SYNTAX if theirs in said), "text that is not YAML")
        position = _position(error.problem_mark or error.context_mark)
        diagnostics.append(_problem(shown, position, "yaml-syntax", f"expected YAML, got {got}"))
        return None
    except yaml.YAMLError:
        diagnostics.append(_problem(shown, (1, 1), "yaml-syntax", "expected YAML, got text that is not YAML"))
        return None
    starts = [event for event in found if isinstance(event, yaml.DocumentStartEvent)]
    if len(starts) > 1:
        message = "expected one YAML document, got several"
        diagnostics.append(_problem(shown, _position(starts[1].start_mark), "yaml-syntax", message))
        return None
    if not starts:
        message = f"expected a mapping with the entries {_listed(ENTRIES, 'and')}, got nothing"
        diagnostics.append(_problem(shown, (1, 1), "empty-file", message))
        return None
    events = _Events(found)
    while not isinstance(events.next(), yaml.DocumentStartEvent):
        pass
    return events.node()


class _Reader:
    """The entries of the keys file's mapping, each problem at its place."""

    def __init__(self, keys: KeysFile, shown: str, pair_ids: Collection[str] | None):
        self.keys = keys
        self.shown = shown
        self.pair_ids = pair_ids

    def problem(self, position: Position, code: str, message: str, name: str = "",
                severity: Severity = Severity.ERROR) -> None:
        self.keys.diagnostics.append(_problem(self.shown, position, code, message, name, severity))

    def entries(self, root: _Node) -> None:
        first: dict[str, int] = {}
        for key, value in root.entries:
            if key.kind != "text":
                self.problem(key.position, "wrong-type", f"expected an entry name as text, got {key.kind}")
                continue
            if key.text not in ENTRIES:
                close = difflib.get_close_matches(key.text, ENTRIES, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                message = f"expected an entry {_listed(ENTRIES, 'or')}, got another name{hint}"
                self.problem(key.position, "unknown-key", message)
                continue
            if key.text in first:
                self.twice(key, first[key.text], key.text)
                continue
            first[key.text] = key.position[0]
            if key.text == PAIRS_ENTRY:
                self.pairs(value)
            elif key.text == REVIEW_ENTRY:
                self.keys.review = self.passphrase(value, REVIEW_ENTRY)
            else:
                self.keys.secret = self.text(value, SECRET_ENTRY, "the folder secret")

    def twice(self, key: _Node, first_line: int, name: str) -> None:
        message = f"expected each entry once, got this one again (first on line {first_line})"
        self.problem(key.position, "duplicate-key", message, name)

    def pairs(self, node: _Node) -> None:
        if node.kind != "a mapping":
            message = f"expected a mapping of pair id to passphrase, got {node.kind}"
            self.problem(node.position, "wrong-type", message, PAIRS_ENTRY)
            return
        first: dict[str, int] = {}
        for key, value in node.entries:
            if key.kind != "text":
                message = f"expected a pair id as text, got {key.kind}"
                self.problem(key.position, "wrong-type", message, PAIRS_ENTRY)
                continue
            known = self.pair_ids is None or key.text in self.pair_ids
            # An id is named only when the content has that pair: a key may be a passphrase.
            name = f"{PAIRS_ENTRY}.{key.text}" if known else PAIRS_ENTRY
            if key.text in first:
                self.twice(key, first[key.text], name)
                continue
            first[key.text] = key.position[0]
            if not known:
                self.unknown_pair(key)
            found = self.passphrase(value, name)
            if found is not None:
                self.keys.pairs[key.text] = found

    def unknown_pair(self, key: _Node) -> None:
        known = sorted(self.pair_ids or ())
        close = difflib.get_close_matches(key.text, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})" if known else ""
        message = f"expected the id of a pair in the content, got another name{hint}"
        self.problem(key.position, "unknown-pair", message, PAIRS_ENTRY, Severity.WARNING)

    def text(self, node: _Node, name: str, what: str) -> Entry | None:
        if node.kind != "text":
            self.problem(node.position, "wrong-type", f"expected {what} as text, got {node.kind}", name)
            return None
        return Entry(node.text, node.position)

    def passphrase(self, node: _Node, name: str) -> Entry | None:
        entry = self.text(node, name, "the passphrase")
        if entry is not None and len(entry.value.strip()) < MIN_PASSPHRASE:
            message = f"expected a passphrase of at least {MIN_PASSPHRASE} characters, got a shorter one"
            self.problem(node.position, "weak-passphrase", message, name)
            return None
        return entry


def _problem(shown: str, position: Position, code: str, message: str, name: str = "",
             severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(shown, position[0], position[1], severity, code, message, name)


def _listed(names: Collection[str], conjunction: str) -> str:
    quoted = [f"'{name}'" for name in names]
    return f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"
