"""Helpers for the fault-injection suite (tests/test_fault_injection.py).

Every command runs in its own process group with a bound on its time, so a fault can stop the
whole build at once (``kill -9`` of the group: the command and any worker it started) and a
hang ends the test instead of the suite. Outputs are compared as units, each of which a build
replaces whole: the handbook (``site/``) and every entry of each folder of the private output
(a pair's portfolio, the reviewer index's pages and files, the report's).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.programs import copy_example

BOUND = 90.0  # seconds any one command may take on a busy 2-core machine before it counts as hung
SCRATCH = ".mentorsite-"  # how the build names its scratch folders (never an output)
ENVIRONMENT = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795262400"}
GUIDELINE = "content/handbook/guidelines/meeting-cadence.md"
SESSION = "content/pairs/lena-marcus/sessions/2026-09-17.md"

# A unit's state: file path inside it -> digest of its bytes; None when the unit is absent.
State = dict[str, str] | None
Snapshot = dict[str, State]


def mentorsite(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "mentorsite", *arguments]


def mkdocs(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *arguments]


@dataclass
class Result:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (f"$ {' '.join(self.argv[2:])}\nexit {self.returncode} after {self.seconds:.2f} s\n"
                f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}")


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **ENVIRONMENT, **(extra or {})}


def run(argv: list[str], cwd: Path, bound: float = BOUND, **extra: str) -> Result:
    """Run ``argv`` to its end in ``cwd``; a command still running after ``bound`` seconds fails the test."""
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=_environment(extra), start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        kill_group(process)
        stdout, stderr = process.communicate(timeout=10)
        pytest.fail(f"hung: {' '.join(argv[2:])} still ran after {bound} s\n{stdout}{stderr}")
    return Result(argv, process.returncode, stdout, stderr, time.monotonic() - started)


class Started:
    """A command running in the background, its output in files (a pipe nobody reads could block it)."""

    def __init__(self, argv: list[str], cwd: Path, logs: Path, **extra: str) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.argv = argv
        self.started = time.monotonic()
        self._out = logs / f"out-{id(self)}"
        self._err = logs / f"err-{id(self)}"
        with self._out.open("wb") as out, self._err.open("wb") as err:
            self.process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=_environment(extra),
                                            start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self._err.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def kill(self) -> None:
        """``kill -9`` of the command and every process it started (they share its group)."""
        kill_group(self.process)

    def wait(self, bound: float = BOUND) -> Result:
        try:
            self.process.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"hung: {' '.join(self.argv[2:])} still ran after {bound} s\n{self.stderr()}")
        return Result(self.argv, self.process.returncode, self._out.read_text(encoding="utf-8", errors="replace"),
                      self.stderr(), time.monotonic() - self.started)


def kill_group(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    # Workers that outlived the group leader are in the group too: wait until none is left.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def wait_for(condition: object, bound: float, what: str, step: float = 0.01) -> None:
    assert callable(condition)
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {bound} s for {what}")
        time.sleep(step)


def raw(result: Result) -> bool:
    """Whether the output shows a traceback or an error as Python words it."""
    return "Traceback" in result.output or "[Errno" in result.output


def no_traceback(*results: Result) -> None:
    """No traceback, and no error as Python words it (``[Errno 28] No space left on device: '/tmp/...'``)."""
    for result in results:
        assert not raw(result), result.describe()


def lock_of(private: Path, pid: int) -> Path | None:
    """The lock file in the private folder that names the running build ``pid``."""
    if not private.is_dir():
        return None
    for entry in private.iterdir():
        if "lock" in entry.name and entry.is_file():
            try:
                if str(pid) in entry.read_text(encoding="utf-8", errors="replace"):
                    return entry
            except OSError:
                continue
    return None


# Versions A and B of the example program: B changes a guideline and a session.

def version_b(program: Path) -> None:
    guideline = program / GUIDELINE
    text = guideline.read_text(encoding="utf-8")
    changed = text.replace("title: Agree a meeting rhythm and keep it", "title: Agree a rhythm of meetings, and keep to it")
    assert changed != text, "the example guideline's title is where the suite expects it"
    guideline.write_text(changed + "\nA paragraph added in version B.\n", encoding="utf-8")
    session = program / SESSION
    session.write_text(session.read_text(encoding="utf-8") + "\nA line added after the meeting (version B).\n",
                       encoding="utf-8")


def example(destination: Path) -> Path:
    return copy_example(destination)


def copy_program(source: Path, destination: Path) -> Path:
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, symlinks=True, copy_function=shutil.copy2)
    return destination


# Snapshots of the outputs.

def _digest(path: Path) -> str:
    if path.is_symlink():
        return "symlink:" + str(path.readlink())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(path: Path) -> State:
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_dir() or path.is_symlink():
        return {"": _digest(path)}
    return {file.relative_to(path).as_posix(): _digest(file)
            for file in sorted(path.rglob("*")) if not file.is_dir() or file.is_symlink()}


def snapshot(site: Path, private: Path) -> Snapshot:
    """Each output unit's state: the handbook whole, and each entry of each folder of the private output.

    The build stamps (digests of sources) and the build's scratch folders are not outputs.
    """
    units: Snapshot = {"site": _state(site)}
    if private.is_dir():
        for folder in sorted(private.iterdir()):
            if not folder.is_dir() or folder.name in {".stamps"} or folder.name.startswith(SCRATCH):
                continue
            for entry in sorted(folder.iterdir()):
                if not entry.name.startswith(SCRATCH):
                    units[f"{private.name}/{folder.name}/{entry.name}"] = _state(entry)
    return units


def mixed_units(now: Snapshot, old: Snapshot, new: Snapshot) -> list[str]:
    """The units of ``now`` that are neither as in ``old`` nor as in ``new``, with what differs."""
    problems = []
    for unit in sorted(set(now) | set(old) | set(new)):
        state = now.get(unit)
        if state == old.get(unit) or state == new.get(unit):
            continue
        if state is None:
            problems.append(f"{unit}: missing")
            continue
        detail = []
        for name, reference in (("previous", old.get(unit)), ("new", new.get(unit))):
            if reference is None:
                detail.append(f"not in the {name} build")
                continue
            gone = sorted(set(reference) - set(state))
            extra = sorted(set(state) - set(reference))
            changed = sorted(f for f in set(state) & set(reference) if state[f] != reference[f])
            detail.append(f"vs {name}: {len(gone)} missing {gone[:3]}, {len(extra)} extra {extra[:3]}, "
                          f"{len(changed)} differ {changed[:3]}")
        problems.append(f"{unit}: " + "; ".join(detail))
    return problems


def scratch_left(*folders: Path) -> list[str]:
    """Scratch folders or files a build left in ``folders`` or below them."""
    return sorted(str(path) for folder in folders if folder.is_dir()
                  for path in folder.rglob(f"{SCRATCH}*"))


# Mounts (the runner is root in CI; elsewhere the cases that need one are skipped).

def _mount(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *arguments], capture_output=True, text=True, timeout=30, check=False)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "64m", inodes: int | None = None) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (made empty), unmounted afterwards; skip where not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (f",nr_inodes={inodes}" if inodes else "")
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the full-disk and read-only cases need a small tmpfs")
    mounted = _mount("-t", "tmpfs", "-o", options, "tmpfs", str(folder))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the full-disk and read-only "
                    "cases need root and the right to mount")
    try:
        yield folder
    finally:
        for _ in range(50):
            if subprocess.run(["umount", str(folder)], capture_output=True, timeout=30, check=False).returncode == 0:
                break
            time.sleep(0.1)
        else:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


@contextlib.contextmanager
def read_only_bind(folder: Path) -> Iterator[Path]:
    """``folder`` bound read-only onto itself (the rest of its file system stays writable); skip where not allowed."""
    bound = _mount("--bind", str(folder), str(folder))
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here ({bound.stderr.strip()}): the read-only case needs root")
    try:
        read_only = _mount("-o", "remount,bind,ro", str(folder))
        assert read_only.returncode == 0, read_only.stderr
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, timeout=30, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


def read_only(folder: Path) -> None:
    remounted = _mount("-o", "remount,ro", str(folder))
    assert remounted.returncode == 0, remounted.stderr


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` so that only about ``leave`` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as handle:
        remaining = max(free - leave, 0)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            try:
                remaining -= handle.write(block[:remaining])
            except OSError:
                break
    return filler


def fill_inodes(folder: Path, leave: int) -> Path:
    """Use up the inodes of ``folder``'s file system but about ``leave``."""
    fillers = folder / "inodes"
    fillers.mkdir()
    free = os.statvfs(folder).f_favail
    for number in range(max(free - leave, 0)):
        try:
            (fillers / str(number)).touch()
        except OSError:
            break
    return fillers
