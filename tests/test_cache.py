"""The build cache never serves stale output: after any change, an incremental build writes what a
clean build of the same sources writes, byte for byte, and builds nothing that did not change."""

from __future__ import annotations

import filecmp
import multiprocessing
import os
import pickle
import shutil
import signal
import threading
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, Template

from mentorsite.checking.program import read_program
from mentorsite.files.failures import WorkerLostError
from mentorsite.model.diagnostics import Diagnostic, Severity
from mentorsite.pages.rendering import create_environment
from mentorsite.reading.caching import (
    CACHE_MAGIC,
    RecordCache,
    UnstableError,
    digest,
    machine_key,
    open_cache,
    seal_cache,
    stable_form,
)
from mentorsite.reading.positions import Positions
from mentorsite.site import pool
from mentorsite.site.builder import Shard
from mentorsite.site.stamps import Stamps
from tests.programs import add_plugin_options, copy_example, write_files
from tests.test_cli import mentorsite

PAIRS = ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]
SESSION = "content/pairs/lena-marcus/sessions/2026-09-17.md"
DELETED = "content/pairs/lena-marcus/sessions/2026-08-06.md"  # a session no later action carries over


def build(program: Path, *args: str) -> str:
    result = mentorsite(program, "build", "--jobs", "1", *args, SOURCE_DATE_EPOCH="1795262400")
    assert result.returncode == 0, result.stderr
    return result.stderr


def pages(program: Path) -> dict[str, tuple[int, int]]:
    """Each file of the private sites with its inode and modification time (a rebuilt file is new)."""
    folder = program / "site-private"
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in folder.rglob("*.html")}


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path, stamp in after.items() if before.get(path) != stamp}


