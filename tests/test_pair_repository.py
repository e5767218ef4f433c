"""A pair's own repository: `init --pair`, `check` against the published handbook (kept for offline
use), `new` there, and a pair folder moved from a program passing as it is."""

from __future__ import annotations

import functools
import io
import json
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import BASE_PROGRAM, write_files

CLEAN = "0 errors and 0 warnings.\n"


@pytest.fixture(scope="module")
def built_handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a program `mentorsite init` started, built once: a handbook without editions."""
    from click.testing import CliRunner

    from mentorsite.cli import main

    folder = tmp_path_factory.mktemp("program")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        assert runner.invoke(main, ["init", "program"], catch_exceptions=False).exit_code == 0
        patch.chdir(folder / "program")
        built = runner.invoke(main, ["build"], env={"NO_MKDOCS_2_WARNING": "1"}, catch_exceptions=False)
        assert built.exit_code == 0, built.output
    return folder / "program" / "site"


@pytest.fixture(scope="module")
def deploy_branch(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of the deploy branch of a program published twice (editions 2026.1 and 2026.2)."""
    archive = subprocess.run(["git", "archive", "gh-pages"], cwd=published, capture_output=True, check=True)
    folder = tmp_path_factory.mktemp("deployed")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    assert (folder / "versions.json").is_file() and (folder / "2026.1/mentorsite-manifest.json").is_file()
    return folder


def copy_of(site: Path, destination: Path) -> Path:
    shutil.copytree(site, destination)
    return destination


def start_pair(cli: Cli, where: Path, handbook: str, *options: str) -> Path:
    result = cli(where, "init", "--pair", "lena-marcus", "lena-marcus", "--handbook", handbook,
                 "--mentor", "Marcus Berg", "--mentee", "Lena Vogt", *options)
    assert result.returncode == 0, result.stderr
    return where / "lena-marcus"


def session(folder: Path, name: str, guidelines: str) -> Path:
    path = folder / "sessions" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\ndate: {name[:10]}\nguidelines: [{guidelines}]\n---\n\nNotes.\n")
    return path


def test_init_pair_starts_a_repository_that_passes_check(tmp_path: Path, cli: Cli,
                                                          built_handbook: Path) -> None:
    repository = start_pair(cli, tmp_path, str(built_handbook))
    names = sorted(p.relative_to(repository).as_posix() for p in repository.rglob("*")
                   if p.is_file() and "schemas" not in p.parts)
    assert names == [".gitignore", ".pre-commit-config.yaml", "README.md", "ci/check.sh",
                     "mentorsite-pair.yml", "pair.yml"]
    assert (repository / "schemas/pair.schema.json").is_file()
    assert (repository / "ci/check.sh").stat().st_mode & 0o111
    assert ".mentorsite-cache" in (repository / ".gitignore").read_text().splitlines()
    assert "entry: mentorsite check" in (repository / ".pre-commit-config.yaml").read_text()
    config = (repository / "mentorsite-pair.yml").read_text()
    assert 'pair: "lena-marcus"' in config and f'handbook: "{built_handbook}"' in config
    assert "Lena Vogt" in (repository / "pair.yml").read_text()
    check = cli(repository, "check")
    assert (check.returncode, check.stdout, check.stderr) == (0, "", CLEAN)
    assert list((repository / ".mentorsite-cache/handbook").glob("*.json"))  # kept for offline checks


