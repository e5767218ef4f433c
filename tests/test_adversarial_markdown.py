"""What a record's Markdown may reach: issue 16, breaks 1 (include extensions) and 7a (links, files).

Each test builds or checks a small program in which one pair's records try to reach
another pair's record or the keys file, and shows that the attempt is a located error and
that, even where a line is not caught, private sites have no extension that would read it.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from pathlib import Path, PurePath

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mentorsite.checking.program import read_program
from tests.programs import BASE_PROGRAM, MKDOCS_YML, write_files

# Subprocesses import the mentorsite beside these tests (a worktree of an older commit too).
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400",  # 2026-11-21
       "PYTHONPATH": str(Path(__file__).parent.parent)}
SECRET = "otherpairsecretzq1"  # in the other pair's private session
PASSPHRASE = "keysfilepassphrasezq2"  # in the keys file
OTHER_SESSION = "content/pairs/bo-cy/sessions/2026-01-10.md"
SESSION = "content/pairs/ana-ben/sessions/2026-02-03.md"
SNIPPETS = "  - pymdownx.snippets\n"


def attack_program(folder: Path, body: str = "", *, plugin_options: str = "jobs: 1",
                   files: dict[str, str] | None = None) -> Path:
    """The base program with pymdownx.snippets, a second pair holding SECRET, a keys file, and
    ``body`` added to the notes of ana-ben's session."""
    program = dict(BASE_PROGRAM)
    options = "".join(f"      {line}\n" for line in plugin_options.splitlines())
    program["mkdocs.yml"] = MKDOCS_YML.replace("  - mentorsite\n", f"  - mentorsite:\n{options}") + SNIPPETS
    program["content/pairs/bo-cy/pair.yml"] = ("mentor: {name: Bo Lund}\nmentee: {name: Cy Moss}\n"
                                               "start: 2026-01-05\nstatus: proposed\n")
    program[OTHER_SESSION] = f"---\ndate: 2026-01-10\n---\n\n{SECRET}\n"
    program["keys.yml"] = f"review: {PASSPHRASE} for reviewers\npairs: {{}}\n"
    program[SESSION] += body
    return write_files(folder, {**program, **(files or {})})


def mkdocs_build(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *arguments], cwd=folder, env=ENV,
                          capture_output=True, text=True, check=False)


def mentorsite_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", "check"], cwd=folder, env=ENV,
                          capture_output=True, text=True, check=False)


