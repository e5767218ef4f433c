"""Scorecards: the practice checks a handbook names, run on a pair's records and read per guideline.

Also where the checks' thresholds are read from the program's settings (every problem
located and reported in one go) and where verdicts become warnings for ``mentorsite check
--practices``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from mentorsite.checking.program import CheckedProgram
from mentorsite.checking.validation import suggest
from mentorsite.insights.practices import CHECKS
from mentorsite.insights.verdicts import VERDICT_RANK, CheckResult, Facts, Thresholds, Verdict
from mentorsite.model.diagnostics import Diagnostic, Severity, sort_diagnostics
from mentorsite.model.record_sets import Handbook, PairRecords
from mentorsite.model.records import Guideline, describe_value
from mentorsite.reading.positions import Location, Positions, field_name
from mentorsite.reading.problems import problem

VERDICT_LABELS: dict[Verdict, str] = {"pass": "Pass", "warn": "Warn", "fail": "Fail",
                                      "not-assessed": "Not assessed"}


@dataclass(frozen=True)
class PracticeSettings:
    """Every check's thresholds: the defaults, with those the program set."""

    overrides: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def thresholds(self, name: str) -> Thresholds:
        check = CHECKS[name]
        given = self.overrides.get(name, {})
        return {key: given.get(key, parameter.default) for key, parameter in check.parameters.items()}

    def describe(self, name: str) -> str:
        """How the check judges, in a sentence, with this program's thresholds."""
        text = CHECKS[name].describe(self.thresholds(name))
        return text[0].upper() + text[1:] + "."


class _Reporter(Protocol):
    """Records a problem at a place within the setting (``key``: at the key rather than the value)."""

    def __call__(self, where: Location, code: str, message: str, key: bool = False) -> None: ...


def read_practice_settings(data: object, path: str, positions: Positions | None = None,
                           location: Location = ()) -> tuple[PracticeSettings, list[Diagnostic]]:
    """Check the ``practices`` setting (check name -> threshold -> number); every problem, located.

    ``location`` is where the setting sits in the file at ``path`` (mkdocs.yml), so that
    each message points at its line; without ``positions`` messages point at line 1.
    """
    found: list[Diagnostic] = []

    def report(where: Location, code: str, message: str, key: bool = False) -> None:
        full = (*location, *where)
        spot = (positions.of_key(full) if key else positions.of_value(full)) if positions else (1, 1)
        found.append(problem(path, spot, code, message, field_name(("practices", *where))))

    if data is None:
        return PracticeSettings(), []
    if not isinstance(data, dict):
        report((), "wrong-type",
               f"expected a mapping of check names to thresholds, got {describe_value(data)}")
        return PracticeSettings(), found
    overrides: dict[str, dict[str, float]] = {}
    for name, given in data.items():
        if name not in CHECKS:
            hint = suggest(str(name), list(CHECKS))
            report((name,), "unknown-check", f"no practice check '{name}'; {hint}", True)
        elif not isinstance(given, dict):
            report((name,), "wrong-type", f"expected a mapping of thresholds, got {describe_value(given)}")
        else:
            overrides[name] = _read_thresholds(name, given, report)
    return PracticeSettings(overrides), sort_diagnostics(found)


def _read_thresholds(name: str, given: dict[object, object], report: _Reporter) -> dict[str, float]:
    parameters = CHECKS[name].parameters
    values: dict[str, float] = {}
    for key, value in given.items():
        if key not in parameters:
            hint = suggest(str(key), list(parameters))
            report((name, str(key)), "unknown-key", f"unknown threshold; {hint}", True)
            continue
        kind = parameters[str(key)].kind
        number_ok = isinstance(value, int | float) and not isinstance(value, bool)
        if kind == "share" and not (number_ok and 0 <= float(value) <= 1):  # type: ignore[arg-type]
            report((name, str(key)), "bad-value", f"expected a share from 0 to 1 (0.9 is 90%), got "
                   f"{describe_value(value)}")
        elif kind == "days" and not (isinstance(value, int) and not isinstance(value, bool) and value >= -1):
            report((name, str(key)), "bad-value",
                   f"expected a whole number of days, got {describe_value(value)}")
        else:
            values[str(key)] = float(value)  # type: ignore[arg-type]
    limits = {**{k: p.default for k, p in parameters.items()}, **values}
    if "pass" in parameters and limits["warn"] > limits["pass"]:
        report((name, "warn" if "warn" in values else "pass"), "bad-value",
               f"expected warn ({limits['warn']:g}) to be at most pass ({limits['pass']:g})")
    return values


