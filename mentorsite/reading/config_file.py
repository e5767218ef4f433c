"""The program's mkdocs.yml, read before MkDocs reads it, and MkDocs' complaints about it located.

MkDocs' own loader reads any YAML it is given: aliases that multiply or refer to
themselves, or deep nesting, make it hang or fail with a traceback, and its messages about
settings carry no line. Here the file (and any file it INHERITs) is first read as YAML
events and nodes within the bounds of the record reader (``mentorsite.reading.sources``), each
problem at its place; then MkDocs loads it, and every setting it refuses is reported at
the line of that setting. Nothing here imports MkDocs: the adapters pass its loader in.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
import yaml.reader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mentorsite.files.failures import describe, read_plain, reported_as, shown
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.positions import impossible_dates
from mentorsite.reading.problems import character_problem, problem, syntax_problem, unclosed_problem
from mentorsite.reading.sources import MAX_ALIASES, MAX_DEPTH, MAX_VALUES, decode

Loaded = TypeVar("Loaded")
Hook = TypeVar("Hook", bound=Callable[..., Any])
Position = tuple[int, int]
MKDOCS_CONFIG_LOG = "mkdocs.config"  # where MkDocs logs each setting it refuses or does not know
MAX_INHERITED = 10  # files a chain of INHERIT may name
PARSE_MARK = re.compile(r'in "(?P<path>[^"]+)", line (?P<line>\d+), column (?P<column>\d+)')
SETTING = re.compile(r"^Config value '(?P<key>[^']+)': (?P<rest>.*)", re.DOTALL)
STEP = re.compile(r"^(?:Plugin '(?P<plugin>[^']+)' option '(?P<option>[^']+)'|Sub-option '(?P<sub>[^']+)'): "
                  r"(?P<rest>.*)", re.DOTALL)
PARSING = "MkDocs encountered an error parsing the configuration file: "
QUOTED = re.compile(r"'([^'\s]+)'")


class ConfigFileError(Exception):
    """mkdocs.yml (or a file it inherits) cannot be used; ``lines``: every problem, each at its place."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def load_config_file(config_file: Path, load: Callable[[str], Loaded],
                     refused: tuple[type[BaseException], ...]) -> Loaded:
    """``load(path)`` of ``config_file`` (MkDocs' loader), once the file passed ``config_file_problems``.

    ``refused``: the exceptions by which ``load`` refuses the settings (MkDocs' Abort and
    ConfigurationError); they, like a value YAML cannot build, become a ConfigFileError
    that names the file, each setting at its line. MkDocs' warnings are logged at their line.
    The values of the mentorsite plugin's settings are checked when a session opens
    (``session.settings``), all of them at once.
    """
    if not config_file.exists():
        raise ConfigFileError([f"cannot open {shown(config_file, Path.cwd())}: there is no such file; run "
                               "mentorsite in the program's folder (where its mkdocs.yml is), or name the "
                               "file with -f"])
    problems = config_file_problems(config_file)
    if problems:
        raise ConfigFileError([str(each) for each in problems])
    text = config_file.read_text(encoding="utf-8")
    with _captured(MKDOCS_CONFIG_LOG) as records:
        try:
            loaded = load(str(config_file))
        except refused as error:
            lines = [located(config_file, text, r.getMessage(), Severity.ERROR)
                     for r in records if r.levelno >= logging.ERROR]
            raise ConfigFileError(lines or [_parse_problem(config_file, str(error))]) from None
        except (ValueError, TypeError, RecursionError) as error:
            raise ConfigFileError([f"{shown(config_file, Path.cwd())}:1:1: error[bad-config] cannot be "
                                   f"read: {error}"]) from None
    for record in records:
        if logging.WARNING <= record.levelno < logging.ERROR:
            logging.getLogger(MKDOCS_CONFIG_LOG).warning(located(config_file, text, record.getMessage(),
                                                                 Severity.WARNING))
    return loaded


def checked_first(make: Callable[[str], Exception]) -> Callable[[Hook], Hook]:
    """For the plugin's ``on_config(config)``: mkdocs.yml is read within bounds before the hook runs.

    Under a plain `mkdocs build`, MkDocs has read the file its own way; a problem that it let
    pass (an alias that refers to itself, an unset !ENV variable) is raised as
    ``make(message)`` here, before mentorsite reads the file again. An OSError in the hook is
    told as a message too (``failures.reported_as``).
    """

    def decorate(hook: Hook) -> Hook:
        guarded = reported_as(make)(hook)

        @functools.wraps(hook)
        def checking(self: object, config: Any, *arguments: Any, **keywords: Any) -> Any:
            named = getattr(config, "config_file_path", None)
            problems = config_file_problems(Path(named)) if isinstance(named, str) and named else []
            if problems:
                raise make("\n".join(str(each) for each in problems))
            return guarded(self, config, *arguments, **keywords)

        return checking  # type: ignore[return-value]

    return decorate


