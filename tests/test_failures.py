"""Every failure of a command is a message, never a traceback (issue 17, Deliver 2).

- ``mentorsite.files.failures``: an OSError is one line naming the path, with a hint by its errno.
- The command line: OSError -> that line (exit 1), MkDocs' refusals -> their message (exit 1),
  Ctrl-C -> "stopped" (exit 130), anything else -> an internal error (exit 70); ``--debug``
  or MENTORSITE_DEBUG=1 shows the traceback instead.
- mkdocs.yml: every bad value, for every command that reads it and for a plain `mkdocs build`
  where mentorsite's code reads it, is a message naming the file (at its line) and exit 1.
- The machine: a full disk (a small tmpfs, or ENOSPC simulated), a read-only tree, a folder
  that cannot be written: a line with the path and a hint, exit 1, the previous output kept.
"""

from __future__ import annotations

import errno
import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.programs import BASE_PROGRAM, MKDOCS_YML, write_files

REPOSITORY = Path(__file__).parent.parent
ENVIRONMENT = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPOSITORY)}
BOUND = 60  # seconds: a command that takes longer hangs
IN_PROCESS_BOUND = 20  # seconds: the same for a command run in this process (each takes about 1 s)


# One line per OSError -------------------------------------------------------------------

DESCRIBED = {
    "ENOSPC": (errno.ENOSPC, "site-private/pairs/ana-ben/index.html",
               "cannot write site-private/pairs/ana-ben/index.html: no space is left on the device; "
               "free some space, then run again"),
    "EDQUOT": (errno.EDQUOT, "site/index.html",
               "cannot write site/index.html: the disk quota is used up; free some space, then run again"),
    "EROFS": (errno.EROFS, "content/pairs/ana-ben/sessions/2026-05-01.md",
              "cannot write content/pairs/ana-ben/sessions/2026-05-01.md: the file system is read-only; run "
              "where it can write: a writable copy of the program, or output folders in mkdocs.yml that are on "
              "a writable file system"),
    "ENOENT": (errno.ENOENT, "content/pairs",
               "cannot open content/pairs: there is no such file or folder; check the path; was it moved or "
               "removed while mentorsite ran?"),
    "ENOTDIR": (errno.ENOTDIR, "mkdocs.yml/site",
                "cannot open mkdocs.yml/site: a part of the path is a file, expected a folder; move that file "
                "away, or name another folder"),
    "EISDIR": (errno.EISDIR, "content", "cannot open content: it is a folder, expected a file; move the folder "
                                        "away, or name a file"),
    "EMFILE": (errno.EMFILE, "site/index.html",
               "cannot open site/index.html: this process has too many files open; raise the limit of open "
               "files (ulimit -n), or build with fewer --jobs"),
    "ENFILE": (errno.ENFILE, "site/index.html",
               "cannot open site/index.html: the system has too many files open; close other programs, or "
               "build with fewer --jobs"),
    "ELOOP": (errno.ELOOP, "content/pairs/ana-ben",
              "cannot open content/pairs/ana-ben: there are too many symbolic links in the path (a link that "
              "leads to itself?); fix or remove the link"),
    "EEXIST": (errno.EEXIST, "site-private", "cannot create site-private: it exists already; remove it, or "
                                             "choose another name"),
    "other": (errno.EIO, "site/index.html",
              "cannot use site/index.html: input/output error (error 5); check the path and run again"),
}


@pytest.mark.parametrize("case", DESCRIBED, ids=list(DESCRIBED))
def test_an_os_error_is_one_line_with_the_path_relative_to_the_program_and_a_hint(tmp_path: Path,
                                                                                    case: str) -> None:
    from mentorsite.files.failures import describe

    number, relative, expected = DESCRIBED[case]
    error = OSError(number, os.strerror(number), str(tmp_path / relative))
    assert describe(error, tmp_path) == expected


def test_a_full_disk_says_the_previous_output_is_kept_only_where_outputs_are_swapped_in(tmp_path: Path) -> None:
    from mentorsite.files.failures import describe

    error = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "site"))
    assert describe(error, tmp_path, kept=True) == ("cannot write site: no space is left on the device; free some "
                                                    "space, then run again; nothing was replaced: the previous "
                                                    "output is kept")


def test_a_path_outside_the_program_is_shown_whole_and_a_rename_names_both(tmp_path: Path) -> None:
    from mentorsite.files.failures import describe

    outside = OSError(errno.EROFS, "Read-only file system", "/elsewhere/x.zip")
    assert describe(outside, tmp_path).startswith("cannot write /elsewhere/x.zip: the file system is read-only;")
    moved = OSError(errno.EXDEV, "Invalid cross-device link", str(tmp_path / "a"), None, str(tmp_path / "b"))
    assert describe(moved, tmp_path) == ("cannot use b from a: invalid cross-device link (error 18); check the "
                                         "path and run again")
    copied = OSError(errno.ENOSPC, "No space left on device", "/elsewhere/theme.js", None, str(tmp_path / "site/a.js"))
    assert describe(copied, tmp_path) == ("cannot write site/a.js from /elsewhere/theme.js: no space is left on "
                                          "the device; free some space, then run again")
    nameless = OSError(errno.ENOSPC, "No space left on device")
    assert describe(nameless, tmp_path) == ("cannot write a file: no space is left on the device; free some "
                                            "space, then run again")


