"""Portfolios built for real (``mkdocs build`` with the plugin): isolation, atomic output, stale sites.

The canary test is the proof that confidentiality holds: every text of every pair record is a
unique marker, and each marker is looked for in every byte of every file under ``site/`` and
``site-private/`` (gzip files unpacked, file names included).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import material
import pytest

from mentorsite.model.records import RECORD_TYPES, public_fields
from mentorsite.site.privacy import mark_private
from tests.canary import NOT_TEXT, CanaryProgram, canary_program
from tests.programs import write_files

NO_ID_FIELD = {"pair": {"id"}, "checkin": {"id"}}  # the folder name, and a date-only file name
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}  # 2026-11-21


def mkdocs_build(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=folder, env=ENV,
                          capture_output=True, text=True, check=False)


def canary_with_options(folder: Path, options: str) -> Path:
    """The canary program with ``options`` (YAML lines) given to the mentorsite plugin."""
    files = canary_program().files
    indented = "".join(f"      {line}\n" for line in options.splitlines())
    files["mkdocs.yml"] = files["mkdocs.yml"].replace("  - mentorsite\n", f"  - mentorsite:\n{indented}")
    return write_files(folder, files)


def site_files(folder: Path) -> Iterator[tuple[str, str]]:
    """(path relative to ``folder``, text) of every file; gzip files are read unpacked."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        yield path.relative_to(folder).as_posix(), data.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> tuple[CanaryProgram, Path]:
    program = canary_program()
    folder = write_files(tmp_path_factory.mktemp("canary"), program.files)
    result = mkdocs_build(folder, "--strict")
    assert result.returncode == 0, result.stderr
    return program, folder


def test_the_canary_program_marks_every_text_field_of_every_pair_record(
        canary: tuple[CanaryProgram, Path]) -> None:
    program, _ = canary
    for name, record_type in RECORD_TYPES.items():
        if name == "guideline":
            continue
        text_fields = set(public_fields(record_type)) - NOT_TEXT - NO_ID_FIELD.get(name, set())
        assert text_fields <= program.fields_marked[name], f"{name}: no marker in {text_fields - program.fields_marked[name]}"
        assert "body" in program.fields_marked[name] or name == "pair"


def test_every_marker_appears_only_where_its_visibility_allows(canary: tuple[CanaryProgram, Path]) -> None:
    program, folder = canary
    output = [(f"site/{path}", text) for path, text in site_files(folder / "site")]
    output += [(f"site-private/{path}", text) for path, text in site_files(folder / "site-private")]
    assert any(p.endswith("search/search_index.json") for p, _ in output)
    assert any(p.endswith("sitemap.xml") for p, _ in output)
    assert any(p.startswith("site-private/report/") for p, _ in output)  # the program report is searched too
    found: dict[str, set[str]] = {m.text: set() for m in program.markers}
    pattern = re.compile(r"cnry\d{4}x")
    for path, text in output:
        for marker in set(pattern.findall(path)) | set(pattern.findall(text)):
            found[marker].add(path)
    for marker in program.markers:
        places = found[marker.text]
        pair_edition = f"site-private/pairs/{marker.pair}/"
        review_edition = f"site-private/review/{marker.pair}/"
        allowed = [pair_edition]
        if marker.visibility == "review":
            allowed += [review_edition, "site-private/review/index.html",
                        "site-private/review/search/search_index.json"]
        assert any(p.startswith(pair_edition) for p in places), f"{marker} missing from its pair edition"
        if marker.visibility == "review":
            assert any(p.startswith(review_edition) for p in places), f"{marker} missing from the review edition"
        leaks = sorted(p for p in places if not p.startswith(tuple(allowed)))
        assert not leaks, f"{marker} leaked into {leaks}"


def test_the_review_edition_drops_links_to_what_it_leaves_out(canary: tuple[CanaryProgram, Path]) -> None:
    _, folder = canary
    review = folder / "site-private/review/ana-ben"
    assert not (review / "agreement.html").exists()  # ana-ben keeps its agreement private
    assert not (review / "closing.html").exists()
    assert (folder / "site-private/review/cy-dee/closing.html").exists()
    assert len(list((review / "goals").glob("*.html"))) == 2  # the index and the shared goal
    assert len(list((folder / "site-private/pairs/ana-ben/goals").glob("*.html"))) == 3