def same_tree(one: Path, other: Path) -> list[str]:
    """Files that differ between two folders (by name or bytes), the build stamps aside."""
    differences = []
    comparison = filecmp.dircmp(one, other, ignore=[Stamps.FOLDER])
    stack = [("", comparison)]
    while stack:
        prefix, current = stack.pop()
        differences += [f"{prefix}{name} (only one side)" for name in current.left_only + current.right_only]
        _, mismatch, errors = filecmp.cmpfiles(current.left, current.right, current.common_files, shallow=False)
        differences += [f"{prefix}{name}" for name in mismatch + errors]
        stack += [(f"{prefix}{name}/", sub) for name, sub in current.subdirs.items()]
    return sorted(differences)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example program, built once with the cache."""
    program = copy_example(tmp_path_factory.mktemp("built") / "program")
    build(program)
    return program


def copy_of(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "program"
    shutil.copytree(built, target, symlinks=True, copy_function=shutil.copy2)
    return target


def test_an_unchanged_program_builds_no_portfolio_page_and_keeps_every_file(built: Path, tmp_path: Path) -> None:
    program = copy_of(built, tmp_path)
    before = pages(program)
    log = build(program)
    assert written(before, pages(program)) == set()
    assert "built 0 portfolios (pair and review editions), 4 up to date" in log
    assert "the program report in site-private/report is up to date" in log


def test_editing_one_session_rebuilds_only_its_pair_and_the_report(built: Path, tmp_path: Path) -> None:
    program = copy_of(built, tmp_path)
    before = pages(program)
    session = program / SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nA line added after the meeting.\n",
                       encoding="utf-8")
    log = build(program)
    changed = written(before, pages(program))
    assert {path.split("/")[1] for path in changed if path.startswith(("pairs/", "review/"))
            and path.count("/") > 1} == {"lena-marcus"}
    assert "report/index.html" in changed
    assert "review/index.html" not in changed  # the pair's entry in the index did not change
    assert "built 1 portfolio (pair and review editions), 3 up to date" in log
    page = program / "site-private/pairs/lena-marcus/sessions/2026-09-17.html"
    assert "A line added after the meeting." in page.read_text(encoding="utf-8")


def test_an_edit_the_pair_does_not_share_leaves_its_review_edition_as_it_was(built: Path,
                                                                             tmp_path: Path) -> None:
    """The review edition holds only what the pair shares: an edit of a record it keeps to itself
    builds the pair edition again, and no page of the review edition (nor the reviewer index)."""
    program = copy_of(built, tmp_path)
    before = pages(program)
    session = program / SESSION
    assert "visibility" not in session.read_text(encoding="utf-8")
    session.write_text(session.read_text(encoding="utf-8") + "\nA note kept between the two of us.\n",
                       encoding="utf-8")
    build(program)
    after = pages(program)
    changed = written(before, after)
    assert any(path.startswith("pairs/lena-marcus/") for path in changed)
    assert not [path for path in changed if path.startswith("review/")]
    shared = program / SHARED_SESSION
    shared.write_text(shared.read_text(encoding="utf-8") + "\nA note the reviewers may read.\n",
                      encoding="utf-8")
    build(program)
    changed = written(after, pages(program))
    assert "review/lena-marcus/sessions/2026-07-23.html" in changed
    assert "A note the reviewers may read." in (
        program / "site-private/review/lena-marcus/sessions/2026-07-23.html").read_text(encoding="utf-8")
    assert not [path for path in changed if path.startswith(("pairs/", "review/")) and "lena-marcus" not in path
                and path.count("/") > 1]


@pytest.mark.parametrize("damage", ["cut short", "edited"])
def test_a_review_summary_damaged_is_written_again_when_its_pair_is_built(built: Path, tmp_path: Path,
                                                                         damage: str) -> None:
    """A review edition is kept only with the very summary it would be built with: one cut short
    or edited by hand is built again with its pair, even when nothing the pair shares changed."""
    program = copy_of(built, tmp_path)
    summary = program / "site-private/review/lena-marcus/summary.json"
    whole = summary.read_bytes()
    summary.write_bytes(whole[:len(whole) // 2] if damage == "cut short"
                        else whole.replace(b'"mentee": "', b'"mentee": "Someone else than '))
    session = program / SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nA note kept between the two of us.\n",
                       encoding="utf-8")
    log = build(program)
    assert summary.read_bytes() == whole
    assert "withdrawn" not in log
    index = (program / "site-private/review/index.html").read_text(encoding="utf-8")
    assert "lena-marcus/" in index and "Someone else than" not in index


def _template(program: Path) -> str:
    write_files(program, {"templates/portfolio/session.md.j2": (Path(__file__).parent.parent / "themes/portfolio"
                                                                 / "session.md.j2").read_text(encoding="utf-8")
                          + "\nSession template of this program.\n"})
    return "Session template of this program."


def _config(program: Path) -> str:
    add_plugin_options(program, "      handbook_url: https://handbook.example/{version}/\n")
    return "https://handbook.example/"


def _palette(program: Path) -> str:
    config = program / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("primary: teal", "primary: indigo"),
                      encoding="utf-8")
    return 'data-md-color-primary="indigo"'


def _record(program: Path) -> str:
    goal = program / "content/pairs/priya-tomas/goals" / sorted(
        p.name for p in (program / "content/pairs/priya-tomas/goals").iterdir())[0]
    text = goal.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    goal.write_text(text.replace(title, "title: A goal renamed since the last build"), encoding="utf-8")
    return "A goal renamed since the last build"


def _delete(program: Path) -> str:
    (program / DELETED).unlink()
    return "-2026-08-06.html"  # no link to the deleted session's page is left


def _guideline(program: Path) -> str:
    guideline = program / "content/handbook/guidelines/meeting-cadence.md"
    text = guideline.read_text(encoding="utf-8")
    guideline.write_text(text.replace("title: Agree a meeting rhythm and keep it",
                                      "title: Agree a rhythm of meetings, and keep to it"), encoding="utf-8")
    return "Agree a rhythm of meetings, and keep to it"


def _pair(program: Path) -> str:
    shutil.rmtree(program / "content/pairs/noor-james")
    return "-noor-james"


SHARED_SESSION = "content/pairs/lena-marcus/sessions/2026-07-23.md"  # visibility: review


def _shared_record(program: Path) -> str:
    session = program / SHARED_SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nA thought shared with the reviewers.\n",
                       encoding="utf-8")
    return "A thought shared with the reviewers."


def _shared_no_longer(program: Path) -> str:
    session = program / SHARED_SESSION
    text = session.read_text(encoding="utf-8")
    assert "visibility: review\n" in text
    session.write_text(text.replace("visibility: review\n", ""), encoding="utf-8")
    return "-review/lena-marcus/sessions/2026-07-23"


def _shared_now(program: Path) -> str:
    session = program / SESSION
    text = session.read_text(encoding="utf-8")
    session.write_text(text.replace("\nminutes:", "\nvisibility: review\nminutes:", 1), encoding="utf-8")
    return "review/lena-marcus/sessions/2026-09-17"


CHANGES: dict[str, Callable[[Path], str]] = {
    "a template": _template, "a plugin setting": _config, "a theme setting": _palette,
    "a record": _record, "a deleted record": _delete, "a guideline": _guideline, "a deleted pair": _pair,
    "a shared record": _shared_record, "a record shared no longer": _shared_no_longer,
    "a record shared now": _shared_now,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_after_a_change_the_output_is_that_of_a_clean_build(built: Path, tmp_path: Path, change: str) -> None:
    incremental = copy_of(built, tmp_path / "incremental")
    expected = CHANGES[change](incremental)
    build(incremental)
    clean = tmp_path / "clean"
    shutil.copytree(incremental, clean, ignore=shutil.ignore_patterns("site", "site-private", ".cache"))
    build(clean, "--no-cache")
    assert same_tree(incremental / "site-private", clean / "site-private") == []
    assert same_tree(incremental / "site", clean / "site") == []
    pages_of = list((incremental / "site-private").rglob("*.html"))
    text = "".join([*(path.read_text(encoding="utf-8") for path in pages_of),
                    *(path.relative_to(incremental / "site-private").as_posix() for path in pages_of)])
    if expected.startswith("-"):
        assert expected[1:] not in text
    else:
        assert expected in text


def test_the_record_cache_gives_what_reading_the_files_gives(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    (program / SESSION).write_text("---\ndate: 2026-09-17\nminutes: lots\n---\n", encoding="utf-8")
    plain = read_program(program / "content", program)
    first = RecordCache(tmp_path / "cache")
    cold = read_program(program / "content", program, cache=first)
    again = RecordCache(tmp_path / "cache")
    warm = read_program(program / "content", program, cache=again)
    # Nothing made twice, and nothing missed the second time (a pair's checked records come whole
    # from its folder's entry, so the entries of its single records are not asked for).
    assert (first.hits, again.misses) == (0, 0) and 0 < again.hits <= first.misses
    for checked in (cold, warm):
        assert checked.diagnostics == plain.diagnostics
        assert checked.program == plain.program
        assert checked.pair_digests == plain.pair_digests
    assert any(d.code == "wrong-type" for d in warm.diagnostics)


def test_a_pair_folder_unchanged_is_checked_again_against_the_guidelines_and_editions_of_now(
        tmp_path: Path) -> None:
    """A pair's checked records come from the cache only while the guidelines and published
    editions they are checked against are those of the check that made the entry."""
    program = copy_example(tmp_path / "program")
    key = b"this machine's key, 32 bytes long"
    content = program / "content"
    read_program(content, program, editions=("2026.1", "2026.2"), cache=RecordCache(tmp_path / "cache", key=key))
    (content / "handbook/guidelines/action-items.md").unlink()  # named by a session of lena-marcus
    for editions in (("2026.1", "2026.2"), ("2026.2",), None, ("2026.1", "2026.2")):
        cache = RecordCache(tmp_path / "cache", key=key)
        cached = read_program(content, program, editions=editions, cache=cache)
        plain = read_program(content, program, editions=editions)
        assert cached.diagnostics == plain.diagnostics and cached.program == plain.program
        assert cache.hits > 0
        codes = {(d.path, d.code) for d in cached.diagnostics}
        assert (SESSION, "unknown-guideline") in codes
        assert (("content/pairs/lena-marcus/pair.yml", "unknown-version") in codes) == (
            editions is not None and "2026.1" not in editions)


def test_the_record_cache_drops_deleted_files_and_ignores_a_damaged_cache(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    key = b"this machine's key, 32 bytes long"
    read_program(program / "content", program, cache=RecordCache(tmp_path / "cache", key=key))
    (program / DELETED).unlink()
    read_program(program / "content", program, cache=RecordCache(tmp_path / "cache", key=key))
    entries: dict[tuple[str, ...], object] = {}
    for shard in sorted((tmp_path / "cache" / RecordCache.FOLDER).glob("*.pickle")):
        payload = open_cache(key, shard.read_bytes())
        assert payload is not None
        entries.update(pickle.loads(payload)["entries"])
    assert not any(DELETED in key for key in entries)
    assert any("sessions/2026-08-20.md" in key[1] for key in entries)
    for shard in (tmp_path / "cache" / RecordCache.FOLDER).glob("*.pickle"):
        shard.write_bytes(b"not a cache")
    cache = RecordCache(tmp_path / "cache", key=key)
    checked = read_program(program / "content", program, cache=cache)
    assert cache.hits == 0 and checked.errors == []


class _Planted:
    """Unpickling this makes a folder: proof of whether a cache file was unpickled."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.target),))