def texts_under(folder: Path, but: str = "pairs/bo-cy/") -> str:
    """Every file under ``folder`` but those under ``but``, as text (names included), gzip files unpacked."""
    import gzip

    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.relative_to(folder).as_posix().startswith(but):
            continue  # the other pair's own edition, where its secret belongs
        data = path.read_bytes()
        parts += [path.as_posix(), (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")]
    return "\n".join(parts)


def messages(folder: Path) -> list[str]:
    return [str(d) for d in read_program(folder / "content", folder).diagnostics]


INCLUDE_LINES = """
--8<-- "content/pairs/bo-cy/sessions/2026-01-10.md"
  -8<- 'keys.yml'
;--8<-- "an escaped line is text"

--8<--
content/pairs/bo-cy/sessions/2026-01-10.md
--8<--

Also {!content/pairs/bo-cy/sessions/2026-01-10.md!} inline.
"""

def include_attempts(*targets: str) -> str:
    """Record body lines that try to include each of ``targets`` in every form the extensions read."""
    lines = []
    for target in targets:
        lines += [f'--8<-- "{target}"', f"  -8<- '{target}'", "", "--8<--", target, "--8<--", "",
                  f"Inline {{!{target}!}} too.", ""]
    return "\n".join(lines)


# The messages name no target: a target is record text, and the messages reach the build's log.
INCLUDE_ERRORS = [
    f"{SESSION}:11:1: error[include] expected text, got a line that includes a file ('--8<--'); "
    "a record may not include files",
    f"{SESSION}:12:3: error[include] expected text, got a line that includes a file ('--8<--'); "
    "a record may not include files",
    f"{SESSION}:15:1: error[include] expected text, got a block of include lines ('--8<--'); "
    "a record may not include files",
    f"{SESSION}:19:6: error[include] expected text, got an include of a file ('{{!...!}}'); "
    "a record may not include files",
]


def test_include_lines_in_a_pair_record_are_located_errors_of_check_and_build(tmp_path: Path) -> None:
    """Break 1: every include form in a record body is an error at its line, in check and in the build."""
    folder = attack_program(tmp_path / "program", INCLUDE_LINES)
    checked = mentorsite_check(folder)
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == INCLUDE_ERRORS
    built = mkdocs_build(folder)
    assert built.returncode == 1
    for line in INCLUDE_ERRORS:
        assert f"ERROR   -  mentorsite: {line}" in built.stderr
    assert "1 pair not built" in built.stderr and "ana-ben" in built.stderr
    private = texts_under(folder / "site-private")
    assert SECRET not in private and PASSPHRASE not in private
    assert SECRET not in texts_under(folder / "site")


def test_an_include_in_a_rendered_text_field_is_an_error_at_the_field(tmp_path: Path) -> None:
    """Break 1: text fields are rendered as Markdown too, so an include line in one is an error."""
    session = BASE_PROGRAM[SESSION].replace(
        "agenda: [Goals]\n",
        f'agenda: [Goals]\nfeedback:\n  mentor: |\n    Fine.\n    --8<-- "{OTHER_SESSION}"\n')
    folder = attack_program(tmp_path / "program", files={SESSION: session})
    assert messages(folder) == [
        f"{SESSION}:5:11: error[include] feedback.mentor: expected text, got a line that includes a file "
        "('--8<--'); a record may not include files",
    ]


def test_include_checks_run_when_records_come_from_the_cache(tmp_path: Path) -> None:
    """Break 1: the record cache does not skip the check of what a record includes."""
    from mentorsite.reading.caching import RecordCache

    folder = attack_program(tmp_path / "program", INCLUDE_LINES)
    cache = RecordCache(tmp_path / "cache", key=b"k" * 32)
    first = read_program(folder / "content", folder, cache=cache)
    again = RecordCache(tmp_path / "cache", key=b"k" * 32)
    second = read_program(folder / "content", folder, cache=again)
    assert again.hits > 0 and again.misses == 0
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics] == INCLUDE_ERRORS


def test_private_sites_render_without_include_extensions_even_for_a_line_not_caught(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Break 1: with the line checks turned off, the allowlist alone keeps snippets from including.

    The handbook lists pymdownx.snippets; a session line includes another pair's private
    session and the keys file. The portfolio is built (its page is there), and neither
    text is anywhere under site-private/; one warning names the extension left out.
    """
    import mentorsite.checking.program

    monkeypatch.setattr(mentorsite.checking.program, "check_pair_document", lambda *_: [], raising=False)
    lines = "\n" + include_attempts(OTHER_SESSION, "keys.yml") + "\nStill the notes.\n"
    folder = attack_program(tmp_path / "program", lines)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795262400")
    config = load_config(str(folder / "mkdocs.yml"))
    with caplog.at_level(logging.WARNING):
        build(config)
    page = (folder / "site-private/pairs/ana-ben/sessions/2026-02-03.html").read_text(encoding="utf-8")
    assert "Still the notes." in page
    assert SECRET in (folder / "site-private/pairs/bo-cy/sessions/2026-01-10.html").read_text(encoding="utf-8")
    private = texts_under(folder / "site-private")
    assert SECRET not in private
    assert PASSPHRASE not in private
    from mentorsite.site.factory import private_markdown_extensions

    assert "pymdownx.snippets" in config.markdown_extensions
    assert "pymdownx.snippets" not in private_markdown_extensions(config).names
    left_out = [r.getMessage() for r in caplog.records if "pymdownx.snippets" in r.getMessage()]
    assert left_out == [
        "mentorsite: private sites (portfolios, the reviewer site, the report) are rendered without "
        "pymdownx.snippets (it copies files (and, with url_download, pages from the network) into the page)",
    ]


def fence_in_this_test_module(source: str, *args: object, **kwargs: object) -> str:
    return source  # stands for a custom fence formatter of a program's own code


def test_the_allowlist_keeps_only_extensions_and_code_known_to_read_nothing() -> None:
    """Break 1: the pure allowlist: readers, unknown extensions and unknown code are left out, with why."""
    from material.extensions.emoji import to_svg, twemoji
    from pymdownx.superfences import fence_code_format

    from mentorsite.checking.extensions import private_extensions

    names = ["toc", "pymdownx.snippets", "pymdownx.b64", "markdown_include.include", "someone.else",
             "pymdownx.superfences", "pymdownx.emoji", "markdown.extensions.tables:TableExtension", "attr_list",
             "pymdownx.tabbed"]
    configs = {
        "toc": {"permalink": True},
        "pymdownx.superfences": {"custom_fences": [
            {"name": "mermaid", "class": "mermaid", "format": fence_code_format},
            {"name": "own", "class": "own", "format": fence_in_this_test_module}]},
        "pymdownx.emoji": {"emoji_index": twemoji, "emoji_generator": to_svg,
                           "options": {"custom_icons": ["overrides/.icons", "content/pairs"]}},
        "pymdownx.tabbed": {"slugify": functools.partial(fence_in_this_test_module, "x")},
    }
    result = private_extensions(names, configs, needed=("admonition", "tables", "toc"),
                                root=PurePath("/program"), forbidden=[PurePath("/program/content/pairs")])
    assert result.names == ["toc", "pymdownx.superfences", "pymdownx.emoji",
                            "markdown.extensions.tables:TableExtension", "attr_list", "admonition"]
    assert result.configs["pymdownx.superfences"]["custom_fences"] == [
        {"name": "mermaid", "class": "mermaid", "format": fence_code_format}]
    assert result.configs["pymdownx.emoji"]["options"] == {"custom_icons": ["overrides/.icons"]}
    assert [str(left) for left in result.left_out] == [
        "pymdownx.snippets (it copies files (and, with url_download, pages from the network) into the page)",
        "pymdownx.b64 (it embeds local image files in the page)",
        "markdown_include.include (it copies files into the page)",
        "someone.else (it is not known to read no files and no network)",
        "pymdownx.superfences custom_fences 'own' (it names code in tests.test_adversarial_markdown)",
        "pymdownx.emoji custom_icons 'content/pairs' (icons are read from it, and it overlaps the records or "
        "the private output)",
        "pymdownx.tabbed (an option names code in tests.test_adversarial_markdown)",
    ]


def test_a_handbook_page_that_includes_a_pair_record_stops_the_build(tmp_path: Path) -> None:
    """Break 1: a guideline or another docs_dir page may not include from the pairs or the keys file."""
    guideline = "content/handbook/guidelines/clear-goals.md"
    files = {
        guideline: BASE_PROGRAM[guideline] + f'\n--8<-- "{OTHER_SESSION}"\n',
        "content/handbook/about.md": '# About\n\n--8<-- "keys.yml"\n\n--8<-- "content/handbook/safe.md"\n',
        "content/handbook/safe.md": "A snippet the handbook may include.\n",
    }
    folder = attack_program(tmp_path / "program", plugin_options="jobs: 1\nencryption: {keys_file: keys.yml}",
                            files=files)
    expected = [
        "content/handbook/about.md:3:1: error[include-private] expected an include of a handbook file, "
        "got 'keys.yml', which reaches the keys file",
        f"{guideline}:14:1: error[include-private] expected an include of a handbook file, got "
        f"'{OTHER_SESSION}', which reaches the pairs folder",
    ]
    built = mkdocs_build(folder)
    assert built.returncode == 1
    for line in expected:
        assert f"ERROR   -  mentorsite: {line}" in built.stderr
    assert "in the handbook's records; the site was not built" in built.stderr
    assert not (folder / "site").exists()
    checked = mentorsite_check(folder)  # the build's places, the keys file among them
    assert checked.stdout.splitlines() == expected


def test_links_that_leave_their_pair_folder_are_located_errors(tmp_path: Path) -> None:
    """Break 7a: a relative link or image out of the pair's folder, however it is spelt, is an error."""
    body = ("\n[next](../goals/speaking.md) [out](../../bo-cy/sessions/2026-01-10.md)\n"
            "![img](..%2f..%2fbo-cy/x.png) <a href=\"&#46;&#46;/&#46;&#46;/bo-cy/\">x</a>\n"
            "[far]: ..\\..\\..\\..\\keys.yml\n"
            "[web](https://attacker.invalid/x) [site](/elsewhere) [anchor](#top)\n")
    session = BASE_PROGRAM[SESSION].replace(
        "agenda: [Goals]\n", "agenda: [Goals]\nfeedback: {mentor: 'See [it](../../../bo-cy/closing.md)'}\n")
    folder = attack_program(tmp_path / "program", files={SESSION: session + body})
    guideline = "content/handbook/guidelines/clear-goals.md"
    write_files(folder, {guideline: BASE_PROGRAM[guideline].replace(
        "  - title: A source article\n", "  - {title: A pair, url: ../../pairs/bo-cy/pair.yml}\n")
        + "\nSee [a pair](../../pairs/bo-cy/pair.yml).\n"})
    leaves = "expected a link inside this pair's folder, got one that leads out of it"
    into = "which leads into the pairs folder"
    assert messages(folder) == [
        f"{guideline}:8:26: error[link-into-pairs] sources[0].url: expected a link inside the handbook, got "
        f"'../../pairs/bo-cy/pair.yml', {into}",
        f"{guideline}:14:14: error[link-into-pairs] expected a link inside the handbook, got "
        f"'../../pairs/bo-cy/pair.yml', {into}",
        f"{SESSION}:4:20: error[link-outside-pair] feedback.mentor: {leaves}",
        f"{SESSION}:12:36: error[link-outside-pair] {leaves}",
        f"{SESSION}:13:8: error[link-outside-pair] {leaves}",
        f"{SESSION}:13:34: error[link-outside-pair] {leaves}",
        f"{SESSION}:14:8: error[link-outside-pair] {leaves}",
    ]


def test_symbolic_links_out_of_a_pair_folder_or_onto_another_pair_are_refused(tmp_path: Path) -> None:
    """Break 7a: a link in one pair's folder to another pair's record is refused and not read."""
    folder = attack_program(tmp_path / "program")
    pairs = folder / "content/pairs"
    (pairs / "ana-ben/sessions/2026-02-10.md").symlink_to(folder / OTHER_SESSION)
    (pairs / "ana-ben/goals/borrowed").symlink_to(pairs / "bo-cy/sessions", target_is_directory=True)
    (pairs / "dee-eve").symlink_to(pairs / "bo-cy", target_is_directory=True)
    (folder / "site-private/pairs/fay-gus").mkdir(parents=True)
    (pairs / "fay-gus").symlink_to(folder / "site-private/pairs/fay-gus", target_is_directory=True)
    elsewhere = write_files(tmp_path / "checkout", {"hal-ida/pair.yml": (
        "mentor: {name: Hal Orr}\nmentee: {name: Ida Pym}\nstart: 2026-01-05\nstatus: proposed\n")})
    (pairs / "hal-ida").symlink_to(elsewhere / "hal-ida", target_is_directory=True)
    checked = read_program(folder / "content", folder)
    private = folder / "site-private"
    assert [str(d) for d in checked.diagnostics] == [
        "content/pairs/ana-ben/goals/borrowed:1:1: error[outside-pair] is a link to a place outside its "
        "pair's folder; it is not read",
        "content/pairs/ana-ben/sessions/2026-02-10.md:1:1: error[outside-pair] is a link to a place outside "
        "its pair's folder; it is not read",
        f"content/pairs/dee-eve:1:1: error[misplaced-pair] is a link to {pairs / 'bo-cy'}, where "
        "content/pairs/bo-cy is too (or holds it, or is inside it); expected a folder of this pair alone, "
        "so it is not read",
        f"content/pairs/fay-gus:1:1: error[misplaced-pair] is a link to {private / 'pairs/fay-gus'}, inside "
        "private_dir; expected a folder of this pair alone, so it is not read",
    ]
    ana = checked.pair_records("ana-ben")
    assert ana is not None and [s.id for s in ana.sessions] == ["2026-02-03"]
    # A refused folder is still a pair of the program (its problem is that pair's), with no records read.
    assert sorted(checked.pair_folders) == ["ana-ben", "bo-cy", "dee-eve", "fay-gus", "hal-ida"]
    assert checked.pair_records("dee-eve") is None and checked.pair_records("fay-gus") is None
    assert checked.pair_records("hal-ida") is not None  # a pair kept in a checkout of its own


def test_handbook_files_that_lead_into_the_pairs_folder_are_refused(tmp_path: Path) -> None:
    """Break 7a: a guideline file or a docs_dir page that is a link into the pairs is not published."""
    folder = attack_program(tmp_path / "program")
    handbook = folder / "content/handbook"
    (handbook / "guidelines/stolen.md").symlink_to(folder / OTHER_SESSION)
    (handbook / "notes.md").symlink_to(folder / OTHER_SESSION)
    (handbook / "everything").symlink_to(folder / "content", target_is_directory=True)
    write_files(folder, {".cache/mentorsite/records.pickle": "the record cache"})
    (handbook / "cache.png").symlink_to(folder / ".cache/mentorsite/records.pickle")
    (handbook / "home.png").symlink_to(tmp_path)
    assert messages(folder) == [
        "content/handbook/cache.png:1:1: error[into-private] is a link into cache_dir; "
        "expected a file of the handbook",
        "content/handbook/everything/pairs:1:1: error[into-pairs] is a link into the pairs folder; "
        "it is left out of the handbook",
        "content/handbook/guidelines/stolen.md:1:1: error[into-pairs] is a link into the pairs folder; "
        "it is not read",
        f"content/handbook/home.png:1:1: warning[outside-program] is a link to {tmp_path}, outside the "
        "program's folder; the handbook would publish it",
        "content/handbook/notes.md:1:1: error[into-pairs] is a link into the pairs folder; "
        "it is left out of the handbook",
    ]
    built = mkdocs_build(folder)
    assert built.returncode == 1 and not (folder / "site").exists()


def with_extensions(folder: Path, extensions: str) -> Path:
    """``folder``'s mkdocs.yml with ``extensions`` (lines of markdown_extensions) in place of snippets."""
    config = folder / "mkdocs.yml"
    before, after = config.read_text(encoding="utf-8").rsplit(SNIPPETS, 1)  # the last: markdown_extensions
    config.write_text(before + extensions + after, encoding="utf-8")
    return folder


def test_extension_settings_that_name_private_places_stop_the_build_at_their_line(tmp_path: Path) -> None:
    """Issue 16, break 1, review finding 1: options of the handbook's extensions that name files.

    ``pymdownx.snippets: {auto_append: [<a private session>]}`` put that session in every
    public page with exit 0. Now it, and each sibling (a folder to read from that is the
    pairs folder, lies in one, or is ``/``; a file linked to a pair's record; a permitted
    file whose own include line reaches a pair; icons from a folder that holds the pairs;
    images embedded from a pair's folder), is an error at its line in mkdocs.yml, from
    check and from the build, which stops before site/ exists. A handbook image that
    ``pymdownx.b64`` would embed from the pairs (a path read from the folder the build runs
    in, or a file's absolute path) is an error at its line too.
    """
    folder = with_extensions(attack_program(tmp_path / "program"),
                             f"  - pymdownx.snippets:\n      auto_append: [{OTHER_SESSION}]\n")
    reported = [f"mkdocs.yml:12:21: error[setting-private] pymdownx.snippets auto_append[0]: expected a file of "
                f"the handbook, got '{OTHER_SESSION}', which reaches the pairs folder"]
    assert mentorsite_check(folder).stdout.splitlines() == reported
    built = mkdocs_build(folder)
    assert built.returncode == 1 and f"ERROR   -  mentorsite: {reported[0]}" in built.stderr
    assert not (folder / "site").exists() and not (folder / "site-private").exists()

    siblings = attack_program(tmp_path / "siblings", files={
        "snippets/abbreviations.md": "*[CV]: Curriculum vitae\n",
        "snippets/nested.md": f'*[HR]: Human resources\n\n--8<-- "{OTHER_SESSION}"\n'})
    photo = siblings / "content/pairs/ana-ben/photo.png"
    write_files(siblings, {"content/handbook/photos.md": (
        f'# Photos\n\n<img src="content/pairs/ana-ben/photo.png">\n\n![me]({photo})\n')})
    (siblings / "snippets/linked.md").symlink_to(siblings / OTHER_SESSION)
    (siblings / "snippets/pairs").symlink_to(siblings / "content/pairs", target_is_directory=True)
    with_extensions(siblings, (
        "  - pymdownx.snippets:\n"
        "      base_path: ['.', content/pairs, snippets/pairs/ana-ben, /]\n"
        "      auto_append:\n"
        "        - snippets/abbreviations.md\n"
        "        - snippets/linked.md\n"
        "        - snippets/nested.md\n"
        "  - pymdownx.emoji:\n"
        "      options: {custom_icons: [content, overrides/.icons]}\n"
        "  - pymdownx.b64: {base_path: content/pairs/ana-ben/sessions}\n"))
    shown = "expected a folder of the handbook, got"
    assert mentorsite_check(siblings).stdout.splitlines() == [
        "content/handbook/photos.md:3:6: error[link-into-pairs] expected a link inside the handbook, got "
        "'content/pairs/ana-ben/photo.png', which leads into the pairs folder",
        f"content/handbook/photos.md:5:7: error[link-into-pairs] expected a link inside the handbook, got '{photo}', "
        "which leads into the pairs folder",
        f"mkdocs.yml:12:24: error[setting-private] pymdownx.snippets base_path[1]: {shown} 'content/pairs', "
        "which reaches the pairs folder",
        f"mkdocs.yml:12:39: error[setting-private] pymdownx.snippets base_path[2]: {shown} "
        "'snippets/pairs/ana-ben', which reaches the pairs folder",
        f"mkdocs.yml:12:63: error[setting-private] pymdownx.snippets base_path[3]: {shown} '/', which reaches "
        "a place outside the program's folder",
        "mkdocs.yml:15:11: error[setting-private] pymdownx.snippets auto_append[1]: expected a file of the "
        "handbook, got 'snippets/linked.md', which reaches the pairs folder",
        f"mkdocs.yml:18:32: error[setting-private] pymdownx.emoji options.custom_icons[0]: {shown} 'content', "
        "which holds the pairs folder",
        f"mkdocs.yml:19:31: error[setting-private] pymdownx.b64 base_path: {shown} "
        "'content/pairs/ana-ben/sessions', which reaches the pairs folder",
        "snippets/nested.md:3:1: error[include-private] expected an include of a handbook file, got "
        f"'{OTHER_SESSION}', which reaches the pairs folder",
    ]
    assert mkdocs_build(siblings).returncode == 1 and not (siblings / "site").exists()


def test_check_reads_the_places_the_build_uses(tmp_path: Path) -> None:
    """Issue 16, break 1, review finding 2: check knew only the default folders.

    With private_dir, cache_dir and the keys file moved, a handbook page that includes
    each of them was an error of the build but not of ``mentorsite check``.
    """
    options = ("jobs: 1\nprivate_dir: out/private\ncache_dir: out/cache\n"
               "encryption: {keys_file: secrets/keys.yml}")
    page = ('# About\n\n--8<-- "secrets/keys.yml"\n\n--8<-- "out/private/pairs/bo-cy/index.html"\n\n'
            '--8<-- "out/cache/records.pickle"\n')
    folder = attack_program(tmp_path / "program", plugin_options=options, files={
        "secrets/keys.yml": f"review: {PASSPHRASE} for reviewers\npairs: {{}}\n", "content/handbook/about.md": page})
    expected = "content/handbook/about.md:{}:1: error[include-private] expected an include of a handbook file, got '{}', "
    lines = [expected.format(3, "secrets/keys.yml") + "which reaches the keys file",
             expected.format(5, "out/private/pairs/bo-cy/index.html") + "which reaches private_dir",
             expected.format(7, "out/cache/records.pickle") + "which reaches cache_dir"]
    checked = mentorsite_check(folder)
    assert (checked.returncode, checked.stdout.splitlines()) == (1, lines)
    built = mkdocs_build(folder)
    assert built.returncode == 1 and all(f"ERROR   -  mentorsite: {line}" in built.stderr for line in lines)


ABBREVIATIONS = "  - abbr\n  - pymdownx.snippets:\n      auto_append: [snippets/abbreviations.md]\n"


def test_a_strict_build_passes_when_the_owners_acknowledge_an_extension_left_out(tmp_path: Path) -> None:
    """Issue 16, break 1, review finding 3: every strict build with snippets failed on its one warning.

    The handbook uses snippets for abbreviations. Unacknowledged, the warning stays and
    fails --strict; listed in ``private_extensions_left_out`` it is an info line and the
    strict build passes; a listed name the handbook lacks, or one private sites keep, is a
    warning at its place in mkdocs.yml (of check, and of the build, which --strict stops).
    """
    files = {"snippets/abbreviations.md": "*[CV]: Curriculum vitae\n"}
    plain = with_extensions(attack_program(tmp_path / "plain", files=files), ABBREVIATIONS)
    warned = mkdocs_build(plain, "--strict")
    warning = ("WARNING -  mentorsite: private sites (portfolios, the reviewer site, the report) are rendered "
               "without pymdownx.snippets (it copies files (and, with url_download, pages from the network) into "
               "the page)\n")
    assert warned.returncode == 1 and warning in warned.stderr

    known = with_extensions(attack_program(tmp_path / "known", files=files, plugin_options=(
        "jobs: 1\nprivate_extensions_left_out: [pymdownx.snippets]")), ABBREVIATIONS)
    built = mkdocs_build(known, "--strict")
    assert built.returncode == 0, built.stderr
    assert warning.replace("WARNING", "INFO   ").replace("page)\n", "page) (private_extensions_left_out)\n") \
        in built.stderr
    assert "WARNING" not in built.stderr
    assert SECRET not in texts_under(known / "site", but="-")

    wrong = with_extensions(attack_program(tmp_path / "wrong", files=files, plugin_options=(
        "jobs: 1\nprivate_extensions_left_out: [pymdownx.snippets, pymdownx.b64, abbr]")),
        ABBREVIATIONS)
    assert mentorsite_check(wrong).stdout.splitlines() == [
        "mkdocs.yml:9:56: warning[unknown-extension] private_extensions_left_out: expected an extension of "
        "markdown_extensions, got 'pymdownx.b64', which is not in it",
        "mkdocs.yml:9:70: warning[unknown-extension] private_extensions_left_out: expected an extension that "
        "private sites leave out, got 'abbr', which they keep",
    ]
    refused = mkdocs_build(wrong, "--strict")
    assert refused.returncode == 1 and not (wrong / "site").exists()


MARKED_LINKS = """
[zqtext1](zqtarget1-missing.md) [zqtext2](#zqanchor2) [zqtext3](/zqabsolute3)
[zqtext4](2026-02-03.md#zqanchor4) ![zqtext5](zqimage5.png) [zqtext6](<zq target6.md>)
[zqtext7](../goals/zqtarget7.md) [zqtext8](mailto:zqmail8) [zqtext9](zqscheme9:x)
[zqtext10]: zqreference10.md
[zqtext10][] <a href="zqhtml11.md#zqanchor11">zqtext11</a> [zqtext12](zq%20encoded12.md)
"""


def test_private_builds_log_no_record_text_of_links(tmp_path: Path) -> None:
    """Issue 16, break 1, review finding 4: MkDocs quoted record links in the build's log.

    A session links to missing pages, anchors, absolute paths and odd targets (every text
    and target holds a marker); another pair's session links out of its folder. The
    verbose build log holds no marker: MkDocs checks no link of a private site, and
    mentorsite's own error names the file and line, not the target.
    """
    out = "\n[zqtext13](../../zqoutside13.md)\n"
    folder = attack_program(tmp_path / "program", MARKED_LINKS, plugin_options="jobs: 1\ncache: false",
                            files={OTHER_SESSION: f"---\ndate: 2026-01-10\n---\n\n{SECRET}\n{out}"})
    built = mkdocs_build(folder, "--verbose")
    page = (folder / "site-private/pairs/ana-ben/sessions/2026-02-03.html").read_text(encoding="utf-8")
    assert "zqtext1" in page and "zqtext12" in page  # rendered, so MkDocs saw every link
    assert 'href="2026-02-03.html#r-zqanchor4"' in page  # and still turns links to pages into theirs
    log = built.stdout + built.stderr
    assert "zq" not in log.lower(), [line for line in log.splitlines() if "zq" in line.lower()]
    assert ("ERROR   -  mentorsite: content/pairs/bo-cy/sessions/2026-01-10.md:7:12: error[link-outside-pair] "
            "expected a link inside this pair's folder, got one that leads out of it") in built.stderr


def test_an_include_directive_written_over_several_lines_is_read_as_the_plugin_reads_it(tmp_path: Path) -> None:
    """Attacker's pass, issue 20: the include-markdown plugin's own multi-line form (and `{%+`, and
    parentheses) passed `check`, while a build with the plugin put the session into the handbook."""
    page = ('# Tips\n\n{%\n  include-markdown "' + OTHER_SESSION + '"\n%}\n\n'
            '{%+ include("' + OTHER_SESSION + '") %}\n')
    folder = attack_program(tmp_path / "program", files={"content/handbook/tips.md": page})
    checked = mentorsite_check(folder)
    assert checked.returncode == 1
    assert [line.split(": error[")[0] for line in checked.stdout.splitlines() if "include-private" in line] == [
        "content/handbook/tips.md:3:1", "content/handbook/tips.md:7:1"]


def test_an_include_line_behind_quote_markers_is_an_include(tmp_path: Path) -> None:
    """Attacker's pass, issue 20: `> --8<-- "..."` passed `check`; a body's quote is rendered as its own
    lines, so the include line stood at a line start in the page."""
    session = ("---\ndate: 2026-02-03\n---\n\n> a <!--\n> --8<-- \"" + OTHER_SESSION + "\"\n> -->\n")
    folder = attack_program(tmp_path / "program", files={"content/pairs/ana-ben/sessions/2026-02-03.md": session})
    checked = mentorsite_check(folder)
    assert checked.returncode == 1
    assert any(line.startswith("content/pairs/ana-ben/sessions/2026-02-03.md:6:3: error[include")
               for line in checked.stdout.splitlines()), checked.stdout