def test_a_refusal_names_the_owner_of_what_was_refused_and_who_runs(tmp_path: Path) -> None:
    import pwd

    from mentorsite.files.failures import describe

    folder = tmp_path / "site-private"
    folder.mkdir(mode=0o500)
    folder.chmod(0o500)
    me = pwd.getpwuid(os.geteuid()).pw_name
    denied = PermissionError(errno.EACCES, "Permission denied", str(folder / "pairs"))
    assert describe(denied, tmp_path) == (
        f"cannot open site-private/pairs: permission denied; the nearest folder that exists, site-private, belongs "
        f"to user {me} (mode 0500) and this runs as user {me}: give user {me} access to it, or run as its owner")
    not_permitted = PermissionError(errno.EPERM, "Operation not permitted", str(folder))
    assert describe(not_permitted, tmp_path) == (
        f"cannot open site-private: the operation is not permitted; it belongs to user {me} (mode 0500) and this "
        f"runs as user {me}: give user {me} access to it, or run as its owner")


def test_a_name_too_long_says_which_limit_it_passes(tmp_path: Path) -> None:
    from mentorsite.files.failures import describe

    long_name = tmp_path / "content/pairs" / ("a" * 300)
    error = OSError(errno.ENAMETOOLONG, "File name too long", str(long_name))
    assert describe(error, tmp_path) == (
        f"cannot open content/pairs/{'a' * 300}: the name is too long; a name may have at most 255 bytes on this "
        "file system, and one here has 300: shorten the id or file name it comes from")
    deep = tmp_path.joinpath(*["b" * 200] * 25)
    error = OSError(errno.ENAMETOOLONG, "File name too long", str(deep))
    assert describe(error, tmp_path).endswith(
        f"a path may have at most 4096 bytes on this file system, and this one has {len(str(deep))}: shorten "
        "the ids or move the program to a shorter path")