def test_a_cache_not_sealed_with_this_users_key_is_never_unpickled(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    planted = tmp_path / "planted"
    payload = pickle.dumps({"key": "x", "entries": {}, "trap": _Planted(planted)})
    cache_dir = tmp_path / "cache"
    (cache_dir / RecordCache.FOLDER).mkdir(parents=True)
    key = b"this machine's key, 32 bytes long"
    sealed = seal_cache(key, payload)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for foreign in (CACHE_MAGIC + payload, CACHE_MAGIC + b"\0" * 12 + payload,
                    seal_cache(b"another machine's key" * 2, payload), tampered, payload):
        shutil.rmtree(cache_dir / RecordCache.FOLDER)  # only the foreign file: none this user wrote
        (cache_dir / RecordCache.FOLDER).mkdir()
        (cache_dir / RecordCache.FOLDER / "00.pickle").write_bytes(foreign)
        cache = RecordCache(cache_dir, key=key)
        read_program(program / "content", program, cache=cache)
        assert not planted.exists() and cache.hits == 0
    # The same payload sealed with the right key is read: the key is what kept it out.
    (cache_dir / RecordCache.FOLDER / "00.pickle").write_bytes(sealed)
    RecordCache(cache_dir, key=key)
    assert planted.is_dir()


def test_the_signing_key_is_made_once_and_readable_only_by_its_owner(tmp_path: Path) -> None:
    key = machine_key(tmp_path / "keys")
    assert key is not None and len(key) == 32
    assert machine_key(tmp_path / "keys") == key
    assert (tmp_path / "keys" / "cache-key").stat().st_mode & 0o777 == 0o600


def test_a_digest_tells_its_parts_apart() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert stable_form({"b": 1, "a": [1, {"c"}]}) == stable_form({"a": [1, {"c"}], "b": 1})
    assert stable_form({"f": read_program}) == "[('f', 'mentorsite.checking.program:read_program')]"
    with pytest.raises(UnstableError):
        stable_form({"value": object()})


def test_a_cache_dir_in_the_site_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    program = add_plugin_options(copy_example(tmp_path / "program"), "      cache_dir: site/cache\n")
    result = mentorsite(program, "build")
    assert result.returncode == 1
    assert "cache_dir" in result.stderr and "because it holds the text of every record" in result.stderr
    assert not (program / "site").exists()


def test_shards_split_the_pairs_stably_and_a_whole_build_after_them_builds_no_portfolio(tmp_path: Path) -> None:
    shards = [Shard.parse(f"{k}/3") for k in (1, 2, 3)]
    ids = [f"pair-{n:04d}" for n in range(300)]
    owners = [[shard for shard in shards if shard.holds(pair_id)] for pair_id in ids]
    assert all(len(found) == 1 for found in owners)
    assert all(70 <= sum(1 for found in owners if found == [shard]) <= 130 for shard in shards)
    for bad in ("0/2", "3/2", "2", "a/b", "1/0"):
        with pytest.raises(ValueError, match="expected K/N"):
            Shard.parse(bad)
    # Two machines build a shard each; their outputs are merged; a whole build adds the rest.
    machines = []
    for index in (1, 2):
        program = copy_example(tmp_path / f"machine-{index}")
        log = build(program, "--shard", f"{index}/2")
        assert "report" not in log
        machines.append(program)
    merged = copy_example(tmp_path / "merged")
    for program in machines:
        shutil.copytree(program / "site-private", merged / "site-private", dirs_exist_ok=True)
    built_by_shards = set(pages(merged))
    assert {path.split("/")[1] for path in built_by_shards if path.startswith("pairs/")} == set(PAIRS)
    before = pages(merged)
    log = build(merged)
    assert "built 0 portfolios (pair and review editions), 4 up to date" in log
    portfolio_pages = {path for path in written(before, pages(merged))
                       if path.startswith("pairs/") or (path.startswith("review/") and path.count("/") > 1)}
    assert portfolio_pages == set()
    assert (merged / "site-private/review/index.html").is_file()
    assert (merged / "site-private/report/index.html").is_file()


def test_pair_and_shard_cannot_be_given_together(tmp_path: Path) -> None:
    result = mentorsite(copy_example(tmp_path / "program"), "build", "--pair", "lena-marcus", "--shard", "1/2")
    assert result.returncode == 2
    assert "give --pair or --shard, not both" in result.stderr


def test_no_cache_builds_everything_and_stamps_it_for_the_next_build(built: Path, tmp_path: Path) -> None:
    program = copy_of(built, tmp_path)
    before = pages(program)
    log = build(program, "--no-cache")
    assert "built 4 portfolios (pair and review editions) in" in log
    assert "wrote the program report" in log
    assert written(before, pages(program)) == set(before)
    assert "built 0 portfolios (pair and review editions), 4 up to date" in build(program)


class _WhichProcess:
    def warm(self) -> None:
        pass

    def size(self, pair_id: str) -> int:
        return 0

    def __call__(self, pair_id: str) -> list[Diagnostic] | None:
        return [Diagnostic(path=pair_id, line=os.getpid(), column=1, severity=Severity.ERROR, code="pid",
                           message="")]


def test_workers_are_replaced_after_their_share_of_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "PAIRS_PER_WORKER", 1)
    ids = [f"pair-{n}" for n in range(6)]
    outcomes = dict(pool.run_pairs(_WhichProcess(), ids, jobs=2))  # type: ignore[arg-type]
    assert sorted(outcomes) == ids
    workers = {problems[0].line for problems in outcomes.values() if problems}
    assert os.getpid() not in workers
    assert len(workers) == 6  # one pair each, in a fresh worker each


