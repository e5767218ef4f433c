"""Fault injection (issue 17): killed builds, builds at once, full disks, read-only trees, names at
the file system's limits and hostile YAML. Never a traceback, never a hang, and every output either
the previous good one or the new one, byte for byte.

Version A of the example program is built to completion, then version B (a guideline and a session
changed) from A's outputs, and both outputs are kept. Each fault then starts again from A's
sources and outputs, starts building B and injects the fault. Kill moments come from
``random.Random`` with a fixed seed (``FAULTS_SEED`` to try others), printed with any failure.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from mentorsite.checking.program import read_program
from mentorsite.dev.synthetic import ProgramSize, write_program
from mentorsite.model.diagnostics import Diagnostic, Severity
from tests import faults
from tests.faults import (
    Result,
    Snapshot,
    Started,
    mentorsite,
    mixed_units,
    mkdocs,
    no_traceback,
    run,
    scratch_left,
    snapshot,
)
from tests.programs import BASE_PROGRAM, add_plugin_options, write_files

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("FAULTS_SEED", "17"))
PAIRS = ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]
COMMANDS = {
    "mentorsite build": mentorsite("build"),
    "mkdocs build": mkdocs("build"),
    "mentorsite build --pair": mentorsite("build", "--pair", "lena-marcus"),
}
KILLS = {"mentorsite build": 6, "mkdocs build": 6, "mentorsite build --pair": 6}
SPREAD = 0.85  # of the measured build time: later, a build run alone has mostly ended


def outputs(program: Path) -> Snapshot:
    return snapshot(program / "site", program / "site-private")


class Versions:
    """Version A built to completion, and for each command the outputs of building B from A."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.a = faults.example(root / "a")
        built = run(mentorsite("build"), self.a)
        assert built.returncode == 0, built.describe()
        no_traceback(built)
        self.old = outputs(self.a)
        self._new: dict[str, tuple[Snapshot, float]] = {}

    def fresh(self, name: str) -> Path:
        """A's sources and outputs (and record cache) with B's sources: ready to build B."""
        program = faults.copy_program(self.a, self.root / name)
        faults.version_b(program)
        return program

    def new(self, command: str) -> tuple[Snapshot, float]:
        """B's outputs as ``command`` leaves them, run to completion from A, and how long it took."""
        if command not in self._new:
            program = self.fresh("b")
            result = run(COMMANDS[command], program)
            assert result.returncode == 0, result.describe()
            no_traceback(result)
            self._new[command] = (outputs(program), result.seconds)
        return self._new[command]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    versions = Versions(tmp_path_factory.mktemp("versions"))
    # The suite's own premise (else "old or new" would hold for any output): B changes the handbook
    # and every portfolio (they link to the guideline), and a build of one pair leaves the handbook.
    new, _ = versions.new("mentorsite build")
    assert new["site"] != versions.old["site"]
    assert all(new[f"site-private/pairs/{pair}"] != versions.old[f"site-private/pairs/{pair}"] for pair in PAIRS)
    pair, _ = versions.new("mentorsite build --pair")
    assert pair["site"] == versions.old["site"]
    assert pair["site-private/pairs/lena-marcus"] == new["site-private/pairs/lena-marcus"]
    return versions


# 1. kill -9 at seeded moments

def moments(command: str, seconds: float) -> list[float]:
    """One seeded moment in each of KILLS[command] equal slices of the measured build time."""
    rng = random.Random(f"{SEED}/{command}")
    count = KILLS[command]
    return [round((slot + rng.random()) * SPREAD * seconds / count, 3) for slot in range(count)]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_build_killed_at_any_moment_leaves_old_or_new_outputs_and_the_next_build_finishes(
        versions: Versions, command: str, tmp_path: Path) -> None:
    new, seconds = versions.new(command)
    failures = []
    held = 0
    for moment in moments(command, seconds):
        program = versions.fresh("killed")
        build = Started(COMMANDS[command], program, tmp_path / "logs")
        time.sleep(moment)
        ended_first = not build.running()
        build.kill()
        killed = build.wait(30)
        where = f"seed {SEED}, {command} killed after {moment} s (of {seconds:.2f} s measured)"
        if faults.raw(killed):
            failures.append(f"{where}: traceback before the kill\n{killed.describe()}")
        mixed = mixed_units(outputs(program), versions.old, new)
        if mixed:
            failures.append(f"{where}: outputs neither old nor new: {mixed}")
        lock = faults.lock_of(program / "site-private", build.pid)  # the killed build held it: its pid is in it
        held += lock is not None
        after = run(COMMANDS[command], program)
        if after.returncode != 0 or faults.raw(after):
            failures.append(f"{where}: the next build failed\n{after.describe()}")
        elif lock is not None and lock.name not in after.stderr:
            failures.append(f"{where}: the next build did not say it took over {lock.name}\n{after.describe()}")
        elif (wrong := mixed_units(outputs(program), new, new)):
            failures.append(f"{where}: the next build did not give B's outputs: {wrong}")
        if (left := scratch_left(program / "site-private", program)):
            failures.append(f"{where}: the next build left scratch files: {left[:5]}")
        if ended_first:
            failures.append(f"{where}: (note) the build had ended before the kill")
    assert not [f for f in failures if "(note)" not in f], "\n\n".join(failures)
    assert held > 0, f"seed {SEED}: no kill of {command} came while it held the build's lock"
    ended = [f for f in failures if "(note)" in f]
    assert len(ended) <= len(moments(command, seconds)) // 2, "most kills came too late to test anything:\n" + \
        "\n".join(ended)


