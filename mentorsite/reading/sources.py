"""Reading one record file within bounds: bytes to text, front matter to data, a position per field.

Every problem becomes a Diagnostic; nothing here raises on bad input. Where things are is
``mentorsite.reading.positions``; how a YAML problem is worded, ``mentorsite.reading.problems``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from frontmatter.default_handlers import YAMLHandler
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mentorsite.model.diagnostics import Diagnostic
from mentorsite.model.records import describe_value
from mentorsite.reading.positions import TIMESTAMP_TAG, Location, Position, Positions, field_name, position_at
from mentorsite.reading.problems import character_problem, problem, syntax_problem, unclosed_problem

_FRONT_MATTER = YAMLHandler()
# Bounds of one record's YAML: no record needs more, and past them a hostile file (aliases
# that refer to themselves, or that multiply: "billion laughs"; deep nesting) would stop
# every build. A file past a bound gets a located error, and only that file.
MAX_DEPTH = 50
MAX_VALUES = 20_000
MAX_ALIASES = 100


class _TooLargeError(Exception):
    """A YAML document past one of the bounds; carries where and why."""

    def __init__(self, node: Node, message: str, code: str = "too-large"):
        super().__init__(message)
        self.node = node
        self.message = message
        self.code = code


class _RecordLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so the model can say why a date is impossible."""


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastRecordLoader(yaml.CSafeLoader):
        """The same loader over libyaml: many times faster, for files that parse cleanly."""

    _FastRecordLoader.yaml_implicit_resolvers = _RecordLoader.yaml_implicit_resolvers
    _FastLoader = _FastRecordLoader


@dataclass
class Document:
    """The data of a record file, with positions, body text and the problems found so far."""

    path: str
    data: dict[str, Any] | None
    positions: Positions
    body: str = ""
    body_line: int = 1
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digest: str = ""
    """The SHA-256 of the file's bytes, when it was read from a file."""


def failed(path: str, diagnostic: Diagnostic, positions: Positions | None = None) -> Document:
    """A document that could not be read, with the reason."""
    return Document(path, None, positions or Positions(), diagnostics=[diagnostic])


def decode(raw: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 (with or without a byte order mark) to text with plain newlines."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        bad = raw[error.start : error.start + 1].hex()
        message = f"expected UTF-8 text, got the byte 0x{bad}; save the file as UTF-8"
        return None, [problem(path, (line, column), "not-utf8", message)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        message = "expected text, got a NUL byte; binary files are not records"
        return None, [problem(path, position_at(text, text.index("\x00")), "bad-character", message)]
    return text, []


def _text_of(raw: bytes, path: str, expected: str) -> str | Document:
    """The decoded text, or a failed document when it is not text or is empty."""
    text, diagnostics = decode(raw, path)
    if text is None:
        return Document(path, None, Positions(), diagnostics=diagnostics)
    if not text.strip():
        return failed(path, problem(path, (1, 1), "empty-file", f"the file is empty; expected {expected}"))
    return text


def read_markdown(raw: bytes, path: str) -> Document:
    """A Markdown record: YAML front matter between '---' lines, then the body."""
    text = _text_of(raw, path, "front matter between two '---' lines")
    if isinstance(text, Document):
        return text
    opening = _FRONT_MATTER.FM_BOUNDARY.match(text) if _FRONT_MATTER.FM_BOUNDARY else None
    if opening is None:
        message = "expected front matter: a first line '---', the fields, then a closing '---'"
        return failed(path, problem(path, (1, 1), "no-front-matter", message))
    try:
        fields_text, body = _FRONT_MATTER.split(text)
    except ValueError:
        message = "the front matter opened on line 1 is never closed; expected a line '---'"
        return failed(path, problem(path, (1, 1), "unclosed-front-matter", message))
    line_offset = text.count("\n", 0, opening.end())
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    document = parse_yaml(fields_text, path, line_offset, "the closing '---'")
    document.body = body.lstrip("\n")
    document.body_line = body_line + (len(body) - len(body.lstrip("\n")))
    if document.data is None and not document.diagnostics:
        document.data = {}
    return document


def read_yaml(raw: bytes, path: str) -> Document:
    """A plain YAML record such as pair.yml."""
    text = _text_of(raw, path, "a mapping of fields")
    if isinstance(text, Document):
        return text
    document = parse_yaml(text, path, 0)
    if document.data is None and not document.diagnostics:
        message = "the file holds only comments; expected a mapping of fields"
        return failed(path, problem(path, (1, 1), "empty-file", message))
    return document


def parse_yaml(text: str, path: str, line_offset: int, ends_at: str = "the end of the file") -> Document:
    """Parse one YAML document that must be a mapping; ``line_offset`` lines precede it.

    ``ends_at`` says where the document ends, for a message about what is never closed.
    """
    if _FastLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _parse_with(_FastLoader, text, path, line_offset)
        except yaml.YAMLError:
            pass  # parsed again below: the pure-Python parser words every problem the same way everywhere
    positions = Positions(start=(line_offset + 1, 1))
    try:
        return _parse_with(_RecordLoader, text, path, line_offset)
    except yaml.reader.ReaderError as error:
        return failed(path, character_problem(error, text, path, line_offset), positions)
    except yaml.MarkedYAMLError as error:
        unclosed = unclosed_problem(error, text, path, line_offset, ends_at)
        return failed(path, unclosed or syntax_problem(error, path, line_offset), positions)
    except yaml.YAMLError as error:
        return failed(path, problem(path, positions.start, "yaml-syntax", str(error)), positions)


def _parse_with(loader_class: type[Any], text: str, path: str, line_offset: int) -> Document:
    """The document of ``text`` parsed by ``loader_class``; raises on a YAML problem."""
    positions = Positions(start=(line_offset + 1, 1))
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            message = f"expected at most {MAX_DEPTH} levels of nesting, got too many to read"
            return failed(path, problem(path, positions.start, "too-deep", message), positions)
        if node is None:
            return Document(path, None, positions)
        builder = _Builder(loader, path, line_offset, positions)
        try:
            data = builder.build(node, ())
        except _TooLargeError as excess:
            return failed(path, problem(path, builder.position(excess.node), excess.code, excess.message),
                          Positions(start=positions.start))
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        message = f"expected a mapping of fields (key: value lines), got {describe_value(data)}"
        return failed(path, problem(path, positions.of_value(()), "wrong-type", message), positions)
    return Document(path, data, positions, diagnostics=builder.diagnostics)


class _Builder:
    """Turns YAML nodes into plain Python values, recording where each one stands."""

    def __init__(self, loader: yaml.constructor.SafeConstructor, path: str, line_offset: int,
                 positions: Positions):
        self.loader = loader
        self.path = path
        self.line_offset = line_offset
        self.positions = positions
        self.diagnostics: list[Diagnostic] = []
        self.values = 0
        self.seen: set[int] = set()  # collections built once: a second time is an alias
        self.aliases = 0
        self.open: set[int] = set()  # the collections being built, outermost first

    def position(self, node: Node) -> Position:
        return (node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def build(self, node: Node, location: Location) -> Any:
        self.positions.values[location] = self.position(node)
        if isinstance(node, ScalarNode):
            self._count(node)
            try:
                return self.loader.construct_object(node, deep=True)
            except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
                raise _unreadable_scalar(node, error) from None
        self._enter(node, location)
        try:
            if isinstance(node, MappingNode):
                return self.build_mapping(node, location)
            assert isinstance(node, SequenceNode)
            return [self.build(item, (*location, index)) for index, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _count(self, node: Node) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooLargeError(node, f"expected at most {MAX_VALUES} values in one record, got more "
                                  "(aliases that repeat a list or mapping many times?)")

    def _enter(self, node: Node, location: Location) -> None:
        self._count(node)
        if id(node) in self.open:
            raise _TooLargeError(node, "expected a value, got an alias that refers to itself; "
                                       "write the value out")
        if len(location) >= MAX_DEPTH:
            raise _TooLargeError(node, f"expected at most {MAX_DEPTH} levels of nesting, got more")
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooLargeError(node, f"expected at most {MAX_ALIASES} uses of aliases in one record, "
                                           "got more")
        self.seen.add(id(node))
        self.open.add(id(node))

    def build_mapping(self, node: MappingNode, location: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key_value = self.build(key_node, (*location, "<key>"))
            key = key_value if isinstance(key_value, str) else str(key_value)
            where = self.position(key_node)
            if key in first_seen:
                message = f"the key appears twice (first on line {first_seen[key][0]}); the second one wins"
                name = field_name((*location, key))
                self.diagnostics.append(problem(self.path, where, "duplicate-key", message, name))
            first_seen.setdefault(key, where)
            self.positions.keys[(*location, key)] = where
            result[key] = self.build(value_node, (*location, key))
        self.positions.values.pop((*location, "<key>"), None)
        return result


def _unreadable_scalar(node: ScalarNode, error: Exception) -> _TooLargeError:
    """A scalar the YAML reader cannot turn into a value (``!!int "abc"``, a 5000-digit number)."""
    digits = re.search(r"value has (\d+) digits", str(error))
    if digits:
        return _TooLargeError(node, f"expected a number of at most {sys.get_int_max_str_digits()} digits, "
                                    f"got one of {digits.group(1)}")
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    kinds = {"!!int": "a whole number", "!!float": "a number", "!!bool": "true or false",
             "!!timestamp": "a date that exists (YYYY-MM-DD)", "!!binary": "base64 text"}
    expected = kinds.get(tag, f"a value the tag {tag} can hold")
    shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
    return _TooLargeError(node, f"invalid YAML: expected {expected}, got '{shown}'", code="yaml-syntax")
