"""The charts as Chromium draws them: every text at least 12 px and no two texts of a chart overlapping.

Measured on the example's dashboards, on a pair with a long span (2019 to 2026, a session every
two weeks, goal progress each quarter) and on the report of a program of six pairs, at a phone's
width and at a desktop's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import playwright.sync_api as playwright
import pytest

from mentorsite.insights.practices import CHECKS
from mentorsite.pages.charts import VERDICT_SERIES, Bar, bar_chart
from tests.canary import six_pair_program
from tests.programs import copy_example, write_files
from tests.serving import serve
from tests.test_browser import browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.slow

WIDTHS = (390, 1280)
PAGES = ("pairs/long-span/index.html", "pairs/lena-marcus/index.html", "pairs/sofia-david/index.html")


def long_span_pair() -> dict[str, str | bytes]:
    """A pair that met every two weeks from June 2019 to November 2026, with one goal tracked."""
    files: dict[str, str | bytes] = {
        "content/pairs/long-span/pair.yml": (
            "mentor: {name: Ada Long}\nmentee: {name: Bo Span}\nstart: 2019-06-03\nstatus: active\n"
            "program: Northwind Mentoring\ncohort: 2019-summer\n"),
        "content/pairs/long-span/agreement.md": (
            "---\ncadence: {every: 2, unit: weeks}\nchannels: [video]\nconfidentiality: Between us.\n"
            "goals: [grow]\nsigned: {mentor: 2019-06-01, mentee: 2019-06-01}\n---\n"),
    }
    progress = "".join(f"  - {{date: {2019 + q // 4}-{q % 4 * 3 + 1:02d}-15, percent: {min(100, q * 4)}}}\n"
                       for q in range(1, 30))
    files["content/pairs/long-span/goals/grow.md"] = (
        f"---\ntitle: Grow into the lead role\nstatus: in-progress\nprogress:\n{progress}---\n")
    day = date(2019, 6, 3)
    while day <= date(2026, 11, 16):
        files[f"content/pairs/long-span/sessions/{day}.md"] = f"---\ndate: {day}\ngoals: [grow]\n---\n\nMet.\n"
        day += timedelta(days=14)
    return files


def build_example_with_long_span(folder: Path) -> Path:
    """The example program with the long-span pair added, built as the browser tests build it."""
    program = write_files(copy_example(folder), long_span_pair())
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=program, check=True,
                   capture_output=True, env=environment)
    return program


@pytest.fixture(scope="module")
def private_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(build_example_with_long_span(tmp_path_factory.mktemp("legibility")) / "site-private")


def build_report_program(folder: Path) -> Path:
    """Six pairs, three active and three completed: enough for the report to draw its charts."""
    write_files(folder, dict(six_pair_program().files))
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=folder, check=True,
                   capture_output=True, env=environment)
    return folder


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(build_report_program(tmp_path_factory.mktemp("report")) / "site-private")




# For each chart's SVG: each text's rendered font size (its computed size times the SVG's
# scale, from the screen matrix) and its box on the page.
MEASURE = """() => [...document.querySelectorAll('figure.mentorsite-chart > svg')].map(svg => ({
  chart: svg.closest('figure').id,
  texts: [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBoundingClientRect();
    const scale = Math.sqrt(Math.abs(text.getScreenCTM().a * text.getScreenCTM().d));
    return {text: text.textContent, size: parseFloat(getComputedStyle(text).fontSize) * scale,
            left: box.left, right: box.right, top: box.top, bottom: box.bottom};
  }),
  box: svg.getBoundingClientRect().toJSON(),
}))"""


def measure(browser: playwright.Browser, url: str, width: int, added: str = "") -> list[dict[str, Any]]:  # noqa: F811 - the imported fixture
    """The charts of the page at ``url``, with the HTML ``added`` at the end of its article."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    page.goto(url)
    if added:
        page.evaluate("html => document.querySelector('article').insertAdjacentHTML('beforeend', html)", added)
    charts: list[dict[str, Any]] = page.evaluate(MEASURE)
    context.close()
    return charts


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_chart_text_is_at_least_12_px_and_never_overlaps(
        private_url: str, path: str, width: int, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    charts = measure(browser, f"{private_url}{path}", width)
    assert {chart["chart"] for chart in charts} >= {"r-chart-sessions", "r-chart-goals"}
    check_legible(charts, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_charts_are_legible_too(browser: playwright.Browser, report_url: str, width: int) -> None:  # noqa: F811 - the imported fixture
    charts = measure(browser, f"{report_url}report/index.html", width)
    assert {chart["chart"] for chart in charts} == {"r-chart-statuses"}
    check_legible(charts, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_checks_chart_with_every_check_is_legible(
        report_url: str, width: int, browser: playwright.Browser) -> None:  # noqa: F811 - the imported fixture
    """The report's checks chart, with every check's title (its longest labels), drawn in the report's page."""
    bars = [Bar(check.title, (3, number % 3, 3)) for number, check in enumerate(CHECKS.values())]
    chart = bar_chart("checks", "Practice checks across pairs", bars, VERDICT_SERIES)
    assert chart is not None
    charts = measure(browser, f"{report_url}report/index.html", width, chart.figure())
    assert [c["chart"] for c in charts] == ["r-chart-statuses", "chart-checks"]
    assert len(charts[1]["texts"]) == 2 * len(CHECKS)
    check_legible(charts, width)


def check_legible(charts: list[dict[str, Any]], width: int) -> None:
    for chart in charts:
        texts = chart["texts"]
        assert texts, chart["chart"]
        small = [(t["text"], round(t["size"], 1)) for t in texts if t["size"] < 12]
        assert not small, f"{chart['chart']} at {width} px: {small}"
        clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1:] if overlap(a, b)]
        assert not clashes, f"{chart['chart']} at {width} px: {clashes}"
        box = chart["box"]  # the SVG clips what passes its edges
        outside = [t["text"] for t in texts if t["left"] < box["left"] - 0.5 or t["right"] > box["right"] + 0.5
                   or t["top"] < box["top"] - 0.5 or t["bottom"] > box["bottom"] + 0.5]
        assert not outside, f"{chart['chart']} at {width} px: cut off {outside}"