def _forked_workers(pid: int) -> list[int]:
    """The processes the build forked to build portfolios: its children running its own command line."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [int(child) for child in children if Path(f"/proc/{child}/cmdline").read_bytes() == command]
    except OSError:
        return []


def test_a_worker_the_system_stops_ends_the_build_with_a_message_and_old_or_new_outputs(tmp_path: Path) -> None:
    """The system may stop a worker process (out of memory, for one): the build ends with a message
    that says so, no traceback, every output absent or complete, and the next build finishes. A
    synthetic program of a dozen pairs keeps both workers busy, so the first one seen is killed
    while it builds a pair."""
    source = tmp_path / "program"
    write_program(source, ProgramSize(pairs=12, sessions=4, guidelines=10))
    whole = faults.copy_program(source, tmp_path / "whole")
    assert run(mentorsite("build", "--jobs", "2"), whole).returncode == 0
    new = outputs(whole)
    program = faults.copy_program(source, tmp_path / "killed")
    build = Started(mentorsite("build", "--jobs", "2"), program, tmp_path / "logs")
    workers: list[int] = []

    def forked() -> bool:
        # A child still running the build's command line a moment later: a worker, not a program the
        # build starts (git, say), whose command line is the build's only until it is started.
        seen = _forked_workers(build.pid)
        time.sleep(0.05)
        workers[:] = [pid for pid in _forked_workers(build.pid) if pid in seen]
        assert build.running(), "the build ended before a worker was seen"
        return bool(workers)
    faults.wait_for(forked, faults.BOUND, "a worker process of the build", step=0.002)
    os.kill(workers[0], signal.SIGKILL)
    stopped = build.wait()
    assert stopped.returncode == 1, stopped.describe()
    assert re.search(r"the worker process building the portfolios of [\w-]+ ended abruptly \(stopped by SIGKILL, "
                     r"as the system does when memory runs out\); every site is as it was or complete",
                     stopped.stderr), stopped.describe()
    assert "internal error" not in stopped.stderr, stopped.describe()
    no_traceback(stopped)
    assert not mixed_units(outputs(program), {}, new)
    after = run(mentorsite("build", "--jobs", "2"), program)
    assert after.returncode == 0, after.describe()
    assert not mixed_units(outputs(program), new, new)
    assert not scratch_left(program / "site-private", program)


# 2. two builds at once

def held_lock(build: Started, private: Path) -> Path:
    found: list[Path] = []

    def holding() -> bool:
        lock = faults.lock_of(private, build.pid)
        if lock is not None:
            found.append(lock)
            return True
        assert build.running(), f"the build ended without a lock file in {private} naming its pid {build.pid}"
        return False
    faults.wait_for(holding, faults.BOUND, "the first build to hold the lock", step=0.002)
    return found[0]


def test_a_second_build_while_one_runs_stops_at_once_naming_the_lock_or_waits_with_wait(
        versions: Versions, tmp_path: Path) -> None:
    new, _ = versions.new("mentorsite build")
    program = versions.fresh("locked")
    first = Started(mentorsite("build"), program, tmp_path / "logs")
    lock = held_lock(first, program / "site-private")
    first.signal(signal.SIGSTOP)  # the first build holds the lock and stays in the middle of its work
    try:
        for second in (run(mentorsite("build"), program, bound=30), run(mkdocs("build"), program, bound=30),
                       run(mentorsite("build", "--pair", "noor-james"), program, bound=30)):
            no_traceback(second)
            assert second.returncode == 1, second.describe()
            assert lock.name in second.stderr, second.describe()
            assert second.seconds < 20, second.describe()
        assert not (mixed := mixed_units(outputs(program), versions.old, new)), mixed
        waiting = Started(mentorsite("build", "--wait"), program, tmp_path / "logs")
        faults.wait_for(lambda: waiting.stderr().strip() != "" or not waiting.running(), 30,
                        "a message from the build that waits")
        time.sleep(1.0)
        assert waiting.running(), waiting.wait(1).describe()
        assert "lock" in waiting.stderr().lower() or "wait" in waiting.stderr().lower(), waiting.stderr()
    except BaseException:
        first.kill()
        raise
    finally:
        first.signal(signal.SIGCONT)
    done = first.wait()
    waited = waiting.wait()
    no_traceback(done, waited)
    assert done.returncode == 0, done.describe()
    assert waited.returncode == 0, waited.describe()
    assert not (wrong := mixed_units(outputs(program), new, new)), wrong


def building_times(builds: list[Started]) -> list[tuple[float, float]]:
    """For each build, when it was first seen cleaning the site and when it was seen done (or ended).

    A build holds the lock from before MkDocs cleans the site until after MkDocs says it is done.
    """
    seen: dict[int, float] = {}
    done: dict[int, float] = {}
    ended: dict[int, float] = {}
    deadline = time.monotonic() + faults.BOUND
    while len(ended) < len(builds):
        assert time.monotonic() < deadline, "builds still running after the bound"
        for number, build in enumerate(builds):
            log = build.stderr()
            if number not in seen and "Cleaning site directory" in log:
                seen[number] = time.monotonic()
            if number not in done and "Documentation built in" in log:
                done[number] = time.monotonic()
            if number not in ended and not build.running():
                ended[number] = time.monotonic()
        time.sleep(0.005)
    return [(seen.get(number, ended[number]), done.get(number, ended[number])) for number in range(len(builds))]


@pytest.mark.parametrize("wait", [False, True], ids=["at-once", "wait"])
def test_builds_started_together_never_crash_never_build_at_once_and_leave_the_new_outputs(
        versions: Versions, tmp_path: Path, wait: bool) -> None:
    new, _ = versions.new("mentorsite build")
    options = ["--wait"] if wait else []
    for attempt in range(2):
        program = versions.fresh("together")
        builds = [Started(mentorsite("build", *options), program, tmp_path / "logs"),
                  Started(mkdocs("build") if attempt == 1 else mentorsite("build", *options), program,
                          tmp_path / "logs")]
        times = building_times(builds)
        results = [build.wait() for build in builds]
        no_traceback(*results)
        for result in results:
            if wait and "--wait" in result.argv:
                assert result.returncode == 0, result.describe()
            else:
                assert result.returncode == 0 or (result.returncode == 1 and "lock" in result.stderr), \
                    result.describe()
        assert any(result.returncode == 0 for result in results)
        if all(result.returncode == 0 for result in results):
            # Both built: one after the other, never both writing at once (50 ms for the polling).
            (one_start, one_end), (other_start, other_end) = times
            assert one_start > other_end - 0.05 or other_start > one_end - 0.05, \
                f"both built at once: {times}\n" + "\n".join(result.describe() for result in results)
        assert not (wrong := mixed_units(outputs(program), new, new)), wrong


# 3. a full disk

def space_message(result: Result, folder: Path, program: Path) -> str:
    """The one line that says which path ran out of space."""
    names = {str(folder), folder.relative_to(program).as_posix()}
    lines = [line for line in result.output.splitlines()
             if any(name in line for name in names) and "space" in line.lower()]
    assert lines, f"no line names {sorted(names)} and the lack of space\n{result.describe()}"
    return lines[0]


@pytest.mark.parametrize(("output", "leave", "inodes"), [
    ("private_dir", 48 << 10, None), ("private_dir", 400 << 10, None), ("private_dir", 0, 12),
    ("site_dir", 48 << 10, None),
], ids=["private-48k", "private-400k", "private-inodes", "site-48k"])
def test_a_full_disk_is_a_message_naming_the_path_and_keeps_the_previous_outputs(
        versions: Versions, tmp_path: Path, output: str, leave: int, inodes: int | None) -> None:
    new, _ = versions.new("mentorsite build")
    program = faults.copy_program(versions.a, tmp_path / "program")
    disk = program / "disk"
    config = program / "mkdocs.yml"
    if output == "private_dir":
        add_plugin_options(program, "      private_dir: disk/site-private\n")
    else:
        config.write_text(config.read_text(encoding="utf-8").replace("site_dir: site\n", "site_dir: disk/site\n"),
                          encoding="utf-8")
    site = disk / "site" if output == "site_dir" else program / "site"
    private = disk / "site-private" if output == "private_dir" else program / "site-private"
    with faults.tmpfs(disk, size="64m", inodes=4000 if inodes else None):
        shutil.rmtree(program / ("site-private" if output == "private_dir" else "site"))
        built = run(mentorsite("build"), program)
        assert built.returncode == 0, built.describe()
        assert snapshot(site, private) == versions.old, "A built on the tmpfs is A"
        faults.version_b(program)
        filler = faults.fill_inodes(disk, inodes) if inodes else faults.fill(disk, leave)
        for argv in (mentorsite("build"), mkdocs("build")):
            full = run(argv, program)
            no_traceback(full)
            assert full.returncode == 1, full.describe()
            space_message(full, disk, program)
            assert not (mixed := mixed_units(snapshot(site, private), versions.old, new)), mixed
        shutil.rmtree(filler) if filler.is_dir() else filler.unlink()
        again = run(mentorsite("build"), program)
        no_traceback(again)
        assert again.returncode == 0, again.describe()
        assert not (wrong := mixed_units(snapshot(site, private), new, new)), wrong


# 4. a read-only tree

WRITTEN = ("site", "site-private", ".cache", "content", "mkdocs.yml")  # what the program's commands write


def names_a_path(line: str, program: Path) -> bool:
    """Whether ``line`` names a path a command writes in the program (relative to it, or absolute)."""
    return any(token.startswith(f"{program}/") or token.split("/")[0] in WRITTEN
               for token in re.findall(r"[\w.@+/-]*[\w@+-]", line))


@pytest.fixture
def read_only_programs(versions: Versions, tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A built copy of the program and one never built, on a read-only mount."""
    with faults.tmpfs(tmp_path / "mount", size="128m") as mount:
        built = faults.copy_program(versions.a, mount / "built")
        fresh = faults.example(mount / "fresh")
        faults.read_only(mount)
        yield {"built": built, "never-built": fresh}


