"""Problems found in a program's records, as plain values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from mentorsite.model.plurals import plural


class Severity(StrEnum):
    """How bad a problem is: errors fail a build, warnings fail it only in strict mode."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located at a line and column (both 1-based) of a file."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        subject = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity.value}[{self.code}] {subject}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order problems by file, then position, so output is stable from run to run."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.column, d.code, d.field, d.message))


def count_errors(diagnostics: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.is_error)


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """'2 errors and 1 warning', for the line that closes a report."""
    items = list(diagnostics)
    errors = count_errors(items)
    warnings = len(items) - errors
    return f"{plural(errors, 'error')} and {plural(warnings, 'warning')}"