def test_portfolios_reference_no_other_host(canary: tuple[CanaryProgram, Path]) -> None:
    """No URL to another host in any portfolio file; the SVG namespace is a name, not a request.

    The theme's own scripts and stylesheets name hosts in code paths a portfolio never takes
    (repository facts, diagrams) and in licence comments; they are allowed only when
    byte-identical to the theme's files, and the browser test checks that no request leaves.
    """
    _, folder = canary
    theme = Path(material.__file__).parent / "templates"
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    private = folder / "site-private"
    checked = 0
    for path, text in site_files(private):
        followed = set(re.findall(r"<a [^>]*href=\"(https?://[^\"]*)\"", text))  # clicked, never fetched
        urls = set(re.findall(r"https?://[^\s\"'<>)]*", text)) - namespaces - followed
        asset = re.sub(r"^(pairs/|review/)?([a-z0-9-]+/)?(?=assets/)", "", path)
        if asset.startswith("assets/") and (theme / asset).is_file():
            assert (private / path).read_bytes() == (theme / asset).read_bytes(), path
            continue
        checked += 1
        assert not urls, f"{path} refers to {sorted(urls)}"
    assert checked > 40


def test_editions_share_one_copy_of_the_theme_assets(canary: tuple[CanaryProgram, Path]) -> None:
    _, folder = canary
    bundles = sorted((folder / "site-private").glob("*/*/assets/javascripts/bundle.*.min.js"))
    assert len(bundles) == 4
    assert len({b.stat().st_ino for b in bundles}) == 1  # hard links to one file
    assert not list((folder / "site-private").rglob("*.map"))
    assert not list((folder / "site-private").rglob(".mentorsite-*"))  # no scratch left behind


def test_a_pair_with_errors_keeps_its_portfolio_and_the_others_still_build(tmp_path: Path) -> None:
    """Its own pair edition is kept; its review edition is withdrawn (it could hold a record since taken back)."""
    folder = write_files(tmp_path, canary_program().files)
    assert mkdocs_build(folder).returncode == 0
    kept = {p: p.read_bytes() for p in (folder / "site-private/pairs/cy-dee").rglob("*") if p.is_file()}
    agreement = folder / "content/pairs/ana-ben/agreement.md"
    agreement.write_text(agreement.read_text().replace("Agreement notes", "Agreement notes newtextzz"))
    session = next((folder / "content/pairs/cy-dee/sessions").glob("2026-02-03-*.md"))
    session.write_text(session.read_text().replace("minutes: 45", "minutes: forty"))

    result = mkdocs_build(folder)

    assert result.returncode == 1
    assert "error[wrong-type] minutes: expected" in result.stderr
    assert "1 pair not built, their previous pair editions kept: cy-dee" in result.stderr
    assert {p: p.read_bytes() for p in kept} == kept
    assert "newtextzz" in (folder / "site-private/pairs/ana-ben/agreement.html").read_text()
    assert "cy-dee/index.html" not in (folder / "site-private/review/index.html").read_text()
    assert not (folder / "site-private/review/cy-dee").exists()
    assert "mentorsite: pair cy-dee: review edition withdrawn from the reviewer site" in result.stderr
    assert (folder / "site/index.html").is_file()