@pytest.mark.parametrize("state", ["built", "never-built"])
def test_a_read_only_tree_checks_and_every_writer_says_which_path_it_cannot_write(
        read_only_programs: dict[str, Path], state: str) -> None:
    program = read_only_programs[state]
    before = outputs(program)
    checked = run(mentorsite("check"), program)
    no_traceback(checked)
    assert checked.returncode == 0, checked.describe()
    assert checked.stderr.endswith("0 errors and 0 warnings.\n"), checked.describe()
    writers = {
        "build": mentorsite("build"),
        "build --pair": mentorsite("build", "--pair", "noor-james"),
        "mkdocs build": mkdocs("build"),
        "new session": mentorsite("new", "session", "lena-marcus", "--date", "2026-12-01"),
        "new goal": mentorsite("new", "goal", "lena-marcus", "A goal added on a read-only tree"),
        "export": mentorsite("export", "lena-marcus"),
    }
    problems = []
    for argv in writers.values():
        result = run(argv, program)
        lines = [line for line in result.output.splitlines() if "read-only" in line.lower()]
        if faults.raw(result) or result.returncode == 0 or not lines \
                or not any(names_a_path(line, program) for line in lines):
            problems.append(result.describe())
    session = "content/pairs/lena-marcus/sessions/2026-12-01.md"
    new_session = run(writers["new session"], program)
    if session not in new_session.output and str(program / session) not in new_session.output:
        problems.append(f"new session does not name {session}\n{new_session.describe()}")
    assert not problems, "\n\n".join(problems)
    assert outputs(program) == before


