"""Where things are in a YAML file: the line and column of every key and value.

Records keep the positions their reader records while it builds their values
(``mentorsite.reading.sources``); files whose values need more than safe YAML, such as
mkdocs.yml, have their nodes composed here without building any value. Either way a
problem is reported where the author can fix it.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Location = tuple[str | int, ...]
Position = tuple[int, int]

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass
class Positions:
    """Line and column (1-based) of every value and every mapping key of a document.

    Pickled (in the record cache) with ``values`` and ``keys`` as one packed value, unpacked
    when either is first read: most builds read no position of a record that has no problem,
    and unpickling every key and position of every record was a third of the time it took to
    load the cache.
    """

    values: dict[Location, Position] = field(default_factory=dict)
    keys: dict[Location, Position] = field(default_factory=dict)
    start: Position = (1, 1)

    def __getstate__(self) -> tuple[Position, object]:
        held = self.__dict__
        if "_packed" in held and "values" not in held and "keys" not in held:
            return self.start, held["_packed"]  # as it was read: not unpacked to be packed again
        try:
            return self.start, marshal.dumps((self.values, self.keys))
        except ValueError:  # a location marshal does not take (not a plain str or int): kept as it is
            return self.start, (self.values, self.keys)

    def __setstate__(self, state: tuple[Position, object]) -> None:
        self.start, packed = state
        if isinstance(packed, bytes):
            self.__dict__["_packed"] = packed
        else:
            self.values, self.keys = packed  # type: ignore[misc]

    def __getattr__(self, name: str) -> object:  # only for a field the instance does not hold yet
        packed = self.__dict__.get("_packed")
        if packed is None or name not in ("values", "keys"):
            raise AttributeError(name)
        values, keys = marshal.loads(packed)
        self.__dict__.setdefault("values", values)  # a field set since it was read stays as set
        self.__dict__.setdefault("keys", keys)
        self.__dict__.pop("_packed", None)
        return self.__dict__[name]

    def of_value(self, location: Location) -> Position:
        """Where the value at ``location`` is, or its nearest enclosing value."""
        for end in range(len(location), -1, -1):
            found = self.values.get(location[:end])
            if found:
                return found
        return self.start

    def of_key(self, location: Location) -> Position:
        return self.keys.get(location) or self.of_value(location)


def position_at(text: str, offset: int, line_offset: int = 0) -> Position:
    """Line and column (1-based) of the character at ``offset``."""
    line = text.count("\n", 0, offset) + 1 + line_offset
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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
            if node.tag == TIMESTAMP_TAG:
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