def test_a_removed_pair_loses_its_portfolios_and_its_review_entry(tmp_path: Path) -> None:
    folder = write_files(tmp_path, canary_program().files)
    assert mkdocs_build(folder).returncode == 0
    for path in sorted((folder / "content/pairs/cy-dee").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (folder / "content/pairs/cy-dee").rmdir()

    result = mkdocs_build(folder)

    assert result.returncode == 0, result.stderr
    assert "removed the portfolios of pairs no longer in the content: cy-dee" in result.stderr
    assert sorted(p.name for p in (folder / "site-private/pairs").iterdir()) == ["ana-ben"]
    assert not (folder / "site-private/review/cy-dee").exists()
    assert "cy-dee" not in (folder / "site-private/review/index.html").read_text()


def test_private_dir_inside_the_public_site_is_refused(tmp_path: Path) -> None:
    folder = canary_with_options(tmp_path, "private_dir: site/private")
    result = mkdocs_build(folder)
    assert result.returncode == 1
    assert "private_dir" in result.stderr and "must be apart from site_dir" in result.stderr
    assert not (folder / "site").exists()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    folder = write_files(tmp_path, canary_program().files)
    outputs = []
    for _ in range(2):
        assert mkdocs_build(folder).returncode == 0
        outputs.append({p.relative_to(folder).as_posix(): p.read_bytes()
                        for p in sorted((folder / "site-private").rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(("as_of", "shown"), [("'2026-03-01'", "2026-03-01"), ("2026-03-02", "2026-03-02"),
                                              (None, "2026-11-21")])
def test_the_dashboard_states_its_as_of_date(tmp_path: Path, as_of: str | None, shown: str) -> None:
    folder = canary_with_options(tmp_path, f"as_of: {as_of}" if as_of else "portfolios: true")
    assert mkdocs_build(folder).returncode == 0  # without the option: SOURCE_DATE_EPOCH
    assert f"Figures are as of <strong>{shown}</strong>" in (folder / "site-private/pairs/ana-ben/index.html").read_text()


def test_a_bad_as_of_stops_the_build_before_anything_is_written(tmp_path: Path) -> None:
    folder = canary_with_options(tmp_path, "as_of: 2026-02-30x")
    result = mkdocs_build(folder)
    assert result.returncode == 1
    assert "mkdocs.yml:8:14: error[bad-setting] as_of: expected a date YYYY-MM-DD, got '2026-02-30x'" in result.stderr
    assert not (folder / "site").exists() and not (folder / "site-private").exists()


def test_private_pages_allow_the_theme_inline_scripts_and_not_those_of_records() -> None:
    content = '<p>notes</p><script>alert("from a record")</script>'
    html = (f'<html><head><title>t</title></head><body><script>theme()</script>{content}'
            '<script id="__config" type="application/json">{}</script>'
            '<script src="assets/bundle.js"></script></body></html>')
    secured = mark_private(html, content)
    policy = re.search(r'content="([^"]*)"', secured)
    assert policy is not None and secured.startswith('<html><head>\n    <meta http-equiv="Content-Security-Policy"')
    digest = base64.b64encode(hashlib.sha256(b"theme()").digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy.group(1)
    assert policy.group(1).count("sha256-") == 1
    assert "default-src 'none'" in policy.group(1) and "connect-src 'self'" in policy.group(1)
    assert '<meta name="referrer" content="no-referrer">' in secured
    assert '<meta name="robots" content="noindex, nofollow">' in secured


def test_a_program_overrides_a_portfolio_template_by_name(tmp_path: Path) -> None:
    files = canary_program().files
    files["templates/portfolio/closing.md.j2"] = "---\ntitle: Farewell\n---\n\n# Farewell {{ closing.date }}\n"
    folder = write_files(tmp_path, files)
    assert mkdocs_build(folder).returncode == 0
    assert "Farewell 2026-06-26" in (folder / "site-private/pairs/ana-ben/closing.html").read_text()


def test_a_script_that_escapes_the_content_through_a_programs_template_gets_no_hash(tmp_path: Path) -> None:
    """Defense in depth: only the theme's own inline scripts are allowed, wherever others land."""
    files = canary_program().files
    bundled = (Path(__file__).parent.parent / "themes/portfolio/goal.md.j2").read_text()
    # A program's own template that forgets to escape the title: it reaches <title> and the navigation raw.
    files["templates/portfolio/goal.md.j2"] = bundled.replace("{{ goal.title | html | yaml }}",
                                                              "{{ goal.title | yaml }}")
    goal = next(path for path in files if "/goals/" in path and path.startswith("content/pairs/ana-ben/"))
    files[goal] = re.sub(r"^title: .*$", "title: \"<script>stolen()</script>\"", files[goal], count=1,
                         flags=re.MULTILINE)
    folder = write_files(tmp_path, files)
    assert mkdocs_build(folder).returncode == 0
    page = (folder / "site-private/pairs/ana-ben/goals" / Path(goal).with_suffix(".html").name).read_text()
    assert "<script>stolen()</script>" in page  # the template let it through, outside the content
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    digest = base64.b64encode(hashlib.sha256(b"stolen()").digest()).decode()
    assert f"'sha256-{digest}'" not in policy.group(1)
    assert policy.group(1).count("'sha256-") >= 3  # the theme's own scripts are still allowed