@pytest.mark.parametrize("folder", ["site-private", "site", ".cache/mentorsite"])
def test_a_read_only_output_folder_is_a_message_naming_it_and_the_other_outputs_stay_old_or_new(
        versions: Versions, tmp_path: Path, folder: str) -> None:
    new, _ = versions.new("mentorsite build")
    program = faults.copy_program(versions.a, tmp_path / "program")
    faults.version_b(program)
    with faults.read_only_bind(program / folder):
        checked = run(mentorsite("check"), program)
        no_traceback(checked)
        assert checked.returncode == 0, checked.describe()
        for argv in (mentorsite("build"), mkdocs("build")):
            result = run(argv, program)
            no_traceback(result)
            assert not (mixed := mixed_units(outputs(program), versions.old, new)), mixed
            if folder.startswith(".cache") and result.returncode == 0:
                continue  # the record cache may be left unwritten: it only saves time
            # A read-only folder, or (for a site swapped in whole from beside it) a mount point that cannot move.
            lines = [line for line in result.output.splitlines()
                     if folder in line and ("read-only" in line.lower() or "cannot" in line.lower())]
            assert result.returncode == 1 and lines, result.describe()
    again = run(mentorsite("build"), program)
    assert again.returncode == 0, again.describe()
    assert not (wrong := mixed_units(outputs(program), new, new)), wrong


# 5. names at the file system's limits

PROBE_LENGTHS = range(180, 256)


def _pair(pair_id: str) -> dict[str, str]:
    return {f"content/pairs/{pair_id}/{name.split('/', 3)[3]}": text for name, text in BASE_PROGRAM.items()
            if name.startswith("content/pairs/ana-ben/")}