def test_a_guideline_the_handbook_lacks_is_caught_also_offline(tmp_path: Path, cli: Cli,
                                                              built_handbook: Path) -> None:
    handbook = copy_of(built_handbook, tmp_path / "handbook")
    repository = start_pair(cli, tmp_path, "../handbook")
    session(repository, "2026-12-20.md", "set-goals, set-goal")
    first = cli(repository, "check")
    caught = ("sessions/2026-12-20.md:3:25: error[unknown-guideline] guidelines[1]: no guideline 'set-goal' "
              "in the handbook at ../handbook; did you mean 'set-goals'?\n")
    assert (first.returncode, first.stdout) == (1, caught)

    shutil.rmtree(handbook)  # offline: the copy kept at the first check answers
    second = cli(repository, "check")
    assert (second.returncode, second.stdout) == (1, caught)
    assert "could not be reached (there is no folder" in second.stderr
    assert "checked against the copy fetched" in second.stderr

    shutil.rmtree(repository / ".mentorsite-cache")  # nothing kept: both checks skipped, the rest checked
    (repository / "pair.yml").write_text((repository / "pair.yml").read_text().replace("status: proposed",
                                                                                       "status: active"))
    third = cli(repository, "check")
    assert third.returncode == 1
    skipped = "could not be reached (there is no folder "
    lines = third.stdout.splitlines()
    assert [line.split(": skipped the check of ")[1].split(":")[0] for line in lines if skipped in line] == [
        "handbook_version", "the guidelines the records name"]
    assert lines[0] == "agreement.md:1:1: error[missing-file] expected an agreement.md for a pair with status 'active'"
    assert all(line.startswith("mentorsite-pair.yml:6:1: warning[handbook-skipped]") for line in lines[1:])
    assert len(lines) == 3
    (repository / "pair.yml").write_text((repository / "pair.yml").read_text().replace("status: active",
                                                                                       "status: proposed"))
    fourth = cli(repository, "check")
    assert (fourth.returncode, fourth.stderr) == (0, "0 errors and 2 warnings.\n")


def test_editions_and_guidelines_from_a_checkout_of_the_deploy_branch(tmp_path: Path, cli: Cli,
                                                                      deploy_branch: Path) -> None:
    repository = start_pair(cli, tmp_path, str(deploy_branch))
    pair_file = repository / "pair.yml"
    pair_file.write_text(pair_file.read_text() + "handbook_version: '2026.1'\n")
    session(repository, "2026-12-20.md", "clear-goals, say-thank-you")  # say-thank-you came in 2026.2
    check = cli(repository, "check")
    assert check.returncode == 1
    assert check.stdout == ("sessions/2026-12-20.md:3:27: error[unknown-guideline] guidelines[1]: no guideline "
                            f"'say-thank-you' in the handbook edition 2026.1 at {deploy_branch} (known: "
                            "clear-goals, paper-diary, regular-meetings)\n")
    pair_file.write_text(pair_file.read_text().replace("'2026.1'", "latest"))
    assert cli(repository, "check").stdout == ""  # latest is 2026.2, which has say-thank-you
    pair_file.write_text(pair_file.read_text().replace("latest", "'2027.1'"))
    unknown = cli(repository, "check")
    assert unknown.returncode == 1
    assert unknown.stdout.startswith("pair.yml:11:19: error[unknown-version] handbook_version: no handbook "
                                     "edition '2027.1' was published")


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on this machine, for as long as the block runs."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *arguments: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_the_handbook_fetched_over_http_and_kept(tmp_path: Path, cli: Cli, deploy_branch: Path) -> None:
    with serving(deploy_branch) as address:
        repository = start_pair(cli, tmp_path, address)
        session(repository, "2026-12-20.md", "say-thank-yu")
        online = cli(repository, "check")
    caught = ("sessions/2026-12-20.md:3:14: error[unknown-guideline] guidelines[0]: no guideline 'say-thank-yu' "
              f"in the handbook edition 2026.2 at {address}; did you mean 'say-thank-you'?\n")
    assert (online.returncode, online.stdout) == (1, caught)
    offline = cli(repository, "check")  # the server is gone: the copy kept answers
    assert (offline.returncode, offline.stdout) == (1, caught)
    assert f"The handbook at {address} could not be reached (versions.json could not be fetched" in offline.stderr