def test_a_plugin_hook_turns_an_os_error_into_the_error_it_is_given() -> None:
    from mentorsite.files.failures import reported_as

    class Hooks:
        root = Path("/program")

        @reported_as(RuntimeError)
        def on_post_build(self, *, config: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device", "/program/site-private/report/index.html")

    with pytest.raises(RuntimeError) as raised:
        Hooks().on_post_build(config=None)
    assert str(raised.value) == ("mentorsite: cannot write site-private/report/index.html: no space is left on "
                                 "the device; free some space, then run again; nothing was replaced: the previous "
                                 "output is kept")


# The command line's handler -------------------------------------------------------------


def invoke(program: Path, *arguments: str, monkeypatch: pytest.MonkeyPatch, **variables: str) -> Result:
    """``mentorsite ARGUMENTS`` in-process, in ``program``, bounded in time."""
    from mentorsite.cli import main

    monkeypatch.chdir(program)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with bounded(IN_PROCESS_BOUND):
        return CliRunner().invoke(main, list(arguments))


class Hung(BaseException):
    """Raised into code that runs too long; no ``except Exception`` can take it for a failure of its own."""


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Stop the code inside with ``Hung`` after ``seconds`` (it used to hang on some inputs)."""

    def stop(number: int, frame: FrameType | None) -> None:
        raise Hung(f"still running after {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failing_schemas(error: BaseException) -> Any:
    def write_schemas(folder: Path) -> list[Path]:
        raise error

    return write_schemas


HANDLED = {
    "full disk": (OSError(errno.ENOSPC, "No space left on device", "schemas/pair.schema.json"), 1,
                  "Error: cannot write schemas/pair.schema.json: no space is left on the device; free some space, "
                  "then run again\n"),
    "read-only": (OSError(errno.EROFS, "Read-only file system", "schemas"), 1,
                  "Error: cannot write schemas: the file system is read-only; run where it can write: a writable "
                  "copy of the program, or output folders in mkdocs.yml that are on a writable file system\n"),
    "interrupted": (KeyboardInterrupt(), 130, "stopped\n"),
    "a bug": (KeyError("text of a private session note"), 70,
              "Error: mentorsite: internal error (KeyError); this is a bug in "
              "mentorsite: run again with --debug to see where it happened\n"),
}


@pytest.mark.parametrize("case", HANDLED, ids=list(HANDLED))
def test_every_failure_of_a_command_is_a_message_and_an_exit_code(program_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  case: str) -> None:
    from mentorsite.cli import authoring

    error, code, message = HANDLED[case]
    monkeypatch.setattr(authoring, "write_schemas", failing_schemas(error))
    monkeypatch.delenv("MENTORSITE_DEBUG", raising=False)
    result = invoke(program_dir, "schema", monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (code, message)
    assert isinstance(result.exception, SystemExit)  # not the error itself: nothing would print a traceback


@pytest.mark.parametrize("how", [("--debug",), ()], ids=["--debug", "MENTORSITE_DEBUG=1"])
def test_debug_lets_the_traceback_through(program_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                          how: tuple[str, ...]) -> None:
    from mentorsite.cli import authoring

    monkeypatch.setattr(authoring, "write_schemas", failing_schemas(ZeroDivisionError("division by zero")))
    quiet = invoke(program_dir, "schema", monkeypatch=monkeypatch, MENTORSITE_DEBUG="0")
    assert quiet.exit_code == 70 and isinstance(quiet.exception, SystemExit)
    variables = {} if how else {"MENTORSITE_DEBUG": "1"}
    result = invoke(program_dir, *how, "schema", monkeypatch=monkeypatch, **variables)
    assert isinstance(result.exception, ZeroDivisionError)
    assert "internal error" not in result.output


def test_the_messages_of_commands_stay_as_they_were(program_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(program_dir, "new", "pair", "Not A Slug", "--mentor", "A", "--mentee", "B",
                    monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (1, "Error: expected a pair id of a-z, 0-9 and single '-' (like "
                                                    "'ana-ben'), got 'Not A Slug'\n")
    usage = invoke(program_dir, "build", "--jobs", "many", monkeypatch=monkeypatch)
    assert usage.exit_code == 2
    assert "Invalid value for '-j' / '--jobs': 'many' is not a valid integer" in usage.stderr


@pytest.mark.slow
def test_a_real_fault_is_a_line_without_a_traceback(program_dir: Path) -> None:
    """A real OSError, in a real process: schemas asked for inside a file."""
    result = subprocess.run([sys.executable, "-m", "mentorsite", "schema", "-o", "mkdocs.yml/schemas"],
                            cwd=program_dir, env=ENVIRONMENT, capture_output=True, text=True, timeout=BOUND,
                            check=False)
    assert (result.returncode, result.stderr) == (1, "Error: cannot open mkdocs.yml/schemas: a part of the path is "
                                                     "a file, expected a folder; move that file away, or name "
                                                     "another folder\n")


def test_bench_with_scale_0_skips_the_scale_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorsite.dev import benchmark

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(benchmark, "run_benchmark", lambda workdir, size, **options: calls.append(options))
    result = invoke(tmp_path, "bench", "--scale", "0", "--no-naive", "--jobs", "1", monkeypatch=monkeypatch)
    assert (result.exit_code, result.stderr) == (0, "")
    assert calls == [{"jobs": 1, "scale": None, "naive": False, "runs": 3}]


def test_the_benchmark_says_it_skipped_the_scale_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from mentorsite.dev import benchmark
    from mentorsite.dev.synthetic import ProgramSize

    run = benchmark.Run(seconds=1.0, peak_mib=10.0, built=1, phase_seconds=0.5)
    monkeypatch.setattr(benchmark, "measure_program", lambda *arguments, **options: run)
    benchmark.run_benchmark(tmp_path, ProgramSize(1, 1, 1), jobs=1, scale=None, naive=False)
    assert capsys.readouterr().out.splitlines()[-1] == "scale: skipped (--scale 0)"


# Bad values in mkdocs.yml, for every command that reads it ------------------------------

LAUGHS = "".join(f"  {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
                 for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


def with_options(options: str) -> str:
    return MKDOCS_YML.replace("  - mentorsite\n", f"  - mentorsite:\n      {options}\n")


FOLDER = object()
CONFIGS: dict[str, tuple[object, str]] = {
    "YAML syntax": (MKDOCS_YML + "nav: [a, b\n",
                    "mkdocs.yml:10:6: error[yaml-syntax] invalid YAML: the list opened with '[' here is not closed; "
                    "expected ']' before the end of the file"),
    "a tab": (MKDOCS_YML.replace("  name: material", "\tname: material"),
              "mkdocs.yml:4:1: error[yaml-syntax] invalid YAML: found a tab; YAML indentation must use spaces"),
    "a Python name as a value": (MKDOCS_YML + "extra: !!python/name:os.system\n",
                                 "mkdocs.yml:10:8: error[bad-setting] extra: expected a mapping of settings, got "
                                 "builtin_function_or_method"),
    "a Python name that is not there": (MKDOCS_YML + "extra: !!python/name:nosuch.thing\n",
                                        "mkdocs.yml:10:8: error[bad-config] while constructing a Python object "
                                        "cannot find module 'nosuch' (No module named 'nosuch')"),
    "an unknown tag": (MKDOCS_YML + "extra: !foo bar\n",
                       "mkdocs.yml:10:8: error[bad-config] could not determine a constructor for the tag '!foo'"),
    "!ENV of an unset variable": (with_options("jobs: !ENV MENTORSITE_TEST_UNSET"),
                                  "mkdocs.yml:8:13: error[unset-variable] expected the environment variable "
                                  "MENTORSITE_TEST_UNSET to be set, got none; set it, or give a default: !ENV "
                                  "[MENTORSITE_TEST_UNSET, default]"),
    "!ENV of an unset required setting": (MKDOCS_YML.replace("Test Handbook", "!ENV [MENTORSITE_TEST_UNSET]"),
                                          "mkdocs.yml:1:12: error[unset-variable] expected the environment "
                                          "variable MENTORSITE_TEST_UNSET to be set, got none; set it, or give a "
                                          "default: !ENV [MENTORSITE_TEST_UNSET, default]"),
    "aliases that multiply": (MKDOCS_YML + 'extra:\n  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", '
                              '"lol"]\n' + LAUGHS,
                              "mkdocs.yml:15:6: error[too-large] expected at most 20000 values in one file, got "
                              "more (aliases that repeat a list or mapping many times?)"),
    "an alias that refers to itself": (MKDOCS_YML + "extra: &x {a: *x}\n",
                                       "mkdocs.yml:10:8: error[too-large] expected a value, got an alias that "
                                       "refers to itself; write the value out"),
    "deep nesting": (MKDOCS_YML + "extra: " + "[" * 5000 + "]" * 5000 + "\n",
                     "mkdocs.yml:10:57: error[too-deep] expected at most 50 levels of nesting, got more"),
    "not UTF-8": ((MKDOCS_YML + "site_description: caf\xe9\n").encode("latin-1"),
                  "mkdocs.yml:10:22: error[not-utf8] expected UTF-8 text, got the byte 0xe9; save the file as UTF-8"),
    "a control character": ("site_name: a\x07b\n" + MKDOCS_YML.split("\n", 1)[1],
                            "mkdocs.yml:1:13: error[bad-character] expected text, got the control character U+0007; "
                            "is this a binary file?"),
    "empty": ("", "mkdocs.yml:1:1: error[empty-file] the file is empty; expected the program's settings (site_name: "
                  "and the others)"),
    "only comments": ("# nothing yet\n", "mkdocs.yml:1:1: error[empty-file] the file is empty; expected the "
                                         "program's settings (site_name: and the others)"),
    "a list": ("- a\n- b\n", "mkdocs.yml:1:1: error[wrong-type] expected a mapping of settings (key: value lines), "
                             "got a list"),
    "a text": ("hello\n", "mkdocs.yml:1:1: error[wrong-type] expected a mapping of settings (key: value lines), "
                          "got the text 'hello'"),
    "missing": (None, "cannot open mkdocs.yml: there is no such file; run mentorsite in the program's folder "
                      "(where its mkdocs.yml is), or name the file with -f"),
    "a folder": (FOLDER, "Invalid value for '-f' / '--config-file': File 'mkdocs.yml' is a directory."),
    "a date that does not exist": (with_options("as_of: 2026-13-01"),
                                   "mkdocs.yml:8:14: error[bad-date] expected a date that exists (YYYY-MM-DD), got "
                                   "'2026-13-01'"),
    "as_of as text": (with_options("as_of: tomorrow"),
                      "mkdocs.yml:8:14: error[bad-setting] as_of: expected a date YYYY-MM-DD, got 'tomorrow'"),
    "as_of as a number": (with_options("as_of: 5"),
                          "mkdocs.yml:8:14: error[bad-setting] as_of: expected (str, date), got int"),
    "as_of out of range": (with_options("as_of: 1066-10-14"),
                           "mkdocs.yml:8:14: error[bad-setting] as_of: expected a date from 1900-01-01 to "
                           "2199-12-31, got 1066-10-14"),
    "jobs as text": (with_options("jobs: many"), "mkdocs.yml:8:13: error[bad-setting] jobs: expected int, got str"),
    "jobs below 0": (with_options("jobs: -3"),
                     "mkdocs.yml:8:13: error[bad-setting] jobs: expected 0 (one per processor) or more worker "
                     "processes, got -3"),
    "private_dir a list": (with_options("private_dir: [a]"),
                           "mkdocs.yml:8:20: error[bad-setting] private_dir: expected str, got list"),
    "private_dir a file": (with_options("private_dir: mkdocs.yml"),
                           "mkdocs.yml:8:20: error[bad-setting] private_dir: expected a folder, got a file: "
                           "mkdocs.yml"),
    "cache_dir a number": (with_options("cache_dir: 5"),
                           "mkdocs.yml:8:18: error[bad-setting] cache_dir: expected str, got int"),
    "cache_dir a file": (with_options("cache_dir: mkdocs.yml"),
                         "mkdocs.yml:8:18: error[bad-setting] cache_dir: expected a folder, got a file: mkdocs.yml"),
    "content_dir a mapping": (with_options("content_dir: {a: 1}"),
                              "mkdocs.yml:8:20: error[bad-setting] content_dir: expected str, got dict"),
    "content_dir a file": (with_options("content_dir: mkdocs.yml"),
                           "mkdocs.yml:8:20: error[bad-setting] content_dir: expected a folder, got a file: "
                           "mkdocs.yml"),
    "templates_dir a list": (with_options("templates_dir: [x]"),
                             "mkdocs.yml:8:22: error[bad-setting] templates_dir: expected str, got list"),
    "templates_dir a file": (with_options("templates_dir: mkdocs.yml"),
                             "mkdocs.yml:8:22: error[bad-setting] templates_dir: expected a folder, got a file: "
                             "mkdocs.yml"),
    "encryption a yes": (with_options("encryption: yes"),
                         "mkdocs.yml:8:19: error[bad-setting] encryption: expected a mapping of settings, got bool"),
    "encryption.enabled a maybe": (with_options("encryption: {enabled: maybe}"),
                                   "mkdocs.yml:8:29: error[bad-setting] encryption.enabled: expected bool, got str"),
    "encryption.iterations as text": (with_options("encryption: {iterations: lots}"),
                                      "mkdocs.yml:8:32: error[bad-setting] encryption.iterations: expected int, "
                                      "got str"),
    "encryption.iterations too few": (with_options("encryption: {enabled: true, iterations: 5}"),
                                      "mkdocs.yml:8:47: error[bad-setting] encryption.iterations: expected at least "
                                      "600000 iterations of the key derivation, got 5"),
    "encryption.iterations too many": (with_options("encryption: {enabled: true, iterations: 99999999999}"),
                                       "mkdocs.yml:8:47: error[bad-setting] encryption.iterations: expected at most "
                                       "10000000 iterations of the key derivation, got 99999999999"),
    "encryption.shared_origin unknown": (with_options("encryption: {shared_origin: whatever}"),
                                         "mkdocs.yml:8:35: error[bad-setting] encryption.shared_origin: expected "
                                         "one of ('refuse', 'warn'), got 'whatever'"),
    "encryption.keys_file a list": (with_options("encryption: {keys_file: [a]}"),
                                    "mkdocs.yml:8:31: error[bad-setting] encryption.keys_file: expected str, got "
                                    "list"),
    "report as text": (with_options("report: no-thanks"),
                       "mkdocs.yml:8:15: error[bad-setting] report: expected a mapping of settings, got str"),
    "report.min_pairs as text": (with_options("report: {min_pairs: few}"),
                                 "mkdocs.yml:8:27: error[bad-setting] report.min_pairs: expected int, got str"),
    "practices a list": (with_options("practices: [a]"),
                         "mkdocs.yml:8:18: error[bad-setting] practices: expected dict, got list"),
    "plugin settings a list": (MKDOCS_YML.replace("  - mentorsite\n", "  - mentorsite: [a]\n"),
                               "mkdocs.yml:7:17: error[bad-setting] plugins: Invalid config options for the "
                               "'mentorsite' plugin."),
    "an unknown theme": (MKDOCS_YML.replace("name: material", "name: nosuchtheme"),
                         "mkdocs.yml:4:3: error[bad-setting] theme: Unrecognised theme name: 'nosuchtheme'. The "
                         "available installed themes are: mkdocs, readthedocs, material"),
    "plugins a number": (MKDOCS_YML.replace("plugins:\n  - search\n  - mentorsite\n", "plugins: 5\n"),
                         "mkdocs.yml:5:10: error[bad-setting] plugins: Invalid Plugins configuration. Expected a "
                         "list or dict."),
    "an unknown extension": (MKDOCS_YML.replace("pymdownx.tasklist", "nosuch.extension"),
                             "mkdocs.yml:9:5: error[bad-setting] markdown_extensions: Failed to load extension "
                             "'nosuch.extension'. ModuleNotFoundError: No module named 'nosuch'"),
    "INHERIT of no file": ("INHERIT: nothere.yml\n" + MKDOCS_YML,
                           "mkdocs.yml:1:10: error[bad-setting] INHERIT: expected a file to inherit, got none at "
                           "nothere.yml"),
    "INHERIT of a broken file": ("INHERIT: base.yml\n" + MKDOCS_YML,
                                 "base.yml:1:4: error[yaml-syntax] invalid YAML: the list opened with '[' here is "
                                 "not closed; expected ']' before the end of the file"),
}
COMMANDS = {
    "check": ("check",),
    "build": ("build",),
    "build --pair": ("build", "--pair", "ana-ben"),
    "new session": ("new", "session", "ana-ben", "--date", "2026-05-01"),
    "export": ("export", "ana-ben"),
    "keys list": ("keys", "list"),
    "keys rotate": ("keys", "rotate", "ana-ben"),
    "keys folder-secret": ("keys", "folder-secret"),
    "serve": ("serve",),
    "serve --pair": ("serve", "--pair", "ana-ben"),
    "publish": ("publish", "1.0"),
}


def program_with_config(folder: Path, config: object) -> Path:
    write_files(folder, {path: text for path, text in BASE_PROGRAM.items() if path != "mkdocs.yml"})
    (folder / "base.yml").write_text("a: [b\n", encoding="utf-8")
    if config is FOLDER:
        (folder / "mkdocs.yml").mkdir()
    elif isinstance(config, bytes | str):
        write_files(folder, {"mkdocs.yml": config})
    return folder


def never_serve(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A server that would start fails the test at once instead of waiting for requests.

    Only the preview of a pair may start, to show in the browser what stops the build (see
    tests/test_serve_errors.py); it is stopped at once, and the list returned gets what its
    pages would say.
    """
    import mkdocs.commands.serve
    from mkdocs.livereload import LiveReloadServer

    from mentorsite.site import publishing

    shown: list[str] = []

    def refuse(*arguments: object, **options: object) -> None:
        raise AssertionError("started with a configuration that cannot be used")

    def stop(server: LiveReloadServer, **options: object) -> None:
        shown.append(html.unescape(str(getattr(server, "banner", None))))
        raise KeyboardInterrupt

    monkeypatch.setattr(mkdocs.commands.serve, "serve", refuse)
    monkeypatch.setattr(LiveReloadServer, "serve", stop)
    monkeypatch.setattr(publishing, "publish_edition", refuse, raising=False)
    return shown


KNOWN_HANGS: dict[tuple[str, str], str] = {}  # (case, command) -> why it still hangs: none left


MATRIX = [pytest.param(case, command, id=f"{case}-{command}",
                       marks=[pytest.mark.xfail(reason=KNOWN_HANGS[case, command], raises=Hung, strict=True)]
                       if (case, command) in KNOWN_HANGS else [])
          for case in CONFIGS for command in COMMANDS]


@pytest.mark.parametrize(("case", "command"), MATRIX)
def test_a_bad_mkdocs_yml_is_a_message_naming_it_for_every_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   case: str, command: str) -> None:
    config, message = CONFIGS[case]
    program = program_with_config(tmp_path / "program", config)
    previews = never_serve(monkeypatch)
    monkeypatch.delenv("MENTORSITE_TEST_UNSET", raising=False)
    before = sorted(path.relative_to(program) for path in program.rglob("*"))
    result = invoke(program, *COMMANDS[command], monkeypatch=monkeypatch)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert sorted(path.relative_to(program) for path in program.rglob("*")) == before  # nothing written
    if previews:  # the preview of a pair waits for a fix, saying in the browser what is wrong
        assert command == "serve --pair" and message in previews[0], previews
        return
    assert result.exit_code == (2 if config is FOLDER else 1), result.output
    # check lists a setting it can read but not use among the records' problems, each at its line
    listed = command == "check" and message in result.stdout.splitlines()
    assert listed or f"Error: {message}" in result.stderr.splitlines()