def _session_name(length: int) -> str:
    """A session file name of ``length`` bytes: date, topic, ``.md``."""
    return f"2026-02-03-{'t' * (length - len('2026-02-03-.md'))}.md"


def _goal_name(length: int) -> str:
    return f"{'g' * (length - len('.md'))}.md"


SESSION_TEXT = "---\ndate: 2026-02-03\n---\n\nA second meeting that day.\n"
GOAL_TEXT = "---\ntitle: A goal with a long id\nstatus: planned\n---\n"


def _longest_accepted(diagnostics: list[dict[str, object]], candidates: dict[int, str]) -> tuple[int, list[str]]:
    """The longest candidate with no error at its path, checking that every longer one has one."""
    refused = {length for length, path in candidates.items()
               if any(d["severity"] == "error" and str(d["path"]).startswith(path) for d in diagnostics)}
    accepted = sorted(set(candidates) - refused)
    assert accepted, f"check refused every length in {min(candidates)}..{max(candidates)}"
    longest = accepted[-1]
    assert all(length in refused for length in candidates if length > longest), \
        f"refused lengths are not exactly those above {longest}: {sorted(refused)}"
    errors = [f"{d['path']}:{d['line']}:{d['column']}: {d['code']} {d['message']}" for d in diagnostics
              if d["severity"] == "error" and str(d["path"]).startswith(candidates.get(longest + 1, "\0"))]
    return longest, errors


@pytest.fixture(scope="module")
def name_limits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    return probe_limits(tmp_path_factory.mktemp("names") / "program")


def probe_limits(program: Path) -> dict[str, int]:
    """The longest pair id, session file name and goal file name `check` accepts, by one check of candidates."""
    files: dict[str, str | bytes] = dict(BASE_PROGRAM)
    pairs, sessions, goals = {}, {}, {}
    for length in PROBE_LENGTHS:
        pair_id = "p" * length
        files.update(_pair(pair_id))
        pairs[length] = f"content/pairs/{pair_id}/"
        sessions[length] = f"content/pairs/ana-ben/sessions/{_session_name(length)}"
        files[sessions[length]] = SESSION_TEXT
        if length <= 255:
            goals[length] = f"content/pairs/ana-ben/goals/{_goal_name(length)}"
            files[goals[length]] = GOAL_TEXT
    write_files(program, files)
    checked = run(mentorsite("check", "--format", "json"), program)
    no_traceback(checked)
    diagnostics = json.loads(checked.stdout)
    limits = {}
    for kind, candidates in (("pair", pairs), ("session", sessions), ("goal", goals)):
        longest, errors = _longest_accepted(diagnostics, candidates)
        assert longest < 255, f"check accepts a {kind} name of {longest} bytes, which the build cannot write under"
        assert errors and all(re.match(r".+:[1-9]\d*:[1-9]\d*: ", error) for error in errors), errors
        limits[kind] = longest
    return limits


def _long_names(limits: dict[str, int], extra: int) -> tuple[dict[str, str], dict[str, str]]:
    pair_id = "p" * (limits["pair"] + extra)
    files = {
        **_pair(pair_id),
        f"content/pairs/noor-james/sessions/{_session_name(limits['session'] + extra)}": SESSION_TEXT,
        f"content/pairs/priya-tomas/goals/{_goal_name(limits['goal'] + extra)}": GOAL_TEXT,
    }
    return files, {"pair": pair_id, "session": "noor-james", "goal": "priya-tomas"}


@pytest.mark.parametrize("extra", [0, 1], ids=["longest", "one-byte-longer"])
def test_names_at_the_limit_build_and_one_byte_longer_are_refused_by_check_alone(
        name_limits: dict[str, int], tmp_path: Path, extra: int) -> None:
    program = faults.example(tmp_path / "program")
    files, owners = _long_names(name_limits, extra)
    write_files(program, dict[str, str | bytes](files))
    checked = run(mentorsite("check"), program)
    built = run(mentorsite("build"), program)
    no_traceback(checked, built)
    for result in (checked, built):
        assert "[Errno" not in result.output and "File name too long" not in result.output, result.describe()
    private = program / "site-private" / "pairs"
    if extra == 0:
        assert checked.returncode == 0, checked.describe()
        assert built.returncode == 0, built.describe()
        assert sorted(path.name for path in private.iterdir() if (path / "index.html").is_file()) \
            == sorted([*PAIRS, owners["pair"]])
        for edition in ("pair", "review"):  # the zip's name is made from the pair id too
            exported = run(mentorsite("export", owners["pair"], "--edition", edition), program)
            no_traceback(exported)
            assert exported.returncode == 0, exported.describe()
    else:
        assert checked.returncode == 1 and built.returncode == 1, checked.describe() + built.describe()
        located = [line for line in checked.stdout.splitlines() if ": error[" in line]
        for name in {f"content/pairs/{owners['pair']}/", *(name for name in files if owners["pair"] not in name)}:
            assert any(line.startswith(name) for line in located), f"no located error for {name}\n{checked.describe()}"
        assert all(re.match(r"[^:]+:[1-9]\d*:[1-9]\d*: error\[[a-z-]+\] ", line) for line in located), located
        # The pairs whose names fit are still built; those with a name too long are left out, unharmed.
        built_pairs = sorted(path.name for path in private.iterdir() if (path / "index.html").is_file())
        assert "lena-marcus" in built_pairs and "sofia-david" in built_pairs, built.describe()
        assert owners["pair"] not in built_pairs