class _OneSlowPair(_WhichProcess):
    def size(self, pair_id: str) -> int:
        return 2 if pair_id == "slow" else 1

    def __call__(self, pair_id: str) -> list[Diagnostic] | None:
        if pair_id == "slow":
            time.sleep(3)
        return None


def test_no_worker_waits_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers built batches in turn: a batch waited for its slowest pair before the next began. Now
    each worker takes the next pair when it is free (and is still replaced after its share)."""
    monkeypatch.setattr(pool, "PAIRS_PER_WORKER", 2)
    ids = ["pair-0", "pair-1", "slow", "pair-2", "pair-3", "pair-4", "pair-5"]  # in the first batch of old
    order = [pair_id for pair_id, _ in pool.run_pairs(_OneSlowPair(), ids, jobs=2)]  # type: ignore[arg-type]
    assert sorted(order) == sorted(ids)
    assert order[-1] == "slow", order  # the others all done meanwhile


class _Failing(_WhichProcess):
    def __call__(self, pair_id: str) -> list[Diagnostic] | None:
        if pair_id == "bug":
            raise LookupError("a bug in building it")
        if pair_id == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        return None


@pytest.mark.parametrize(("culprit", "raised", "said"), [
    ("bug", LookupError, "a bug in building it"),
    ("killed", WorkerLostError, "the worker process building the portfolios of killed ended abruptly "
                                "(stopped by SIGKILL, as the system does when memory runs out)")])
def test_a_worker_that_fails_or_is_killed_stops_the_build_and_leaves_no_process(
        culprit: str, raised: type[Exception], said: str) -> None:
    ids = ["pair-0", culprit, "pair-1", "pair-2"]
    before = set(multiprocessing.active_children())
    with pytest.raises(raised) as error:
        list(pool.run_pairs(_Failing(), ids, jobs=2))  # type: ignore[arg-type]
    assert str(error.value) == said
    assert set(multiprocessing.active_children()) == before


def test_no_thread_runs_beside_the_workers_when_they_are_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork copies the locks other threads hold: workers are forked from a process with one thread."""
    monkeypatch.setattr(pool, "PAIRS_PER_WORKER", 1)
    threads = []
    original = multiprocessing.context.ForkProcess._Popen  # type: ignore[attr-defined]

    def counting(process: object) -> object:
        threads.append(threading.active_count())
        return original(process)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "_Popen", staticmethod(counting))
    before = threading.active_count()  # the test runner's own, if any
    list(pool.run_pairs(_WhichProcess(), [f"pair-{n}" for n in range(5)], jobs=2))  # type: ignore[arg-type]
    assert len(threads) == 5 and set(threads) == {before}, threads