PLAIN_MKDOCS = ["an alias that refers to itself", "!ENV of an unset variable", "as_of as text", "jobs below 0",
                "private_dir a file", "encryption.iterations too few"]


@pytest.mark.slow
@pytest.mark.parametrize("case", PLAIN_MKDOCS)
def test_a_bad_mkdocs_yml_stops_a_plain_mkdocs_build_with_a_message(tmp_path: Path, case: str) -> None:
    """Where mentorsite's code is the first to read the value, under `mkdocs build` with the plugin."""
    config, message = CONFIGS[case]
    program = program_with_config(tmp_path / "program", config)
    environment = {name: value for name, value in ENVIRONMENT.items() if name != "MENTORSITE_TEST_UNSET"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=program, env=environment,
                            capture_output=True, text=True, timeout=BOUND, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert any(line.endswith(message) for line in result.stderr.splitlines()), result.stderr
    assert not (program / "site").exists()


def test_the_preview_reads_mkdocs_yml_as_the_command_line_does(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.exceptions import ConfigurationError

    from mentorsite.site.preview import load_program

    config, message = CONFIGS["an alias that refers to itself"]
    program = program_with_config(tmp_path / "program", config)
    monkeypatch.chdir(program)
    with bounded(BOUND), pytest.raises(ConfigurationError) as raised:
        load_program(program / "mkdocs.yml")
    assert str(raised.value) == message


def test_mkdocs_warnings_about_settings_are_located_too(program_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    write_files(program_dir, {"mkdocs.yml": with_options("colour: red")})
    result = invoke(program_dir, "check", monkeypatch=monkeypatch)
    assert result.exit_code == 0
    assert ("mkdocs.yml:8:7: warning[bad-setting] colour: Unrecognised configuration name: colour"
            in caplog.messages)


# The machine: full disks, read-only trees, folders that cannot be written ----------------


def outputs(program: Path) -> dict[str, str]:
    """Every file of the handbook and of the portfolios, by path, with a digest of its bytes."""
    found = {}
    for folder in ("site", "site-private/pairs", "site-private/review", "site-private/report"):
        for path in sorted((program / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(program).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def edit_records(program: Path) -> None:
    """A change to the handbook and to the pair, so that both sites are built again."""
    write_files(program, {
        "content/handbook/guidelines/regular-meetings.md":
            BASE_PROGRAM["content/handbook/guidelines/regular-meetings.md"] + "\nA new paragraph.\n",
        "content/pairs/ana-ben/sessions/2026-02-03.md":
            BASE_PROGRAM["content/pairs/ana-ben/sessions/2026-02-03.md"] + "\nMore notes.\n",
    })


def run_mentorsite(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=program, env=ENVIRONMENT,
                          capture_output=True, text=True, timeout=BOUND, check=False)


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs at ``folder`` (skipped where this process may not mount one)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                             capture_output=True, text=True, timeout=BOUND, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=BOUND, check=False)


def fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` until ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free - leave
    with (folder / "filler").open("wb") as filler:
        while free > 0:
            chunk = min(free, 1 << 20)
            try:
                filler.write(b"\0" * chunk)
                filler.flush()
            except OSError:
                break
            free -= chunk


@pytest.mark.slow
@pytest.mark.parametrize("leave", [0, 64 << 10, 1 << 20, 2 << 20], ids=["full", "64K", "1M", "2M"])
def test_a_full_disk_under_the_program_is_a_message_and_the_previous_outputs_stay(tmp_path: Path,
                                                                                   leave: int) -> None:
    with tmpfs(tmp_path / "disk", "24m") as disk:
        program = write_files(disk / "program", dict(BASE_PROGRAM))
        assert run_mentorsite(program, "build").returncode == 0
        before = outputs(program)
        edit_records(program)
        fill(disk, leave)
        result = run_mentorsite(program, "build")
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines()
                  if line.startswith(("Error: ", "ERROR   -  ")) and "Aborted with" not in line]
        assert len(errors) == 1, result.stderr
        if "lock file" in errors[0]:  # the build lock, taken first, has a message of its own
            assert errors[0].startswith("Error: cannot build: cannot write the lock file site-private/build.lock: ")
        else:
            assert errors[0].endswith(": no space is left on the device; free some space, then run again; "
                                      "nothing was replaced: the previous output is kept"), result.stderr
            assert re.match(r"(Error: |ERROR   -  )(mentorsite: )?cannot (write|create) (site|site-private)/",
                            errors[0]), result.stderr
        assert outputs(program) == before


@pytest.mark.slow
def test_a_full_private_folder_keeps_the_previous_portfolios(tmp_path: Path) -> None:
    program = write_files(tmp_path / "program", dict(BASE_PROGRAM))
    with tmpfs(program / "site-private", "3m") as private:
        assert run_mentorsite(program, "build").returncode == 0
        before = outputs(program)
        edit_records(program)
        fill(private, 16 << 10)
        result = run_mentorsite(program, "build")
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "no space is left on the device; free some space, then run again; nothing was replaced: the " \
               "previous output is kept" in result.stderr
        now = outputs(program)
        assert {path: digest for path, digest in now.items() if path.startswith("site-private/")} == \
            {path: digest for path, digest in before.items() if path.startswith("site-private/")}


def told(result: Result, caplog: pytest.LogCaptureFixture) -> list[str]:
    """The failure lines a build printed: its own, and MkDocs' log of a plugin's error."""
    lines = [line.removeprefix("Error: ") for line in result.stderr.splitlines() if line.startswith("Error: ")]
    logged = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    return [line for line in lines + logged if line.startswith(("mentorsite: cannot", "cannot"))]


def test_a_full_disk_while_portfolios_are_written_keeps_them(program_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """The same without a tmpfs: MkDocs' writing of a page fails with ENOSPC in the private folder."""
    from mkdocs import utils

    first = invoke(program_dir, "build", "--jobs", "1", monkeypatch=monkeypatch)
    assert first.exit_code == 0, first.output
    before = outputs(program_dir)
    edit_records(program_dir)
    write_file = utils.write_file
    private = program_dir / "site-private"

    def full(content: bytes, output_path: str) -> None:
        if Path(output_path).resolve().is_relative_to(private.resolve()):
            raise OSError(errno.ENOSPC, "No space left on device", output_path)
        write_file(content, output_path)

    monkeypatch.setattr(utils, "write_file", full)
    result = invoke(program_dir, "build", "--jobs", "1", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    lines = told(result, caplog)
    assert len(lines) == 1 and lines[0].startswith("mentorsite: cannot write site-private/"), lines
    assert lines[0].endswith(": no space is left on the device; free some space, then run again; nothing was "
                             "replaced: the previous output is kept")
    now = outputs(program_dir)
    assert {p: d for p, d in now.items() if p.startswith("site-private/")} == \
        {p: d for p, d in before.items() if p.startswith("site-private/")}


def test_a_private_folder_that_cannot_be_written_is_a_message_with_its_owner(
        program_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """As root nothing is refused for its mode, so the refusal is simulated where a scratch folder is made."""
    import pwd
    import tempfile

    first = invoke(program_dir, "build", "--jobs", "1", monkeypatch=monkeypatch)
    assert first.exit_code == 0, first.output
    before = outputs(program_dir)
    edit_records(program_dir)
    private = (program_dir / "site-private").resolve()
    make_folder = tempfile.mkdtemp

    def refused(suffix: str | None = None, prefix: str | None = None, dir: Any = None) -> str:
        if dir is not None and Path(dir).resolve().is_relative_to(private):
            raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / f"{prefix or ''}x"))
        return make_folder(suffix, prefix, dir)

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    result = invoke(program_dir, "build", "--jobs", "1", monkeypatch=monkeypatch)
    me = pwd.getpwuid(os.geteuid()).pw_name
    lines = told(result, caplog)
    assert result.exit_code == 1 and len(lines) == 1, (result.stderr, lines)
    assert lines[0].startswith("mentorsite: cannot open site-private/"), lines
    assert ": permission denied; the nearest folder that exists, site-private" in lines[0], lines
    assert lines[0].endswith(f"and this runs as user {me}: give user {me} access to it, or run as its owner")
    assert {p: d for p, d in outputs(program_dir).items() if p.startswith("site-private/")} == \
        {p: d for p, d in before.items() if p.startswith("site-private/")}


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True,
                               timeout=BOUND, check=False)
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {remounted.stderr.strip()}")
    yield


@pytest.mark.slow
def test_a_read_only_checkout_is_a_message_for_new_and_build(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "24m") as disk:
        program = write_files(disk / "program", dict(BASE_PROGRAM))
        assert run_mentorsite(program, "build").returncode == 0
        before = outputs(program)
        with read_only(disk):
            session = run_mentorsite(program, "new", "session", "ana-ben", "--date", "2026-05-01")
            assert (session.returncode, session.stderr) == (
                1, "Error: cannot write content/pairs/ana-ben/sessions/2026-05-01.md: the file system is "
                   "read-only; run where it can write: a writable copy of the program, or output folders in "
                   "mkdocs.yml that are on a writable file system\n")
            built = run_mentorsite(program, "build")
            assert built.returncode == 1
            assert "Traceback" not in built.stderr
            errors = [line for line in built.stderr.splitlines() if line.startswith("Error: ")]
            assert len(errors) == 1, built.stderr
            assert errors[0] in {  # the build lock, taken first, has a message of its own
                "Error: cannot build: cannot open the lock file site-private/build.lock: Read-only file system; "
                "the private folder (private_dir) must be a folder this user can write",
            } or ": the file system is read-only; run where it can write" in errors[0], built.stderr
            assert outputs(program) == before


NOBODY = 65534


def as_nobody(program: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``mentorsite ARGUMENTS`` run as the user nobody, where this process may switch to it."""
    command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
               sys.executable, "-m", "mentorsite", *arguments]
    return subprocess.run(command, cwd=program, env={**ENVIRONMENT, "HOME": str(program)}, capture_output=True,
                          text=True, timeout=BOUND, check=False)


@pytest.mark.slow
def test_a_private_folder_another_user_owns_is_a_message_naming_both_users() -> None:
    """A real refusal: the build runs as nobody, and the pairs' folder of the private output is root's."""
    import pwd
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a build as another user")
    folder = Path(tempfile.mkdtemp(prefix="mentorsite-nobody-"))
    try:
        program = write_files(folder / "program", dict(BASE_PROGRAM))
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        probe = as_nobody(program, "--version")
        if probe.returncode != 0:
            pytest.skip(f"the user nobody cannot run this Python: {probe.stderr.strip()[-200:]}")
        first = as_nobody(program, "build")
        assert first.returncode == 0, first.stderr
        before = outputs(program)
        pairs = program / "site-private" / "pairs"
        os.chown(pairs, 0, 0)
        pairs.chmod(0o755)
        edit_records(program)
        result = as_nobody(program, "build")
        root, nobody = pwd.getpwuid(0).pw_name, pwd.getpwuid(NOBODY).pw_name
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        told = [line for line in result.stderr.splitlines() if "mentorsite: cannot " in line]
        assert len(told) == 1, result.stderr
        assert re.fullmatch(rf"ERROR   -  mentorsite: cannot \w+ site-private/pairs/\S+: permission denied; (it|the "
                            rf"nearest folder that exists, \S+,) belongs to user {root} \(mode 0755\) and this runs "
                            rf"as user {nobody}: give user {nobody} access to it, or run as its owner", told[0]), told
        assert {p: d for p, d in outputs(program).items() if p.startswith("site-private/")} == \
            {p: d for p, d in before.items() if p.startswith("site-private/")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_lost_worker_is_worded_for_any_signal_or_exit_code() -> None:
    from mentorsite.files.failures import WorkerLostError

    assert str(WorkerLostError("ana-bo", -9)).endswith(
        "(stopped by SIGKILL, as the system does when memory runs out)")
    assert str(WorkerLostError("ana-bo", -15)).endswith("(stopped by SIGTERM)")
    assert str(WorkerLostError("ana-bo", -40)).endswith("(stopped by signal 40)")  # a real-time signal
    assert str(WorkerLostError("ana-bo", 3)).endswith("(exit code 3)")