# 6. hostile YAML through check

OTHER = {
    "content/pairs/cy-dee/pair.yml": "mentor: {name: Cy Moss}\nmentee: {name: Dee Ray}\nstart: 2026-01-05\n"
                                     "status: proposed\nsumary: a typo the check still finds\n",
    "content/pairs/cy-dee/agreement.md": "---\ncadence: {every: 2, unit: fortnights}\nchannels: [video]\n"
                                         "confidentiality: Between us.\n---\n",
    "content/pairs/cy-dee/sessions/2026-02-03.md": "---\ndate: 2026-02-30\n---\n\nA date that does not exist.\n",
}
TARGETS = {
    "pair": "content/pairs/ana-ben/pair.yml",
    "session": "content/pairs/ana-ben/sessions/2026-02-03.md",
    "goal": "content/pairs/ana-ben/goals/speaking.md",
    "agreement": "content/pairs/ana-ben/agreement.md",
    "checkin": "content/pairs/ana-ben/checkins/2026-03-01.md",
    "closing": "content/pairs/ana-ben/closing.md",
}
KEYS = {
    "pair": ["mentor", "mentee", "start", "status", "summary", "reviewers", "cohort", "id", "end"],
    "session": ["date", "agenda", "goals", "actions", "feedback", "links", "minutes", "visibility", "id"],
    "goal": ["title", "status", "milestones", "progress", "due", "id", "specific", "visibility"],
    "agreement": ["cadence", "channels", "confidentiality", "goals", "expectations", "signed", "exit"],
    "checkin": ["date", "scores", "fit", "visibility"],
    "closing": ["date", "outcomes", "next_steps", "future_contact", "visibility"],
}
ODD_TAGS = ["!!python/object/apply:os.system", "!!python/name:os.getcwd", "!!python/object:os.stat_result",
            "!!binary", "!!set", "!!omap", "!!pairs", "!!timestamp", "!!int", "!!float", "!!bool", "!!str",
            "!!null", "!!map", "!!seq", "!!merge", "!custom", "!<tag:example.org,2026:x>", "!e!undefined",
            "!ENV", "!!value"]
SCALARS = ["2026-01-05", "2026-02-30", "2026-13-01", "9999-99-99", "2026-01-05T25:61:00", "yes", "No", "~",
           "null", "1e400", "-.inf", ".nan", "0x1F", "0o17", "1_000", "'it''s'", '"\\u0000\\ud800"',
           '"\\x00"', "active", "mentee", "both", "{name: Ana}", "é", "\U0001f600", "\u202e", "index",
           "../escape", "/etc/passwd", "-1", "0", "99999999999999999999999"]
BREAKING = ["@reserved", "`tick`", "%percent", "&", "*", "<<", "? complex", "- item", "|", ">", "'unclosed",
            '"unclosed', "[unclosed", "{unclosed", "\t", "\ufeff", "a: b: c", "*undefined"]  # YAML errors
NAMES = st.sampled_from(["a", "b", "c", "m", "x1", "anchor-with-long-name" * 3])