def test_the_portfolio_templates_are_compiled_before_workers_are_forked(tmp_path: Path) -> None:
    """Each forked worker compiled the portfolio templates again; they are compiled once before, and a
    program template that does not compile is left for the pair's build to report."""
    overrides = tmp_path / "templates" / "portfolio"
    overrides.mkdir(parents=True)
    (overrides / "broken.md.j2").write_text("{% if %}", encoding="utf-8")
    (overrides / "notes.txt").write_text("not a template", encoding="utf-8")
    environment = create_environment(tmp_path / "templates")
    task = pool.PairTask(None, None, None, environment, tmp_path)  # type: ignore[arg-type]
    loaded: list[str] = []
    loader = environment.loader
    assert loader is not None
    original = loader.load

    def load(env: Environment, name: str, globals: MutableMapping[str, Any] | None = None) -> Template:
        loaded.append(name)
        return original(env, name, globals)

    loader.load = load  # type: ignore[method-assign,assignment]
    task.warm()
    assert {"portfolio/session.md.j2", "portfolio/practices.md.j2", "portfolio/macros.j2",
            "mentorsite/portfolio/session.md.j2", "portfolio/broken.md.j2"} <= set(loaded)
    assert "portfolio/notes.txt" not in loaded
    loaded.clear()
    environment.get_template("portfolio/session.md.j2")
    assert loaded == []  # compiled already


