"""One build at a time, and the handbook swapped in whole.

A second build while one runs stops at once with a clear message (or waits, with
`--wait`); a lock left by a killed build is taken over; a build killed at any moment leaves
`site/` exactly the previous handbook or the new one; a failed strict build leaves the
previous one; a swap stopped between its two renames is put right by the next build.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mentorsite.files import output
from mentorsite.files.locking import (
    LOCK_FILE,
    LockError,
    LockHeldError,
    describe,
    read_holder,
    take_lock,
)
from mentorsite.files.output import recover_directory, remove_scratch, replace_directory
from tests.programs import BASE_PROGRAM, copy_example, write_files

ROOT = Path(__file__).parent.parent
EPOCH = "1795262400"
GUIDELINE = "content/handbook/guidelines/action-items.md"
BOUND = 120  # seconds: no command here runs longer
HOLD = """\
import sys, time
from pathlib import Path
from mentorsite.files.locking import take_lock
folder = Path(sys.argv[1]); folder.mkdir(parents=True, exist_ok=True)
lock = take_lock(folder)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH, "TZ": "UTC",
            "PYTHONPATH": str(ROOT), **extra}


def command(tool: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", tool, *arguments]


def run(program: Path, tool: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(tool, *arguments), cwd=program, capture_output=True, text=True,
                          env=environment(), timeout=BOUND, check=False)


def start(program: Path, argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, cwd=program, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), start_new_session=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait (bounded) for a started process; its exit code and standard error."""
    try:
        _, err = process.communicate(timeout=BOUND)
    finally:
        stop_group(process)
    return process.returncode, err


def stop_group(process: subprocess.Popen[str]) -> None:
    """Whatever is left of a started process and its workers, killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ValueError, subprocess.TimeoutExpired):
        process.communicate(timeout=10)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def lock_text(program: Path) -> str:
    try:
        return (program / "site-private" / LOCK_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


def held_by(program: Path, pid: int) -> Callable[[], bool]:
    return lambda: f"pid {pid}\n" in lock_text(program)


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``."""
    return {path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def leftovers(program: Path) -> list[str]:
    return sorted(entry.name for entry in program.iterdir() if entry.name.startswith(output.SCRATCH_MARK))


def shown_since(program: Path) -> str:
    """How the messages show the holder named in the program's lock file (the tests run in UTC)."""
    holder = read_holder(lock_text(program))
    assert holder is not None and holder.since is not None
    return f"pid {holder.pid}, since {holder.since.astimezone(UTC).strftime('%H:%M:%S')}"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_files(tmp_path / "program", dict(BASE_PROGRAM))


@pytest.fixture
def holder(small: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the small program's build lock."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(small / "site-private"), "60"], cwd=small,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(),
                               start_new_session=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "held\n", process.stderr.read() if process.stderr else ""
        yield process
    finally:
        stop_group(process)


# The lock itself ------------------------------------------------------------------------


def test_the_holder_is_shown_by_its_pid_and_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        holder = read_holder("pid 1234\nsince 2026-12-01T12:01:02+00:00\n")
        assert describe(holder, now=datetime(2026, 12, 1, 18, 0, tzinfo=UTC)) == " (pid 1234, since 12:01:02)"
        assert describe(holder, now=datetime(2026, 12, 2, 1, 0, tzinfo=UTC)) == \
            " (pid 1234, since 2026-12-01 12:01:02)"
    finally:
        monkeypatch.undo()
        time.tzset()
    assert describe(read_holder("pid 77\n")) == " (pid 77)"
    for hostile in ["", "pid -3\n", "pid 99999999999\n", "\x00" * 300, "since yesterday\npid x\n"]:
        assert describe(read_holder(hostile)) == ""


def test_a_lock_held_elsewhere_is_refused_with_who_holds_it(small: Path,
                                                            holder: subprocess.Popen[str]) -> None:
    with pytest.raises(LockHeldError) as refused:
        take_lock(small / "site-private", shown="site-private/build.lock")
    assert str(refused.value) == (f"another build of this program is running ({shown_since(small)}), "
                                  "holding site-private/build.lock")


def test_a_lock_is_taken_again_by_its_own_process_and_let_go_by_the_outermost(tmp_path: Path) -> None:
    outer = take_lock(tmp_path)
    inner = take_lock(tmp_path)
    inner.release()
    other = subprocess.run([sys.executable, "-c", HOLD, str(tmp_path), "0"], capture_output=True, text=True,
                           env=environment(), timeout=BOUND, check=False)
    assert other.returncode != 0 and "LockHeldError" in other.stderr
    outer.release()
    assert (tmp_path / LOCK_FILE).read_text() == ""  # let go in good order: nothing to take over
    again = take_lock(tmp_path)
    assert not again.taken_over
    again.release()


def test_a_forked_worker_does_not_keep_the_lock(tmp_path: Path) -> None:
    lock = take_lock(tmp_path)
    child = os.fork()
    if child == 0:  # a worker that outlives the build
        time.sleep(5)
        os._exit(0)
    try:
        lock.release()
        other = subprocess.run([sys.executable, "-c", HOLD, str(tmp_path), "0"], capture_output=True,
                               text=True, env=environment(), timeout=BOUND, check=False)
        assert other.returncode == 0, other.stderr
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_a_lock_left_by_a_killed_holder_is_taken_over(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "60"], stdout=subprocess.PIPE,
                               text=True, env=environment(), start_new_session=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        process.kill()
        process.wait(timeout=10)
    finally:
        stop_group(process)
    lock = take_lock(tmp_path, shown="build.lock")
    try:
        assert lock.taken_over
        assert lock.stopped is not None and lock.stopped.pid == process.pid
        assert lock.takeover_message("build.lock").startswith(
            f"took over the lock of a stopped build (pid {process.pid}, since ")
        now_named = read_holder((tmp_path / LOCK_FILE).read_text())
        assert now_named is not None and now_named.pid == os.getpid()
    finally:
        lock.release()


def test_a_lock_file_with_anything_in_it_is_taken_over_without_showing_it(tmp_path: Path) -> None:
    (tmp_path / LOCK_FILE).write_bytes(b"ana-ben: private words\n" * 1000)
    lock = take_lock(tmp_path)
    assert lock.taken_over and lock.stopped is None
    assert lock.takeover_message("x") == "took over the lock of a stopped build in x"
    lock.release()


@pytest.mark.parametrize("kind", ["link", "folder", "fifo", "hard link"])
def test_a_lock_file_that_is_not_a_file_is_a_message(tmp_path: Path, kind: str) -> None:
    place = tmp_path / LOCK_FILE
    if kind == "link":
        (tmp_path / "elsewhere").write_text("")
        place.symlink_to(tmp_path / "elsewhere")
    elif kind == "folder":
        place.mkdir()
    elif kind == "fifo":
        os.mkfifo(place)
    else:
        (tmp_path / "elsewhere").write_text("")
        os.link(tmp_path / "elsewhere", place)
    remove = "remove it (no build is using it), and the next build makes a new one"
    why = {"link": f"it is a link; {remove}", "fifo": f"expected a file of its own, got something else; {remove}",
           "folder": f"it is a folder, expected a file; {remove}",
           "hard link": f"expected a file of its own, got a file with other names (a hard link); {remove}"}
    with pytest.raises(LockError) as refused:
        take_lock(tmp_path, shown="site-private/build.lock")
    assert str(refused.value) == f"cannot open the lock file site-private/build.lock: {why[kind]}"
    if "link" in kind:
        assert (tmp_path / "elsewhere").read_text() == ""  # nothing written through the link


# The swap -------------------------------------------------------------------------------


def two_sites(tmp_path: Path) -> tuple[Path, Path]:
    target = write_files(tmp_path / "site", {"index.html": "old", "old-only.html": "old"})
    built = write_files(tmp_path / "built", {"index.html": "new", "a/b.html": "new"})
    return built, target


def test_a_folder_is_swapped_in_one_step_without_a_rename(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system exchanges two folders at once, no moment is left without the target."""
    built, target = two_sites(tmp_path)

    def refused(*arguments: object, **options: object) -> None:
        raise AssertionError("renamed in two steps")

    monkeypatch.setattr(os, "rename", refused)
    monkeypatch.setattr(os, "replace", refused)
    replace_directory(built, target)
    monkeypatch.undo()
    assert tree(target) == {"a": None, "a/b.html": b"new", "index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_fallback_swaps_by_two_renames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "_renameat2", None)
    built, target = two_sites(tmp_path)
    replace_directory(built, target)
    assert tree(target) == {"a": None, "a/b.html": b"new", "index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


KILL_AT_RENAME = """\
import os, signal, sys
from pathlib import Path
from mentorsite.files import output
output._renameat2 = None  # the fallback, as where the system cannot exchange folders
target = os.path.realpath(sys.argv[1])
real = {name: getattr(os, name) for name in ("rename", "replace")}
def stopping(name):
    def rename(source, destination, *arguments, **options):
        if os.path.realpath(destination) == target and not os.path.exists(target):
            os.kill(os.getpid(), signal.SIGKILL)  # between the two renames
        return real[name](source, destination, *arguments, **options)
    return rename
for name in real:
    setattr(os, name, stopping(name))
"""


def test_a_kill_between_the_two_renames_is_put_right_by_the_next_build(tmp_path: Path) -> None:
    built, target = two_sites(tmp_path)
    script = KILL_AT_RENAME + "output.replace_directory(Path(sys.argv[2]), Path(sys.argv[1]))\n"
    killed = subprocess.run([sys.executable, "-c", script, str(target), str(built)], env=environment(),
                            timeout=BOUND, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists()
    remove_scratch([tmp_path])  # what a portfolio build does first
    assert tree(target) == {"index.html": b"old", "old-only.html": b"old"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(output.SCRATCH_MARK)]


def test_recovery_leaves_a_present_folder_and_other_names_alone(tmp_path: Path) -> None:
    target = write_files(tmp_path / "site", {"index.html": "current"})
    aside = write_files(tmp_path / f"{output.OLD_MARK}site.123", {"index.html": "older"})
    other = write_files(tmp_path / f"{output.OLD_MARK}site.x.123", {"index.html": "another"})
    assert not recover_directory(target)
    assert (target / "index.html").read_text() == "current"
    assert aside.is_dir() and other.is_dir()
    shutil.rmtree(target)
    assert recover_directory(target)
    assert (target / "index.html").read_text() == "older"
    assert other.is_dir()


# Builds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes | None],
                                                                  dict[str, bytes | None]]:
    """The example program built to completion twice: its previous site and its new one."""
    program = copy_example(tmp_path_factory.mktemp("swap") / "program")
    first = run(program, "mentorsite", "build", "--jobs", "1")
    assert first.returncode == 0, first.stderr
    previous = tree(program / "site")
    shutil.copytree(program / "site", program.parent / "previous-site")
    change_guideline(program)
    second = run(program, "mentorsite", "build", "--jobs", "1")
    assert second.returncode == 0, second.stderr
    new = tree(program / "site")
    assert previous != new
    shutil.copytree(program / "site", program.parent / "new-site")
    return program, previous, new


def change_guideline(program: Path) -> None:
    page = program / GUIDELINE
    page.write_text(page.read_text(encoding="utf-8").replace("title: End each meeting", "title: Close each meeting"),
                    encoding="utf-8")


def fresh_copy(snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path,
               site: str = "previous-site") -> Path:
    """The changed program with the previous site in place (and its other outputs as they were)."""
    built = snapshots[0]
    program = tmp_path / "program"
    shutil.copytree(built, program, symlinks=True, ignore=shutil.ignore_patterns("site"))
    shutil.copytree(built.parent / site, program / "site")
    return program


def first_build(program: Path, *arguments: str) -> subprocess.Popen[str]:
    """A build that takes a while (nothing is taken from the cache), once it holds the lock."""
    process = start(program, command("mentorsite", "build", "--no-cache", *arguments))
    if not wait_for(lambda: held_by(program, process.pid)() or process.poll() is not None, BOUND):
        stop_group(process)
        pytest.fail("the build never took the lock")
    return process


@pytest.mark.slow
@pytest.mark.parametrize("second", [["mentorsite", "build"], ["mentorsite", "build", "--pair", "lena-marcus"],
                                    ["mkdocs", "build"]])
def test_a_second_build_while_one_runs_stops_at_once_and_the_first_completes(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path,
        second: list[str]) -> None:
    program = fresh_copy(snapshots, tmp_path)
    first = first_build(program, "--jobs", "1")
    try:
        assert first.poll() is None, "the first build ended before the second began"
        since = shown_since(program)
        refused = run(program, second[0], *second[1:])
    finally:
        code, err = finish(first)
    message = (f"cannot build: another build of this program is running ({since}), holding "
               "site-private/build.lock; wait for it, or run `mentorsite build --wait`")
    assert refused.returncode == 1
    if second[0] == "mentorsite":
        assert refused.stderr.splitlines()[-1] == f"Error: {message}"
    else:
        assert f"ERROR   -  mentorsite: {message}\n" in refused.stderr
    assert "Traceback" not in refused.stderr and "Traceback" not in err
    assert code == 0, err
    assert tree(program / "site") == snapshots[2]
    assert lock_text(program) == ""
    assert not leftovers(program)


@pytest.mark.slow
def test_wait_waits_for_the_running_build_then_builds(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path) -> None:
    program = fresh_copy(snapshots, tmp_path)
    first = first_build(program, "--jobs", "1")
    try:
        since = shown_since(program)
        waiting = start(program, command("mentorsite", "build", "--wait", "--jobs", "1"))
        code, err = finish(first)
        second_code, second_err = finish(waiting)
    finally:
        stop_group(first)
    assert code == 0, err
    assert second_code == 0, second_err
    said = [line for line in second_err.splitlines() if "waiting" in line]
    assert said == [f"another build of this program is running ({since}), holding site-private/build.lock; "
                    "waiting for it to end (Ctrl-C stops waiting)"]
    assert "INFO    -  Documentation built in" in second_err
    assert tree(program / "site") == snapshots[2]


@pytest.mark.slow
def test_ctrl_c_stops_waiting_without_a_traceback(small: Path, holder: subprocess.Popen[str]) -> None:
    waiting = start(small, command("mentorsite", "build", "--wait"))
    try:
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # said once, just before it waits
        assert line.endswith("waiting for it to end (Ctrl-C stops waiting)\n"), line
        waiting.send_signal(signal.SIGINT)
        code, err = finish(waiting)
    finally:
        stop_group(waiting)
    assert code != 0  # stopped (the command's exit code for Ctrl-C)
    assert "Traceback" not in err
    assert not (small / "site").exists()


@pytest.mark.slow
@pytest.mark.parametrize("arguments", [["mentorsite", "build", "--jobs", "1"],
                                       ["mentorsite", "build", "--pair", "ana-ben"],
                                       ["mentorsite", "build", "--shard", "1/2"],
                                       ["mentorsite", "keys", "rotate", "ana-ben"],
                                       ["mkdocs", "build"], ["mkdocs", "gh-deploy"]])
def test_every_command_that_writes_the_outputs_takes_the_lock(small: Path, holder: subprocess.Popen[str],
                                                             arguments: list[str]) -> None:
    before = sorted(p.relative_to(small).as_posix() for p in small.rglob("*"))
    result = run(small, arguments[0], *arguments[1:])
    doing = "rotate a passphrase" if "rotate" in arguments else "build"
    hint = ("wait for it, then run the command again" if "rotate" in arguments
            else "wait for it, or run `mentorsite build --wait`")
    message = (f"cannot {doing}: another build of this program is running ({shown_since(small)}), holding "
               f"site-private/build.lock; {hint}")
    assert result.returncode == 1
    if arguments[0] == "mentorsite":
        assert result.stderr.splitlines()[-1] == f"Error: {message}"
    else:
        assert f"ERROR   -  mentorsite: {message}\n" in result.stderr
    assert "Traceback" not in result.stderr
    kept = {"site-private/.gitignore"}  # the private folder's own, made with it
    after = sorted(p.relative_to(small).as_posix() for p in small.rglob("*")
                   if not p.relative_to(small).as_posix().startswith(".cache"))
    assert [p for p in after if p not in kept] == [p for p in before if not p.startswith(".cache")]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_lock_of_a_killed_build_is_taken_over(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path,
        jobs: str) -> None:
    """Killed while its workers (with 2 jobs) run on: they hold no lock, and the next build says so."""
    program = fresh_copy(snapshots, tmp_path)
    first = first_build(program, "--jobs", jobs)
    try:
        since = shown_since(program)
        pairs = program / "site-private" / "pairs"
        assert wait_for(lambda: any(p.name.startswith(output.SCRATCH_MARK) for p in pairs.iterdir()), BOUND)
        first.kill()  # the build only, while pairs are being built: workers it forked may live on
        first.wait(timeout=BOUND)
        result = run(program, "mentorsite", "build", "--jobs", "1")
    finally:
        stop_group(first)
    assert result.returncode == 0, result.stderr
    assert (f"INFO    -  mentorsite: took over the lock of a stopped build ({since}) in site-private/build.lock"
            in result.stderr.splitlines())
    assert tree(program / "site") == snapshots[2]
    assert not leftovers(program)


def build_killed(program: Path, argv: list[str], moment: float | None) -> int:
    """Start a build and kill it (SIGKILL) after ``moment`` seconds, or (None) once site/ changes."""
    site = program / "site"
    inode, listing = site.stat().st_ino, sorted(p.name for p in site.iterdir())

    def changed() -> bool:
        try:
            return site.stat().st_ino != inode or sorted(p.name for p in site.iterdir()) != listing
        except OSError:
            return True

    process = start(program, argv)
    try:
        if moment is None:
            wait_for(lambda: changed() or process.poll() is not None, BOUND)
        else:
            wait_for(lambda: process.poll() is not None, moment)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=BOUND)
    finally:
        stop_group(process)
    return process.returncode


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["mentorsite", "mkdocs"])
def test_a_build_killed_at_any_moment_leaves_the_previous_site_or_the_new_one(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path,
        tool: str) -> None:
    _, previous, new = snapshots
    argv = command(tool, "build", *(["--jobs", "1"] if tool == "mentorsite" else []))
    program = fresh_copy(snapshots, tmp_path / "timing")
    started = time.monotonic()
    assert run(program, *argv[2:]).returncode == 0
    length = time.monotonic() - started
    seeded = random.Random(17)
    moments: list[float | None] = [None, *sorted(seeded.uniform(0.2, length) for _ in range(5))]
    outcomes = []
    for number, moment in enumerate(moments):
        program = fresh_copy(snapshots, tmp_path / str(number))
        build_killed(program, argv, moment)
        found = tree(program / "site") if (program / "site").is_dir() else {}
        outcome = "previous" if found == previous else "new" if found == new else "mixed"
        outcomes.append((moment, outcome, len(set(new) - set(found))))
    assert all(outcome != "mixed" for _, outcome, _ in outcomes), outcomes
    # The next build after each kill removes what the killed one left beside the site.
    result = run(program, *argv[2:])
    assert result.returncode == 0, result.stderr
    assert tree(program / "site") == new
    assert not leftovers(program)


def broken_link(program: Path) -> None:
    page = program / GUIDELINE
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the missing page](nowhere.md).\n", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["mentorsite", "mkdocs"])
def test_a_strict_build_that_fails_on_a_warning_leaves_the_previous_site(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path,
        tool: str) -> None:
    program = fresh_copy(snapshots, tmp_path)
    broken_link(program)
    result = run(program, tool, "build", "--strict")
    assert result.returncode == 1
    assert "nowhere.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(program / "site") == snapshots[1]
    assert not leftovers(program)
    assert lock_text(program) == ""


@pytest.mark.slow
def test_a_build_killed_between_the_two_renames_is_put_right_by_the_next_build(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path) -> None:
    """The fallback swap, killed after the old site went aside: the next build puts it back first.

    That next build fails (strict, on a warning) after it began: the previous site is what remains.
    """
    program = fresh_copy(snapshots, tmp_path)
    script = KILL_AT_RENAME + textwrap.dedent("""\
        sys.argv = ["mentorsite", "build", "--jobs", "1"]
        from mentorsite.cli import main
        main()
        """)
    killed = subprocess.run([sys.executable, "-c", script, str(program / "site")], cwd=program,
                            capture_output=True, text=True, env=environment(), timeout=BOUND, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (program / "site").exists()
    broken_link(program)
    result = run(program, "mentorsite", "build", "--strict")
    assert result.returncode == 1
    assert tree(program / "site") == snapshots[1]
    assert not leftovers(program)


@pytest.mark.slow
def test_after_a_build_the_site_setting_names_the_site_and_a_new_folder_is_in_it(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path) -> None:
    """gh-deploy reads site_dir after the build: the folder it names holds the new site, swapped in."""
    program = fresh_copy(snapshots, tmp_path)
    script = textwrap.dedent("""\
        import os, sys
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        config = load_config("mkdocs.yml")
        given, inode = config.site_dir, os.stat("site").st_ino
        config.plugins.on_startup(command="gh-deploy", dirty=False)
        build(config)
        print(config.site_dir == given, os.stat(config.site_dir).st_ino != inode)
        """)
    result = subprocess.run([sys.executable, "-c", script], cwd=program, capture_output=True, text=True,
                            env=environment(), timeout=BOUND, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True True\n"
    assert tree(program / "site") == snapshots[2]


@pytest.mark.slow
def test_a_dirty_build_writes_beside_the_site_too(
        snapshots: tuple[Path, dict[str, bytes | None], dict[str, bytes | None]], tmp_path: Path) -> None:
    """`mkdocs build --dirty` starts from a copy of the site: a file only the old site has stays."""
    program = fresh_copy(snapshots, tmp_path)
    (program / "site" / "kept-by-dirty.txt").write_text("old", encoding="utf-8")
    inode = (program / "site").stat().st_ino
    result = run(program, "mkdocs", "build", "--dirty")
    assert result.returncode == 0, result.stderr
    assert (program / "site").stat().st_ino != inode
    assert (program / "site" / "kept-by-dirty.txt").read_text(encoding="utf-8") == "old"
    assert not leftovers(program)


def test_serving_takes_no_lock_and_keeps_its_folder(small: Path, holder: subprocess.Popen[str]) -> None:
    from mkdocs.config import load_config

    from mentorsite.site.plugin import MentorsitePlugin

    config = load_config(str(small / "mkdocs.yml"), site_dir=str(small / "preview"))
    plugin = config.plugins["mentorsite"]
    assert isinstance(plugin, MentorsitePlugin)
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_pre_build(config=config)
    assert config.site_dir == str(small / "preview")
    assert plugin.swap.site is None


@contextlib.contextmanager
def tmpfs(folder: Path, *, read_only: bool = False, files: dict[str, str] | None = None) -> Iterator[Path]:
    """A small file system of its own mounted at ``folder`` (made read-only after ``files`` are written)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting needs root")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(folder)], check=True,
                   timeout=30)
    try:
        write_files(folder, dict(files or {}))
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, timeout=30)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=30)