def setting_position(text: str, names: tuple[str, ...]) -> Position:
    """Where the mentorsite plugin's setting ``names`` is in mkdocs.yml's ``text`` (its value; else
    the nearest setting above it that is there; else 1:1)."""
    node = _node_at(text, ["plugins", "mentorsite", *names], [])
    return _start(node) if node is not None else (1, 1)


def top_setting(config_file: Path, name: str) -> str | None:
    """The text of a top-level setting as mkdocs.yml writes it (None when it is not a plain value there).

    `mkdocs serve` replaces ``site_dir`` with a temporary folder before plugins see it; the
    folder the file names is the one private folders must keep out of all the same.
    """
    try:
        root: Node | None = yaml.compose(config_file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    found = _child_named(root, name) if root is not None else None
    return found.value if isinstance(found, ScalarNode) and isinstance(found.value, str) else None


def config_file_problems(config_file: Path, depth: int = 0) -> list[Diagnostic]:
    """What stops ``config_file`` from being read at all, each problem at its place; [] when none.

    The file must exist and be UTF-8 text holding a mapping, within the bounds of the records'
    YAML, with dates that exist; a file it INHERITs is read the same way.
    """
    path = shown(config_file, Path.cwd())
    try:
        raw = read_plain(config_file)
    except OSError as error:
        return [problem(path, (1, 1), "unreadable", describe(error, Path.cwd()))]
    text, problems = decode(raw, path)
    if text is None:
        return problems
    root = _bounded_root(text, path, problems)
    if problems:
        return problems
    if root is None:
        return [problem(path, (1, 1), "empty-file", "the file is empty; expected the program's settings "
                                                    "(site_name: and the others)")]
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else f"the text '{root.value}'"[:60]
        message = f"expected a mapping of settings (key: value lines), got {kind}"
        return [problem(path, _start(root), "wrong-type", message)]
    problems = [problem(path, where, "bad-date", f"expected a date that exists (YYYY-MM-DD), got '{value}'")
                for where, value in impossible_dates(text)]
    problems += _unset_variables(root, path)
    return problems + _inherited_problems(config_file, root, path, depth)


def _unset_variables(root: Node, path: str) -> list[Diagnostic]:
    """Each ``!ENV`` value whose variables are all unset and that gives no default."""
    problems = []
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        pending += _children(node)
        if node.tag != "!ENV":
            continue
        if isinstance(node, ScalarNode):
            names = [str(node.value)]
        elif isinstance(node, SequenceNode) and len(node.value) == 1 \
                and isinstance(node.value[0], ScalarNode):
            names = [str(node.value[0].value)]
        else:
            continue  # a list of names and a default: the default stands when none is set
        if not any(name in os.environ for name in names):
            message = (f"expected the environment variable {names[0]} to be set, got none; set it, or give a "
                       f"default: !ENV [{names[0]}, default]")
            problems.append(problem(path, _start(node), "unset-variable", message))
    return sorted(problems)


def _inherited_problems(config_file: Path, root: MappingNode, path: str, depth: int) -> list[Diagnostic]:
    for key, value in root.value:
        if key.value != "INHERIT":
            continue
        if not isinstance(value, ScalarNode) or not value.value:
            return [problem(path, _start(value), "bad-setting", "expected the path of a file to inherit",
                            "INHERIT")]
        parent = config_file.parent / str(value.value)
        if depth >= MAX_INHERITED:
            message = f"expected at most {MAX_INHERITED} files inheriting each other, got more"
            return [problem(path, _start(value), "bad-setting", message, "INHERIT")]
        if not parent.is_file():
            message = f"expected a file to inherit, got none at {shown(parent, Path.cwd())}"
            return [problem(path, _start(value), "bad-setting", message, "INHERIT")]
        return config_file_problems(parent, depth + 1)
    return []


def _bounded_root(text: str, path: str, problems: list[Diagnostic]) -> Node | None:
    """The document's root node, read within the bounds; None (with ``problems``) when past one."""
    try:
        deepest = _deepest(text)
        if deepest is not None:
            problems.append(problem(path, deepest, "too-deep",
                                    f"expected at most {MAX_DEPTH} levels of nesting, got more"))
            return None
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:
        problems.append(character_problem(error, text, path, 0))
        return None
    except yaml.MarkedYAMLError as error:
        problems.append(unclosed_problem(error, text, path, 0, "the end of the file")
                        or syntax_problem(error, path, 0))
        return None
    except yaml.YAMLError as error:
        problems.append(problem(path, (1, 1), "yaml-syntax", f"invalid YAML: {error}"))
        return None
    if root is not None:
        excess = _excess(root)
        if excess is not None:
            problems.append(problem(path, _start(excess[0]), "too-large", excess[1]))
            return None
    return root


def _deepest(text: str) -> Position | None:
    """Where nesting first goes past MAX_DEPTH, read event by event (no recursion); else None."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH and event.start_mark is not None:
                return (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _excess(root: Node) -> tuple[Node, str] | None:
    """The node where the document passes a bound once its aliases are expanded, and why; else None.

    Each node is visited once; the size it stands for is added up bottom-up, so aliases that
    multiply ("billion laughs") are counted without being expanded.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    aliases = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        children = _children(node)
        if leaving:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_VALUES:
                return node, (f"expected at most {MAX_VALUES} values in one file, got more "
                              "(aliases that repeat a list or mapping many times?)")
            continue
        if id(node) in open_nodes:
            return node, "expected a value, got an alias that refers to itself; write the value out"
        if id(node) in sizes:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                return child, "expected a value, got an alias that refers to itself; write the value out"
            if id(child) in sizes:
                aliases += 1
                if aliases > MAX_ALIASES:
                    return child, f"expected at most {MAX_ALIASES} uses of aliases in one file, got more"
            else:
                stack.append((child, False))
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _start(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def located(config_file: Path, text: str, message: str, severity: Severity) -> str:
    """MkDocs' complaint about a setting, at the line of that setting, in the voice of the others.

    'Config value 'plugins': Plugin 'mentorsite' option 'jobs': Expected type: <class 'int'> but
    received: <class 'str'>' -> 'mkdocs.yml:9:13: error[bad-setting] plugins.mentorsite.jobs:
    expected int, got str'.
    """
    found = SETTING.match(message)
    if found is None:
        return f"{shown(config_file, Path.cwd())}:1:1: {severity.value}[bad-setting] {_plain(message)}"
    names, rest = [found["key"]], found["rest"]
    while (step := STEP.match(rest)) is not None:
        names += [name for name in (step["plugin"], step["option"], step["sub"]) if name]
        rest = step["rest"]
    unknown = rest.startswith("Unrecognised configuration name")  # at the key, not at its value
    node = _node_at(text, names, QUOTED.findall(rest), at_key=unknown)
    where = _start(node) if node is not None else (1, 1)
    field = names[2:] if names[:2] == ["plugins", "mentorsite"] and len(names) > 2 else names
    return str(Diagnostic(shown(config_file, Path.cwd()), *where, severity, "bad-setting", _plain(rest),
                          ".".join(field)))


def _node_at(text: str, names: list[str], mentioned: list[str], at_key: bool = False) -> Node | None:
    """The node of the setting ``names`` leads to (a plugin or extension by its name in a list).

    ``at_key``: the node of the last name's key rather than of its value.
    """
    try:
        node: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    found = node
    for index, name in enumerate(names):
        last = at_key and index == len(names) - 1
        node = _child_named(node, name, last) if node is not None else None
        if node is None:
            break
        found = node
    for name in mentioned:  # a name the message quotes, such as an extension's, within that setting
        inner = _child_named(found, name) if found is not None else None
        if inner is not None:
            return inner
    return found


def _child_named(node: Node, name: str, key_node: bool = False) -> Node | None:
    if isinstance(node, MappingNode):
        return next((key if key_node else value for key, value in node.value if key.value == name), None)
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode) and item.value == name:
                return item
            if isinstance(item, MappingNode) and any(key.value == name for key, _ in item.value):
                return _child_named(item, name)
    return None


def _plain(message: str) -> str:
    """MkDocs' wording, in ours: "expected X, got Y", type names without "<class '...'>"."""
    text = re.sub(r"<class '(?:[\w]+\.)*(\w+)'>", r"\1", message.strip())
    text = re.sub(r"^Expected type: (.+?) but received: (.+)$", r"expected \1, got \2", text, flags=re.DOTALL)
    text = re.sub(r"^Expected one of: (.+?) but received: (.+)$", r"expected one of \1, got \2", text,
                  flags=re.DOTALL)
    text = re.sub(r"^The configuration is invalid\. Expected a key-value mapping \(dict\) but received: "
                  r"(.+)$", r"expected a mapping of settings, got \1", text, flags=re.DOTALL)
    return " ".join(text.split())


def _parse_problem(config_file: Path, message: str) -> str:
    """A refusal that MkDocs raised rather than logged: at the YAML mark it names, if any."""
    marks = list(PARSE_MARK.finditer(message))
    text = PARSE_MARK.sub("", message.replace(PARSING, ""))
    text = " ".join(text.split()).rstrip(":; ")
    if not marks:
        return f"{shown(config_file, Path.cwd())}:1:1: error[bad-config] {text}"
    last = marks[-1]
    return (f"{shown(Path(last['path']), Path.cwd())}:{last['line']}:{int(last['column'])}: "
            f"error[bad-config] {text}")


@contextmanager
def _captured(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records logged to logger ``name`` (and below it) meanwhile, kept from its handlers."""
    logger = logging.getLogger(name)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler, propagated = Keep(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagated
