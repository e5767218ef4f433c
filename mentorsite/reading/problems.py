"""Problems as Diagnostics, and YAML's syntax errors worded for authors at the place to fix.

The parser notices a problem where the text stops making sense, which is often far from
the mistake (a quote or bracket never closed is noticed only at the end of the file); the
messages here say what to fix and point at where it starts. Records and mkdocs.yml share
them, so one mistake reads the same in either.
"""

from __future__ import annotations

import yaml
import yaml.reader

from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.reading.positions import Position, position_at


def problem(path: str, position: Position, code: str, message: str, field_name: str = "",
            severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(path, position[0], position[1], severity, code, message, field_name)


def character_problem(error: yaml.reader.ReaderError, text: str, path: str, line_offset: int) -> Diagnostic:
    message = f"expected text, got the control character U+{error.character:04X}; is this a binary file?"
    return problem(path, position_at(text, error.position, line_offset), "bad-character", message)


def syntax_problem(error: yaml.MarkedYAMLError, path: str, line_offset: int) -> Diagnostic:
    """YAML's problem in plain words, with what usually causes it, at the place the parser stopped."""
    mark = error.problem_mark or error.context_mark
    position = (mark.line + 1 + line_offset, mark.column + 1) if mark else (line_offset + 1, 1)
    found = error.problem or "invalid YAML"
    start = error.context_mark
    opened = (f"line {start.line + 1 + line_offset}, column {start.column + 1}"
              if start is not None and start is not mark else "")
    context = error.context or ""
    plain = _plain_words(found, context, opened)
    if "'\\t'" in found:
        text = "found a tab; YAML indentation must use spaces"
    elif plain is not None:
        text = plain
    elif context:
        text = f"{found} ({context}{' that starts on ' + opened if opened else ''})"
    else:
        text = found
    if start is not None and (found == "could not find expected ':'" or "while scanning an a" in context):
        position = (start.line + 1 + line_offset, start.column + 1)  # the line without its ':', the '*'
    return problem(path, position, "yaml-syntax", f"invalid YAML: {text}")


_STARTS_NO_VALUE = {"`": "a backquote", "@": "'@'", "%": "'%'"}


def _plain_words(found: str, context: str, opened: str) -> str | None:
    """The common YAML mistakes, said as what to fix; None for any other problem."""
    block = "the list" if "collection" in context or "sequence" in context else "the keys"
    verb = "start" if block == "the keys" else "starts"
    since = f" that {verb} on {opened}" if opened else ""
    if found == "mapping values are not allowed here":
        return ("found ': ' where a value was expected; put text that contains ': ' in quotes, or check that "
                "the line above has 'key: value' and that this line is indented like the keys around it")
    if found == "could not find expected ':'":
        return ("this line has no ': ' after its key; write 'key: value', or indent the line more to "
                "continue the value above it")
    if found.startswith("expected <block end>, but found '-'"):
        return (f"found a list item ('- ') among {block}{since}; put a list under its key, indented: "
                "'key:' and then '  - item' on the lines below")
    if found.startswith("expected <block end>, but found '<block"):
        return (f"this line is indented differently from {block}{since}; indent it like the lines it "
                "belongs with (the same number of spaces)")
    if found.startswith("expected <block end>, but found '?'"):
        return (f"found a 'key:' line inside {block}{since}, where each line starts with '- '; indent it "
                "like the key that holds the list, or make it an item with '- '")
    if found.startswith("expected <block end>, but found '<scalar>'"):
        return ("found more text after a quoted or bracketed value on the same line; put the whole value "
                "in quotes")
    if found.startswith("did not find expected key"):
        return f"this line does not fit {block}{since}; indent it like the keys it belongs with"
    if found.startswith("did not find expected '-' indicator"):
        return f"this line does not fit {block}{since}: each item of a list starts with '- '"
    if "that cannot start any token" in found:
        character = found.split("'")[1] if "'" in found else "this character"
        return (f"a value cannot start with {_STARTS_NO_VALUE.get(character, repr(character))}; put the "
                "whole value in quotes")
    if "while scanning an alias" in context or "while scanning an anchor" in context:
        return ("a value that starts with '*' or '&' is read as a reference inside the file; put the whole "
                "value in quotes ('*bold*')")
    if found.startswith("could not determine a constructor for the tag"):
        return "a value that starts with '!' is read as a type; put the whole value in quotes"
    if found == "found unhashable key":
        return "found a list or mapping used as a key; a key is plain text"
    return None


_FLOW_KINDS = {"[": ("list", "]"), "{": ("mapping", "}")}
_ENDS = ("<stream end>", "<document start>", "<document end>")


def unclosed_problem(error: yaml.MarkedYAMLError, text: str, path: str, line_offset: int,
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