@pytest.mark.slow
def test_a_private_folder_that_cannot_be_written_is_a_message_before_anything_is_built(small: Path) -> None:
    with tmpfs(small / "site-private", read_only=True, files={".gitignore": "*\n"}):
        result = run(small, "mentorsite", "build")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: cannot build: cannot open the lock file site-private/build.lock: the file system is read-only; "
        "run where it can write: a writable copy of the program, or output folders in mkdocs.yml that are on a "
        "writable file system")
    assert not (small / "site").exists()


@pytest.mark.slow
def test_a_site_that_is_a_mount_point_is_written_in_place_and_says_so(small: Path) -> None:
    with tmpfs(small / "site") as site:
        result = run(small, "mentorsite", "build")
        assert result.returncode == 0, result.stderr
        assert ("INFO    -  mentorsite: site is a mount point: the handbook is written in place there, "
                "not swapped in whole") in result.stderr.splitlines()
        assert (site / "index.html").is_file()
    assert not leftovers(small)


def fill(disk: Path, leave: int) -> None:
    """Fill the file system of ``disk`` but ``leave`` bytes."""
    with (disk / "filler").open("wb") as filler:
        chunk = b"\0" * 65536
        try:
            while True:
                filler.write(chunk)
                filler.flush()
        except OSError:
            pass
    size = (disk / "filler").stat().st_size
    os.truncate(disk / "filler", max(0, size - leave))


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["mentorsite", "mkdocs"])
def test_a_full_disk_while_mkdocs_writes_is_one_line_naming_the_site_and_the_site_stays(small: Path,
                                                                                        tool: str) -> None:
    config = small / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_dir: disk/site\n", encoding="utf-8")
    with tmpfs(small / "disk") as disk:
        assert run(small, "mkdocs", "build").returncode == 0
        previous = tree(disk / "site")
        guideline = small / "content/handbook/guidelines/clear-goals.md"
        guideline.write_text(guideline.read_text(encoding="utf-8") + "\nMore words.\n", encoding="utf-8")
        (small / "content/handbook/poster.pdf").write_bytes(os.urandom(300_000))  # more than is left
        fill(disk, 100_000)
        result = run(small, tool, "build")
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        said = result.stderr.splitlines()[-1]
        assert said.startswith("Error: mentorsite: cannot write disk/site/"), result.stderr
        assert output.NEW_MARK not in result.stderr  # the site by its own name
        assert tree(disk / "site") == previous
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "site"]
