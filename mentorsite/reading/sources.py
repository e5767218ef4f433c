"""Reading one record file: bytes to text, front matter to data, with a position per field.

Every problem becomes a Diagnostic; nothing here raises on bad input.
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

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.model.records import describe_value

Location = tuple[str | int, ...]
Position = tuple[int, int]

_FRONT_MATTER = YAMLHandler()
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
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
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastRecordLoader(yaml.CSafeLoader):
        """The same loader over libyaml: many times faster, for files that parse cleanly."""

    _FastRecordLoader.yaml_implicit_resolvers = _RecordLoader.yaml_implicit_resolvers
    _FastLoader = _FastRecordLoader


@dataclass
class Positions:
    """Line and column (1-based) of every value and every mapping key of a document."""

    values: dict[Location, Position] = field(default_factory=dict)
    keys: dict[Location, Position] = field(default_factory=dict)
    start: Position = (1, 1)

    def of_value(self, location: Location) -> Position:
        """Where the value at ``location`` is, or its nearest enclosing value."""
        for end in range(len(location), -1, -1):
            found = self.values.get(location[:end])
            if found:
                return found
        return self.start

    def of_key(self, location: Location) -> Position:
        return self.keys.get(location) or self.of_value(location)


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


def problem(path: str, position: Position, code: str, message: str, field_name: str = "",
            severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(path, position[0], position[1], severity, code, message, field_name)


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


def position_at(text: str, offset: int, line_offset: int = 0) -> Position:
    """Line and column (1-based) of the character at ``offset``."""
    line = text.count("\n", 0, offset) + 1 + line_offset
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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
        unclosed = _unclosed_problem(error, text, path, line_offset, ends_at)
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


def character_problem(error: yaml.reader.ReaderError, text: str, path: str, line_offset: int) -> Diagnostic:
    message = f"expected text, got the control character U+{error.character:04X}; is this a binary file?"
    return problem(path, position_at(text, error.position, line_offset), "bad-character", message)


def syntax_problem(error: yaml.MarkedYAMLError, path: str, line_offset: int) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    position = (mark.line + 1 + line_offset, mark.column + 1) if mark else (line_offset + 1, 1)
    text = error.problem or "invalid YAML"
    if "'\\t'" in text:
        text = "found a tab; YAML indentation must use spaces"
    elif text == "mapping values are not allowed here":
        text += "; put text that contains ': ' in quotes"
    elif error.context:
        context = error.context
        if error.context_mark and error.context_mark is not mark:
            start = error.context_mark
            context += f" that starts on line {start.line + 1 + line_offset}, column {start.column + 1}"
        text = f"{text} ({context})"
    return problem(path, position, "yaml-syntax", f"invalid YAML: {text}")


_FLOW_KINDS = {"[": ("list", "]"), "{": ("mapping", "}")}
_ENDS = ("<stream end>", "<document start>", "<document end>")


def _unclosed_problem(error: yaml.MarkedYAMLError, text: str, path: str, line_offset: int,
                      end: str) -> Diagnostic | None:
    """A quoted text, list or mapping that is never closed, reported where it opens.

    The parser notices only where the text ends (``end``), or where a later line no longer
    fits; the place to fix is the opening quote or bracket. None for any other problem.
    """
    mark = error.problem_mark
    if mark is None:
        return None
    found = error.problem or ""
    if "document separator" in found or "<document" in found:
        marker = text[mark.index:mark.index + 3]  # '---' or '...': the document ends there
        end = f"the '{marker}' on line {mark.line + 1 + line_offset}"
    if (error.context or "").endswith("quoted scalar") and error.context_mark is not None and (
            "end of stream" in found or "document separator" in found):
        quote = text[error.context_mark.index]
        return _at(path, error.context_mark, line_offset,
                   f"the text opened with {quote} here is not closed; "
                   f"expected a closing {quote} before {end}")
    tokens = _tokens_before(text, mark.index)
    opened = _open_flows(tokens)
    at_end = any(token in found for token in _ENDS)
    if opened and "flow" in (error.context or "") and (at_end or mark.line > opened[-1][1].line):
        bracket, opening = opened[-1]
        kind, closing = _FLOW_KINDS[bracket]
        before = end if at_end else f"line {mark.line + 1 + line_offset}, column {mark.column + 1}"
        message = (f"the {kind} opened with '{bracket}' here is not closed; "
                   f"expected '{closing}' before {before}")
        for outer, outer_mark in reversed(opened[:-1]):
            message += (f"; nor is the {_FLOW_KINDS[outer][0]} opened with '{outer}' on line "
                        f"{outer_mark.line + 1 + line_offset}, column {outer_mark.column + 1}")
        return _at(path, opening, line_offset, message)
    quoted = _runaway_quote(tokens, mark)
    if quoted is not None:
        quote = text[quoted.start_mark.index]
        closed = quoted.end_mark
        return _at(path, quoted.start_mark, line_offset,
                   f"the text opened with {quote} here runs on to line {closed.line + 1 + line_offset}, "
                   f"column {closed.column}, where a {quote} closes it; expected a closing {quote} on "
                   f"line {quoted.start_mark.line + 1 + line_offset}")
    return None


def _at(path: str, mark: yaml.Mark, line_offset: int, message: str) -> Diagnostic:
    where = (mark.line + 1 + line_offset, mark.column + 1)
    return problem(path, where, "yaml-syntax", f"invalid YAML: {message}")


def _tokens_before(text: str, until: int) -> list[yaml.Token]:
    """YAML's own tokens of ``text`` before offset ``until`` (as far as its scanner reads)."""
    tokens: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= until:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass  # the scanner stops where the parser did, or before: what it read so far is the answer
    return tokens


def _open_flows(tokens: list[yaml.Token]) -> list[tuple[str, yaml.Mark]]:
    """The brackets still open after ``tokens``, outermost first."""
    opened: list[tuple[str, yaml.Mark]] = []
    for token in tokens:
        if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
            opened.append(("[" if isinstance(token, yaml.FlowSequenceStartToken) else "{", token.start_mark))
        elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and opened:
            opened.pop()
    return opened


def _runaway_quote(tokens: list[yaml.Token], mark: yaml.Mark) -> yaml.ScalarToken | None:
    """A quoted text that spans lines and closes on the line of the problem: its own quote is missing."""
    scalars = [token for token in tokens if isinstance(token, yaml.ScalarToken)]
    last = scalars[-1] if scalars else None
    if (last is None or last.style not in ("'", '"') or last.start_mark.line == last.end_mark.line
            or last.end_mark.line != mark.line):
        return None
    return last


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


def node_positions(text: str) -> Positions:
    """Where every key and value of a YAML file is, without building its values.

    For files whose values need more than safe YAML (mkdocs.yml may name Python objects with
    tags): the nodes are only composed, so any tag is fine. Empty on a syntax error.
    """
    positions = Positions()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return positions
    stack: list[tuple[Node, Location]] = [(node, ())] if node is not None else []
    while stack:
        current, location = stack.pop()
        positions.values[location] = (current.start_mark.line + 1, current.start_mark.column + 1)
        if isinstance(current, MappingNode):
            for key_node, value_node in current.value:
                key = (*location, str(key_node.value))
                positions.keys[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                stack.append((value_node, key))
        elif isinstance(current, SequenceNode):
            stack.extend((item, (*location, index)) for index, item in enumerate(current.value))
    return positions


def impossible_dates(text: str) -> list[tuple[Position, str]]:
    """Where a YAML file writes a date that does not exist (2026-13-01), with what it writes.

    YAML loaders that read such a value as a date fail without saying where; this finds it.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return []
    found: list[tuple[Position, str]] = []
    constructor = yaml.SafeLoader("")
    pending: list[Node] = [root] if root is not None else []
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag == _TIMESTAMP_TAG:
                try:
                    constructor.construct_yaml_timestamp(node)
                except ValueError:
                    found.append(((node.start_mark.line + 1, node.start_mark.column + 1), str(node.value)))
        elif isinstance(node, MappingNode):
            pending += [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            pending += node.value
    return sorted(found)


def field_name(location: Location) -> str:
    """('actions', 0, 'owner') -> 'actions[0].owner'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