def test_check_reads_through_the_cache_and_says_the_same_each_time(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    (program / SESSION).write_text("---\ndate: 2026-09-17\nminutes: lots\n---\n", encoding="utf-8")
    first = mentorsite(program, "check")
    assert list((program / ".cache/mentorsite" / RecordCache.FOLDER).glob("*.pickle"))
    second = mentorsite(program, "check")
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout
    assert "2026-09-17.md:3:10: error[wrong-type] minutes: expected a whole number, got 'lots'" in second.stdout


def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_build(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    (program / ".cache").write_text("a file where the cache folder would go", encoding="utf-8")
    cache = RecordCache(program / ".cache" / "mentorsite", key=b"k" * 32)
    checked = read_program(program / "content", program, cache=cache)
    assert checked.errors == [] and cache.misses > 0
    assert (program / ".cache").is_file()


def test_the_code_digest_covers_every_layer_of_the_package(tmp_path: Path) -> None:
    """A change to any module, in any layer's folder, makes every stamp stale (not only the cache's own)."""
    import shutil

    from mentorsite.reading import caching

    package = tmp_path / "mentorsite"
    shutil.copytree(caching.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "themes"))
    before = caching.code_digest.__wrapped__(package)
    for module in ("pages/portfolio.py", "site/builder.py", "model/records.py", "cli/base.py"):
        changed = package / module
        original = changed.read_bytes()
        changed.write_bytes(original + b"\n# changed\n")
        assert caching.code_digest.__wrapped__(package) != before, module
        changed.write_bytes(original)
    assert caching.code_digest.__wrapped__(package) == before


def test_an_edit_writes_the_shard_of_its_record_again_and_no_other(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    key = b"this machine's key, 32 bytes long"
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / RecordCache.OLD_FILE).write_bytes(b"an earlier version's whole cache")
    read_program(program / "content", program, cache=RecordCache(tmp_path / "cache", key=key))
    assert not (tmp_path / "cache" / RecordCache.OLD_FILE).exists()
    shards = sorted((tmp_path / "cache" / RecordCache.FOLDER).glob("*.pickle"))
    assert len(shards) > 3
    before = {shard.name: shard.read_bytes() for shard in shards}
    session = program / SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    cache = RecordCache(tmp_path / "cache", key=key)
    read_program(program / "content", program, cache=cache)
    folder = tmp_path / "cache" / RecordCache.FOLDER
    after = {shard.name: shard.read_bytes() for shard in sorted(folder.glob("*.pickle"))}
    assert after.keys() == before.keys()
    edited = f"{RecordCache.shard_of(('records', SESSION)):02d}.pickle"
    assert [name for name in after if after[name] != before[name]] == [edited]
    again = RecordCache(tmp_path / "cache", key=key)
    read_program(program / "content", program, cache=again)
    assert again.misses == 0
    # A pair's records, kept while its folder's check came whole from the cache: an edit of one of
    # its files parses and checks that file, and the folder's check, again; nothing else.
    other = program / "content/pairs/priya-tomas/sessions" / sorted(
        p.name for p in (program / "content/pairs/priya-tomas/sessions").iterdir())[0]
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    third = RecordCache(tmp_path / "cache", key=key)
    read_program(program / "content", program, cache=third)
    assert third.misses == 4  # its parse, its record's check, its include lines, its folder's check


def test_positions_come_back_from_the_cache_as_read_and_are_unpacked_only_when_read(tmp_path: Path) -> None:
    """A record's positions are kept packed in the cache: the same lines and columns come back,
    and a build that reads none of them unpacks none."""
    program = copy_example(tmp_path / "program")
    key = b"this machine's key, 32 bytes long"
    plain = read_program(program / "content", program)
    read_program(program / "content", program, cache=RecordCache(tmp_path / "cache", key=key))
    warm = read_program(program / "content", program, cache=RecordCache(tmp_path / "cache", key=key))
    assert warm.positions.keys() == plain.positions.keys()
    packed = [path for path, positions in warm.positions.items() if "_packed" in vars(positions)]
    assert len(packed) > len(warm.positions) // 2  # left packed: nothing read them
    for path, positions in warm.positions.items():  # the start first: it has a default of its own
        assert (positions.start, positions.keys, positions.values) == (
            plain.positions[path].start, plain.positions[path].keys, plain.positions[path].values)
        assert "_packed" not in vars(positions)
    elsewhere = pickle.loads(pickle.dumps(Positions({(): (7, 1)}, {}, (7, 1))))  # a start not the default
    assert elsewhere.start == (7, 1) and "_packed" in vars(elsewhere)
    again = pickle.loads(pickle.dumps(warm.positions[SESSION]))
    assert again == plain.positions[SESSION] and again.of_value(("actions", 0, "task")) == \
        plain.positions[SESSION].of_value(("actions", 0, "task"))
    changed = pickle.loads(pickle.dumps(plain.positions[SESSION]))  # packed; a field set before a read
    changed.values = {("date",): (9, 9)}
    assert changed.keys == plain.positions[SESSION].keys and changed.values == {("date",): (9, 9)}
    assert pickle.loads(pickle.dumps(changed)).values == {("date",): (9, 9)}