@pytest.mark.slow
def test_the_preview_of_a_pair_repository_links_to_the_published_handbook(
        tmp_path: Path, cli: Cli, deploy_branch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `mentorsite serve` builds there: the pair's portfolio, its guidelines named and linked."""
    from mentorsite.cli.inside_pair import program_around
    from mentorsite.site.preview import build_pair_edition

    with serving(deploy_branch) as address:
        repository = start_pair(cli, tmp_path, address)
        session(repository, "2026-12-20.md", "clear-goals")
        monkeypatch.chdir(repository)
        with program_around(Path("mkdocs.yml"), None) as (program, pair_id):
            assert pair_id == "lena-marcus" and program.parent != repository
            _, problems = build_pair_edition(program, pair_id, "pair", tmp_path / "preview")
    assert problems == []
    page = (tmp_path / "preview/sessions/2026-12-20.html").read_text()
    assert f'href="{address}latest/guidelines/clear-goals/"' in page
    assert "Set clear goals" in page


def test_new_records_in_a_pair_repository(tmp_path: Path, cli: Cli, built_handbook: Path) -> None:
    repository = start_pair(cli, tmp_path, str(built_handbook))
    steps = [("agreement",), ("goal", "Lead a design review"), ("session", "--date", "2026-12-21"),
             ("session", "lena-marcus", "--date", "2026-12-28"), ("checkin", "--date", "2026-12-29"),
             ("closing", "--date", "2026-12-30")]
    for step in steps:
        result = cli(repository, "new", *step)
        assert result.returncode == 0, (step, result.stderr)
    assert sorted(p.relative_to(repository).as_posix() for p in repository.rglob("*.md")
                  if p.name != "README.md") == [
        "agreement.md", "checkins/2026-12-29.md", "closing.md", "goals/lead-a-design-review.md",
        "sessions/2026-12-21.md", "sessions/2026-12-28.md"]
    other = cli(repository, "new", "session", "ana-ben")
    assert other.returncode == 1
    assert "this is the repository of the pair lena-marcus, not of ana-ben" in other.stderr
    check = cli(repository, "check")
    assert (check.returncode, check.stderr) == (0, CLEAN), check.stdout


def test_a_pair_folder_moved_out_of_a_program_passes_as_it_is(tmp_path: Path, cli: Cli,
                                                              deploy_branch: Path) -> None:
    prefix = "content/pairs/ana-ben/"
    repository = write_files(tmp_path / "ana-ben-records", {
        name.removeprefix(prefix): text for name, text in BASE_PROGRAM.items() if name.startswith(prefix)})
    (repository / "mentorsite-pair.yml").write_text(f"pair: ana-ben\nhandbook: {deploy_branch}\n")
    check = cli(repository, "check")
    assert (check.returncode, check.stdout, check.stderr) == (0, "", CLEAN)
    # The same checks as in a program: the id the file names must be the pair's.
    (repository / "pair.yml").write_text("id: ben-ana\n" + (repository / "pair.yml").read_text())
    mismatch = cli(repository, "check")
    assert mismatch.returncode == 1
    assert mismatch.stdout.startswith("pair.yml:1:5: error[id-mismatch] id: expected id 'ana-ben'")


def test_the_pair_configuration_is_checked_at_its_lines(tmp_path: Path, cli: Cli) -> None:
    repository = write_files(tmp_path / "repo", {
        "mentorsite-pair.yml": "pair: Lena_Marcus\nhandbok: ../handbook\n",
        "pair.yml": "mentor: {name: A}\nmentee: {name: B}\nstart: 2026-01-05\nstatus: proposed\n"})
    check = cli(repository, "check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "mentorsite-pair.yml:1:7: error[invalid-id] pair: expected a pair id of lowercase letters, digits and "
        "single hyphens, such as 'lena-marcus', got 'Lena_Marcus'",
        "mentorsite-pair.yml:2:1: warning[unknown-key] handbok: unknown setting; did you mean 'handbook'?"]


def test_a_link_out_of_the_repository_is_refused(tmp_path: Path, cli: Cli) -> None:
    secret = write_files(tmp_path / "elsewhere", {"2026-02-03.md": "---\ndate: 2026-02-03\n---\n"})
    repository = write_files(tmp_path / "repo", {
        "mentorsite-pair.yml": "pair: lena-marcus\n",
        "pair.yml": "mentor: {name: A}\nmentee: {name: B}\nstart: 2026-01-05\nstatus: proposed\n"})
    (repository / "sessions").symlink_to(secret, target_is_directory=True)
    check = cli(repository, "check")
    assert check.returncode == 1
    assert ("sessions:1:1: error[outside-pair] is a link to a place outside its pair's folder; it is not read"
            in check.stdout.splitlines())


def test_a_hostile_manifest_writes_nothing_outside_the_preview(tmp_path: Path) -> None:
    """The published handbook's manifest is data from elsewhere: an id is a file name only when plain."""
    from mentorsite.authoring.pair_starter import preview_program
    from mentorsite.model.manifests import ManifestEntry
    from mentorsite.reading.handbook_fetch import PublishedHandbook
    from mentorsite.reading.sources import read_markdown

    entries = (ManifestEntry("../../escaped", "Out", "", "# Out\n"),
               ManifestEntry("plain", 'A "title"\n--8<-- "keys.yml"', "", "# T\n\nSum: mary\n\nFor: mentor, root\n"))
    handbook = PublishedHandbook("http://127.0.0.1:9/", True, editions=("1",), edition="1",
                                 guideline_ids=("../../escaped", "plain"), guidelines=entries)
    repository = write_files(tmp_path / "repo", {"pair.yml": "x: 1\n"})
    config = preview_program(tmp_path / "preview", repository, "lena-marcus", handbook)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["preview/content/handbook/guidelines/plain.md", "preview/mkdocs.yml", "repo/pair.yml"]
    stand_in = read_markdown((tmp_path / "preview/content/handbook/guidelines/plain.md").read_bytes(), "plain.md")
    assert stand_in.data == {"title": 'A "title"\n--8<-- "keys.yml"', "audience": ["mentor"], "topic": "Handbook",
                             "summary": "Sum: mary"}
    assert stand_in.body.strip() == "This guideline is in the program's published handbook."
    assert 'handbook_url: "http://127.0.0.1:9/{version}/"' in config.read_text()


# What an attacker's pass found (issue 23): the handbook is data from elsewhere, the repository is shared.

def manifest_text(*entries: dict[str, object]) -> str:
    return json.dumps({"format": 1, "version": None, "guidelines": list(entries)})


def entry(guideline_id: object, title: object = "A title", text: object = "# A title\n") -> dict[str, object]:
    return {"id": guideline_id, "title": title, "digest": "0" * 64, "text": text}


def pair_repository(folder: Path, handbook: str, pair: str = "lena-marcus") -> Path:
    return write_files(folder, {
        "mentorsite-pair.yml": f"pair: {pair}\nhandbook: {json.dumps(handbook)}\n",
        "pair.yml": "mentor: {name: A}\nmentee: {name: B}\nstart: 2026-01-05\nstatus: proposed\n"})


@pytest.mark.parametrize("address", ["http://user:s3cretPW@localhost/h/", "https://tok3nSECRET@localhost/h/"])
def test_credentials_in_the_handbook_address_are_refused_and_never_shown(tmp_path: Path, cli: Cli,
                                                                           address: str) -> None:
    from mentorsite.reading.handbook_fetch import read_handbook

    repository = pair_repository(tmp_path / "repo", address)
    check = cli(repository, "check")
    assert check.returncode == 1
    assert check.stdout.startswith("mentorsite-pair.yml:2:11: error[credentials] handbook: expected the "
                                   "address of a published handbook without a user name or password")
    assert "s3cret" not in check.stdout + check.stderr and "tok3n" not in check.stdout + check.stderr
    fetched = read_handbook(address, tmp_path, None, tmp_path / "cache")  # even when asked directly
    assert "s3cret" not in repr(fetched) and "tok3n" not in repr(fetched)
    started = cli(tmp_path, "init", "--pair", "lena-marcus", "started", "--handbook", "https://u:INITPW@h.example/hb/")
    assert started.returncode == 2 and "INITPW" not in started.stdout + started.stderr
    assert "without a user name or password" in started.stderr and not (tmp_path / "started").exists()


@pytest.mark.parametrize("address", ["file://otherhost/share/handbook", "ftp://h.example/handbook/",
                                     "http://h.example/\x1b[2J"])
def test_a_handbook_address_of_another_kind_is_refused_at_its_line(tmp_path: Path, cli: Cli, address: str) -> None:
    check = cli(pair_repository(tmp_path / "repo", address), "check")
    assert check.returncode == 1 and "\x1b" not in check.stdout
    assert check.stdout.startswith("mentorsite-pair.yml:2:11: error[")


def hostile_handbook(folder: Path, manifest: str, versions: str | None = None) -> Path:
    files = {"mentorsite-manifest.json": manifest} if versions is None else {
        "versions.json": versions, "2026.1/mentorsite-manifest.json": manifest}
    return write_files(folder, files)


@pytest.mark.parametrize(("manifest", "versions"), [
    ("[" * 100000, None), ('{"format": 1, "guidelines": ' + "[" * 100000, None), (manifest_text(), "[" * 100000),
    (manifest_text(), '[{"version": 5, "aliases": [["x"]]}]'), ('{"format": 1, "guidelines": 5}', None),
    ('{"format": 1, "version": null, "guidelines": [5]}', None)])
def test_a_malformed_handbook_is_a_reason_never_a_crash(tmp_path: Path, cli: Cli, manifest: str,
                                                        versions: str | None) -> None:
    handbook = hostile_handbook(tmp_path / "handbook", manifest, versions)
    repository = pair_repository(tmp_path / "repo", str(handbook))
    check = cli(repository, "check")
    assert check.returncode == 0
    assert "skipped the check of the guidelines the records name" in check.stdout
    assert len(check.stdout) < 1000


def test_guidelines_of_the_wrong_kinds_are_left_out_and_said(tmp_path: Path, cli: Cli) -> None:
    from mentorsite.authoring.pair_starter import preview_program
    from mentorsite.reading.handbook_fetch import read_handbook

    manifest = manifest_text(entry(1), entry("a"), entry("b", title=5, text=7), entry("c\x1b[31m"),
                             entry("x\nsessions/f.md:1:1: error[fake] y"), entry("set-goals"))
    handbook = hostile_handbook(tmp_path / "handbook", manifest)
    repository = pair_repository(tmp_path / "repo", "../handbook")
    session(repository, "2026-12-20.md", "zzz")
    check = cli(repository, "check")
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert lines[1].endswith("no guideline 'zzz' in the handbook at ../handbook (known: a, set-goals)")
    assert lines[0] == ("mentorsite-pair.yml:2:1: warning[handbook-refused] handbook: left out 4 guidelines of "
                        "the handbook at ../handbook: their id, title or text is not what a mentorsite manifest "
                        "holds")
    assert len(lines) == 2 and "\x1b" not in check.stdout
    read = read_handbook(str(handbook), tmp_path, None, tmp_path / "cache")
    preview_program(tmp_path / "preview", repository, "lena-marcus", read)  # serve: no crash on a title of 5
    assert sorted(p.name for p in (tmp_path / "preview/content/handbook/guidelines").iterdir()) == [
        "a.md", "set-goals.md"]


def test_a_bad_kept_copy_is_no_copy(tmp_path: Path, cli: Cli) -> None:
    handbook = hostile_handbook(tmp_path / "handbook", manifest_text(entry("set-goals")))
    repository = pair_repository(tmp_path / "repo", "../handbook")
    assert cli(repository, "check").returncode == 0
    (kept,) = (repository / ".mentorsite-cache/handbook").glob("*.json")
    shutil.rmtree(handbook)
    data = json.loads(kept.read_text())
    for bad in ("[" * 100000, json.dumps({**data, "files": {"mentorsite-manifest.json": "[" * 100000}}),
                json.dumps({**data, "files": {"mentorsite-manifest.json": manifest_text(entry(1), entry("a"))}})):
        kept.write_text(bad)
        offline = cli(repository, "check")
        assert offline.returncode == 0
        assert "skipped the check of the guidelines the records name: the handbook at ../handbook could not be " \
               "reached (there is no folder" in offline.stdout


@contextmanager
def dripping(before_headers: bool) -> Iterator[str]:
    """A server that sends one byte at a time, slowly, for ever (until the test ends)."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip(connection: socket.socket) -> None:
        with connection:
            connection.recv(4096)
            if not before_headers:
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(0.2):
                try:
                    connection.sendall(b"[" if not before_headers else b"H")
                except OSError:
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        listener.close()


@pytest.mark.slow
@pytest.mark.parametrize("before_headers", [True, False])
def test_a_slow_server_cannot_hang_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             before_headers: bool) -> None:
    import time

    from mentorsite.reading import handbook_fetch, web_fetch

    monkeypatch.setattr(web_fetch, "FETCH_SECONDS", 1.5)
    monkeypatch.setattr(web_fetch, "TIMEOUT_SECONDS", 1.0)  # each read: the bytes keep coming faster
    with dripping(before_headers) as address:
        started = time.monotonic()
        read = handbook_fetch.read_handbook(address, tmp_path, None, tmp_path / "cache")
        took = time.monotonic() - started
    assert took < 5
    assert (read.reachable, read.reason) == (False, "the server did not answer within 1.5 seconds (versions.json)")


def test_an_unusable_answer_never_replaces_the_kept_copy(tmp_path: Path, cli: Cli) -> None:
    handbook = hostile_handbook(tmp_path / "handbook", manifest_text(entry("set-goals")))
    repository = pair_repository(tmp_path / "repo", "../handbook")
    session(repository, "2026-12-20.md", "set-goal")
    assert cli(repository, "check").returncode == 1
    (kept,) = (repository / ".mentorsite-cache/handbook").glob("*.json")
    before = kept.read_text()
    (handbook / "mentorsite-manifest.json").unlink()  # the handbook answers, but has no guidelines now
    for _ in range(2):
        gone = cli(repository, "check")
        assert (gone.returncode, gone.stdout.split(": ", 1)[1]) == (1, (
            "error[unknown-guideline] guidelines[0]: no guideline 'set-goal' in the handbook at ../handbook; did "
            "you mean 'set-goals'?\n"))
        assert "could not be used now (it has no mentorsite-manifest.json" in gone.stderr
        assert "checked against the copy fetched" in gone.stderr
        assert kept.read_text() == before


def test_foreign_text_in_messages_is_escaped(tmp_path: Path, cli: Cli) -> None:
    from mentorsite.model.fields import describe_value

    assert describe_value("a\x1b[2Jb\nc") == "'a\\x1b[2Jb\\nc'"
    handbook = hostile_handbook(tmp_path / "handbook", manifest_text(entry("set-goals")), json.dumps([
        {"version": "2026.1", "aliases": ["latest", "x\x1b[2J"]}, {"version": "2026.2\nfake: error", "aliases": []}]))
    repository = pair_repository(tmp_path / "repo", str(handbook))
    pair_file = repository / "pair.yml"
    pair_file.write_text(pair_file.read_text() + "handbook_version: 'v9'\n")
    check = cli(repository, "check")
    assert check.returncode == 1 and "\x1b" not in check.stdout and "fake" not in check.stdout
    assert "no handbook edition 'v9' was published (known: 2026.1, latest)" in check.stdout
    (repository / "mentorsite-pair.yml").write_text('pair: "lena\\nmentorsite-pair.yml:1:1: error[x] \\x1b[2J"\n')
    named = cli(repository, "check")
    assert "\x1b" not in named.stdout and len(named.stdout.splitlines()) == 1
    assert "got 'lena\\nmentorsite-pair.yml:1:1: error[x] \\x1b[2J'" in named.stdout


@pytest.mark.parametrize("edition", ["file:///etc", "../outside", "//127.0.0.2:8765/other", "a/b", "ftp:x"])
def test_an_edition_name_cannot_lead_elsewhere(tmp_path: Path, edition: str) -> None:
    from mentorsite.reading.handbook_fetch import read_handbook

    write_files(tmp_path / "outside", {"mentorsite-manifest.json": manifest_text(entry("leaked"))})
    handbook = write_files(tmp_path / "handbook", {
        "versions.json": json.dumps([{"version": edition, "aliases": ["latest"]}])})
    read = read_handbook(str(handbook), tmp_path, None, tmp_path / "cache")
    assert read.guideline_ids is None and edition not in (read.editions or ())


def test_the_web_opener_reads_no_local_file_and_refuses_a_downgrade(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    from mentorsite.reading import web_fetch

    secret = write_files(tmp_path, {"secret.json": "[]"}) / "secret.json"
    with pytest.raises(urllib.error.URLError):
        web_fetch._OPENER.open(secret.as_uri())
    request = urllib.request.Request("https://h.example/versions.json")
    with pytest.raises(web_fetch.FetchError, match="from https to http"):
        web_fetch._WebOnly().redirect_request(request, None, 302, "Found", {}, "http://h.example/versions.json")


def test_check_in_a_folder_of_the_pair_repository(tmp_path: Path, cli: Cli, built_handbook: Path) -> None:
    repository = start_pair(cli, tmp_path, str(built_handbook))
    session(repository, "2026-12-20.md", "set-goal")
    inside = cli(repository / "sessions", "check")
    assert inside.returncode == 1
    assert inside.stdout.startswith("../sessions/2026-12-20.md:3:14: error[unknown-guideline]")
    made = cli(repository / "sessions", "new", "session", "--date", "2026-12-21")
    assert made.returncode == 0 and (repository / "sessions/2026-12-21.md").is_file()


def test_init_pair_git_asks_git_of_the_new_repository_and_leaves_nothing_half_made(
        tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(variable, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "none"))
    here = tmp_path / "here"
    here.mkdir()
    for arguments in (["init", "--quiet"], ["config", "user.name", "Only Here"], ["config", "user.email", "h@x.y"]):
        subprocess.run(["git", *arguments], cwd=here, check=True)
    started = cli(here, "init", "--pair", "lena-marcus", "lena-marcus", "--git")
    assert started.returncode == 1
    assert "git has no user to make the first commit as" in started.stderr
    assert not (here / "lena-marcus").exists()


def test_the_pair_starter_names_no_path_of_this_machine(tmp_path: Path, cli: Cli) -> None:
    from importlib.metadata import version

    repository = start_pair(cli, tmp_path, "https://h.example/handbook/")
    for name in (".pre-commit-config.yaml", "ci/check.sh"):
        text = (repository / name).read_text()
        assert "file:" not in text and str(Path.cwd()) not in text and "/work/" not in text
        assert f"mentorsite=={version('mentorsite')}" in text


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path, cli: Cli) -> None:
    handbook = hostile_handbook(tmp_path / "handbook", manifest_text(entry("set-goals")))
    repository = pair_repository(tmp_path / "repo", str(handbook))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repository / ".mentorsite-cache").symlink_to(elsewhere, target_is_directory=True)
    check = cli(repository, "check")
    assert check.returncode == 0
    assert list(elsewhere.iterdir()) == []
    assert "warning[cache-link]" in check.stdout
    (tmp_path / "started").mkdir()
    started = start_pair(cli, tmp_path / "started", str(handbook))
    assert ".mentorsite-cache" in (started / ".gitignore").read_text().splitlines()