@st.composite
def flow(draw: st.DrawFn, depth: int, anchors: list[str]) -> str:
    """A YAML value in flow style: scalars, aliases, anchors, tags, sequences, mappings, merge keys."""
    kinds = ["scalar", "scalar", "long"] + (["alias"] * 2 if anchors else [])
    if depth > 0:
        kinds += ["seq", "seq", "map", "map", "merge", "anchor", "tag"]
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        pick = draw(st.integers(0, 9))
        if pick == 0:
            return draw(st.sampled_from(BREAKING))
        if pick == 1:
            return json.dumps(draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)))
        return draw(st.sampled_from(SCALARS))
    if kind == "long":
        return draw(st.sampled_from(["x", "é", "ab "])) * draw(st.integers(1000, 20000))
    if kind == "alias":
        return "*" + draw(st.sampled_from(anchors))
    if kind == "anchor":
        name = draw(NAMES)
        value = draw(flow(depth - 1, anchors))
        anchors.append(name)
        return f"&{name} {value}"
    if kind == "tag":
        return f"{draw(st.sampled_from(ODD_TAGS))} {draw(flow(depth - 1, anchors))}"
    items = [draw(flow(depth - 1, anchors)) for _ in range(draw(st.integers(0, 4)))]
    if kind == "seq":
        return "[" + ", ".join(items) + "]"
    keys = [draw(st.sampled_from(["name", "role", "task", "owner", "due", "title", "done", "percent", "id"]))
            for _ in items]
    if kind == "merge" and anchors:
        merged = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3))
        keys, items = [*keys, "<<"], [*items, ("*" + merged[0]) if len(merged) == 1 else
                                      "[" + ", ".join("*" + name for name in merged) + "]"]
    return "{" + ", ".join(f"{key}: {item}" for key, item in zip(keys, items, strict=True)) + "}"