# Scorecards -------------------------------------------------------------------------------


def named_checks(handbook: Handbook) -> list[str]:
    """The checks the handbook's guidelines name, in the library's order (unknown names left out)."""
    named = {name for guideline in handbook.guidelines for name in guideline.checks}
    return [name for name in CHECKS if name in named]


def run_checks(records: PairRecords, as_of: date, settings: PracticeSettings, names: Iterable[str],
               shared_only: bool = False) -> dict[str, CheckResult]:
    """The result of each named check on these records (one edition's) as of ``as_of``.

    The one way the scorecard, ``check --practices`` and the report run a check: a pair that
    has not started is not assessed by any (``PracticeCheck.run``).
    """
    facts = Facts(records, as_of, shared_only)
    return {name: CHECKS[name].run(facts, settings.thresholds(name)) for name in names}


@dataclass(frozen=True)
class GuidelineScore:
    """A guideline with the results of its checks; its verdict is the worst of those assessed."""

    guideline: Guideline
    results: tuple[CheckResult, ...]

    @property
    def verdict(self) -> Verdict:
        assessed = [r.verdict for r in self.results if r.verdict != "not-assessed"]
        return min(assessed, key=VERDICT_RANK.__getitem__) if assessed else "not-assessed"


@dataclass(frozen=True)
class Scorecard:
    as_of: date
    rows: tuple[GuidelineScore, ...]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for row in self.rows if row.verdict == verdict)


def scorecard(records: PairRecords, handbook: Handbook, as_of: date, settings: PracticeSettings,
              shared_only: bool = False) -> Scorecard:
    """Each guideline that names checks, in handbook order, with their results on these records."""
    results = run_checks(records, as_of, settings, named_checks(handbook), shared_only)
    rows = [GuidelineScore(g, tuple(results[name] for name in dict.fromkeys(g.checks) if name in results))
            for g in handbook.guidelines if any(name in results for name in g.checks)]
    return Scorecard(as_of, tuple(rows))


def practice_findings(checked: CheckedProgram, settings: PracticeSettings, as_of: date) -> list[Diagnostic]:
    """Every check that warns or fails on a pair, as a warning at the record it is about.

    Only pairs whose records have no errors are checked, and only the checks the handbook's
    guidelines name: the handbook decides which practices a pair is held to.
    """
    names = named_checks(checked.program.handbook)
    cited = {name: [g.id for g in checked.program.handbook.guidelines if name in g.checks] for name in names}
    found = []
    for records in checked.program.pairs:
        if any(d.is_error for d in checked.pair_problems(records.pair.id)):
            continue
        for name, result in run_checks(records, as_of, settings, names).items():
            if result.verdict in ("warn", "fail"):
                found.append(_finding(result, cited[name], checked.positions, records))
    return found


def _finding(result: CheckResult, guidelines: list[str], positions: Mapping[str, Positions],
             records: PairRecords) -> Diagnostic:
    first = result.evidence[0] if result.evidence else None
    path = first.path if first else records.pair.path
    spot = positions[path].of_value(first.location) if first and path in positions else (1, 1)
    detail = f" First: {first.note}." if first and len(result.evidence) == 1 else (
        f" First of {len(result.evidence)}: {first.note}." if first else "")
    verb = "fails" if result.verdict == "fail" else "warns"
    message = f"{verb}: {result.summary}{detail} See the handbook: {', '.join(guidelines)}."
    return problem(path, spot, result.name, message, field_name(first.location) if first else "",
                   Severity.WARNING)


def verdict_counts(results: Iterable[CheckResult]) -> dict[Verdict, int]:
    counts: dict[Verdict, int] = {"pass": 0, "warn": 0, "fail": 0, "not-assessed": 0}
    for result in results:
        counts[result.verdict] += 1
    return counts