@st.composite
def block(draw: st.DrawFn, keys: list[str], depth: int, indent: str, anchors: list[str]) -> str:
    """A block mapping whose values are flow values, nested block mappings or block sequences."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(st.sampled_from([*keys, "<<", "unknown", "mentor", "date"]))
        shape = draw(st.sampled_from(["flow", "flow", "nested", "list", "anchored"] if depth else ["flow"]))
        if key == "<<" and anchors:
            lines.append(f"{indent}<<: *{draw(st.sampled_from(anchors))}")
        elif shape == "nested":
            lines.append(f"{indent}{key}:\n" + draw(block(keys, depth - 1, indent + "  ", anchors)))
        elif shape == "list":
            items = [draw(flow(depth - 1, anchors)) for _ in range(draw(st.integers(1, 3)))]
            lines.append(f"{indent}{key}:\n" + "\n".join(f"{indent}  - {item}" for item in items))
        elif shape == "anchored":
            name = draw(NAMES)
            nested = draw(block(keys, depth - 1, indent + "  ", anchors))
            anchors.append(name)
            lines.append(f"{indent}{key}: &{name}\n{nested}")
        else:
            lines.append(f"{indent}{key}: {draw(flow(draw(st.integers(0, 4)), anchors))}")
    return "\n".join(lines)


@st.composite
def deep(draw: st.DrawFn) -> str:
    """Nesting far past any sane record: flow brackets, braces, block mappings or block sequences."""
    depth = draw(st.sampled_from([49, 50, 51, 99, 100, 101, 1000, 5000]))
    style = draw(st.sampled_from(["brackets", "braces", "block", "dashes", "mixed"]))
    if style == "brackets":
        return "agenda: " + "[" * depth + "]" * depth
    if style == "braces":
        return "mentor: " + "{a: " * depth + "1" + "}" * depth
    if style == "block":
        return "\n".join(" " * level + "k:" for level in range(min(depth, 1000))) + " v"
    if style == "dashes":
        return "agenda:\n  " + "- " * depth + "x"
    return "goals: " + "[{a: " * depth + "1" + "}]" * depth


@st.composite
def laughs(draw: st.DrawFn) -> str:
    """Aliases that multiply: each anchor names the one before it several times."""
    levels, fan = draw(st.integers(2, 9)), draw(st.integers(2, 9))
    lines = ["a0: &a0 [lol]"] + [f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * fan)}]"
                                 for level in range(1, levels)]
    merge = draw(st.booleans())
    return "\n".join(lines) + (f"\nmentor: {{<<: *a{levels - 1}}}" if merge else f"\nagenda: *a{levels - 1}")


@st.composite
def document(draw: st.DrawFn, kind: str) -> str:
    """The YAML of a record: structured, deep, multiplying, self-referring, or several documents."""
    anchors: list[str] = []
    shape = draw(st.sampled_from(["block", "block", "block", "deep", "laughs", "self", "directives"]))
    if shape == "deep":
        body = draw(deep())
    elif shape == "laughs":
        body = draw(laughs())
    elif shape == "self":
        body = f"{draw(st.sampled_from(KEYS[kind]))}: &s {{name: x, self: *s, <<: *s}}"
    elif shape == "directives":
        body = "%YAML 1.1\n%TAG !e! tag:example.org,2026:\n--- " + draw(st.sampled_from(["!e!x", "!!map", ""])) + \
               "\n" + draw(block(KEYS[kind], 2, "", anchors))
    else:
        body = draw(block(KEYS[kind], 3, "", anchors))
    return body


@st.composite
def record(draw: st.DrawFn) -> tuple[str, str]:
    """A target file and its hostile text; Markdown records get mixed front matter around the YAML."""
    kind = draw(st.sampled_from(list(TARGETS)))
    body = draw(document(kind))
    if kind == "pair":
        wrap = draw(st.sampled_from(["{y}\n", "---\n{y}\n", "---\n{y}\n---\nsecond: document\n", "{y}\n...\n",
                                     "\ufeff{y}\n", "{y}"]))
    else:
        wrap = draw(st.sampled_from(["---\n{y}\n---\n\nNotes.\n", "---\n{y}\n", "\ufeff---\n{y}\n---\n",
                                     "---\n{y}\n...\n\nBody.\n", "---\n{y}\n---\n---\nmore: yaml\n---\n",
                                     "--- !!map\n{y}\n---\n", "---\n---\n{y}\n", "{y}\n---\n", "+++\n{y}\n+++\n",
                                     "---\n- a\n- list\n---\n", "---\n{y}\n---\n```yaml\n---\n```\n"]))
    text = wrap.replace("{y}", body)
    if draw(st.booleans()) and len(text) < 20000:
        text = draw(st.sampled_from([text, text.replace("\n", "\r\n"), text.replace("  ", "\t")]))
    return TARGETS[kind], text


HOSTILE_PROGRAM: dict[str, str | bytes] = {**BASE_PROGRAM, **OTHER}


T = TypeVar("T")


class AlarmError(Exception):
    pass


def bounded(seconds: int, action: Callable[[], T]) -> T:
    """Run ``action`` in this process, failing it after ``seconds`` (a hang would stop the suite)."""
    def ring(signum: int, frame: object) -> None:
        raise AlarmError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        return action()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _others(diagnostics: list[str]) -> list[str]:
    return sorted(d for d in diagnostics if not d.startswith("content/pairs/ana-ben/"))


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = write_files(tmp_path_factory.mktemp("hostile"), dict(HOSTILE_PROGRAM))
    baseline = _others([str(d) for d in read_program(folder / "content", folder).diagnostics])
    assert any("cy-dee/pair.yml" in d and "unknown-key" in d for d in baseline), baseline
    assert any("cy-dee/sessions/2026-02-03.md" in d for d in baseline), baseline
    return folder, baseline


LAUGH_TEXT = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


@settings(max_examples=200, deadline=5000, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture,
                                 HealthCheck.large_base_example])
@given(record())
@example((TARGETS["pair"], "mentor: &m {name: Ben, self: *m}\nmentee: {name: Ana}\nstart: 2026-01-05\nstatus: active\n"))
@example((TARGETS["session"], "---\ndate: 2026-02-03\n" + LAUGH_TEXT + "---\n"))
@example((TARGETS["goal"], "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\nstatus: planned\n---\n"))
def test_hostile_yaml_in_a_record_is_a_diagnostic_of_that_file_and_the_other_pairs_are_checked_as_before(
        hostile_folder: tuple[Path, list[str]], target: tuple[str, str]) -> None:
    folder, baseline = hostile_folder
    path, text = target
    original = HOSTILE_PROGRAM[path]
    (folder / path).write_text(text, encoding="utf-8", newline="")
    try:
        checked = bounded(20, lambda: read_program(folder / "content", folder))
    finally:
        (folder / path).write_text(str(original), encoding="utf-8")
    diagnostics = checked.diagnostics
    shown = [str(d) for d in diagnostics]
    assert _others(shown) == baseline
    assert checked.handbook_problems() == []
    lines = text.count("\n") + text.count("\r") + 2
    for diagnostic in diagnostics:
        if diagnostic.path == path:
            assert 1 <= diagnostic.line <= lines and diagnostic.column >= 1, str(diagnostic)
            assert len(str(diagnostic)) < 2000, "a diagnostic quotes at most a little of the record"


@settings(max_examples=4, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture,
                                 HealthCheck.large_base_example])
@given(record())
@example((TARGETS["pair"], "mentor: &m {name: Ben, self: *m}\nmentee: {name: Ana}\nstart: 2026-01-05\nstatus: active\n"))
def test_hostile_yaml_through_the_check_command_is_a_located_error_and_no_traceback(
        hostile_folder: tuple[Path, list[str]], target: tuple[str, str]) -> None:
    folder, baseline = hostile_folder
    path, text = target
    original = HOSTILE_PROGRAM[path]
    (folder / path).write_text(text, encoding="utf-8", newline="")
    try:
        checked = run(mentorsite("check", "--format", "json"), folder, bound=60)
    finally:
        (folder / path).write_text(str(original), encoding="utf-8")
    no_traceback(checked)
    assert checked.returncode == 1, checked.describe()
    shown = [str(Diagnostic(**{**d, "severity": Severity(d["severity"])})) for d in json.loads(checked.stdout)]
    assert _others(shown) == baseline
    assert any(line.startswith(f"{path}:") for line in shown), checked.describe()
