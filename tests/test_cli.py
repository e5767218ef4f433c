"""The `mentorsite` command: its outputs and exit codes, run in-process (the ``cli`` fixture).

A few tests run it as a user does, in a process of its own: the installed script,
``python -m mentorsite``, and a failure that must reach the terminal without a traceback.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.programs import copy_example, write_files


def mentorsite(program: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run the command in a process of its own in ``program``, with extra environment ``variables``."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **variables}
    return subprocess.run([sys.executable, "-m", "mentorsite", *arguments], cwd=program,
                          capture_output=True, text=True, env=environment, check=False)


def test_check_on_a_clean_program_exits_0(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "check")
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == "0 errors and 0 warnings.\n"


def test_check_prints_every_problem_with_its_location_and_exits_1(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {
        "content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\nstatus: started\n---\n",
        "content/handbook/guidelines/regular-meetings.md": "---\ntitle: Meet\naudience: [mentee]\ntopic: M\nsumary: s\n---\n",
    })
    result = cli(program_dir, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/handbook/guidelines/regular-meetings.md:2:1: error[missing-field] summary: required field is missing",
        "content/handbook/guidelines/regular-meetings.md:5:1: warning[unknown-key] sumary: unknown key; did you mean 'summary'?",
        "content/pairs/ana-ben/goals/speaking.md:3:9: error[bad-value] status: expected one of 'planned', "
        "'in-progress', 'achieved' or 'dropped', got 'started'",
    ]
    assert result.stderr == "2 errors and 1 warning.\n"


def test_check_json_lists_diagnostics_as_objects(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/closing.md": "---\ndate: 2026-04-01\nnext_step: [x]\n---\n"})
    result = cli(program_dir, "check", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == [{
        "path": "content/pairs/ana-ben/closing.md", "line": 3, "column": 1, "severity": "warning",
        "code": "unknown-key", "message": "unknown key; did you mean 'next_steps'?", "field": "next_step",
    }]


def test_check_reads_content_dir_from_mkdocs_yml(program_dir: Path, cli: Cli) -> None:
    (program_dir / "content").rename(program_dir / "records")
    config = (program_dir / "mkdocs.yml").read_text()
    config = config.replace("docs_dir: content/handbook", "docs_dir: records/handbook")
    config = config.replace("  - mentorsite\n", "  - mentorsite:\n      content_dir: records\n")
    write_files(program_dir, {"mkdocs.yml": config,
                              "records/pairs/ana-ben/closing.md": "---\ndate: 2026-13-01\n---\n"})
    result = cli(program_dir, "check")
    assert result.returncode == 1
    assert result.stdout.startswith("records/pairs/ana-ben/closing.md:2:7: error[bad-date]")


def test_build_writes_the_handbook(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert (program_dir / "site/guidelines/clear-goals/index.html").is_file()


def test_build_failure_is_a_message_and_exit_1(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/pair.yml": "mentor: {name: B}\n"})
    result = cli(program_dir, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "pair.yml:1:1: error[missing-field] mentee: required field is missing" in result.stderr


def test_version(cli: Cli) -> None:
    result = cli(Path.cwd(), "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mentorsite, version ")


def test_build_pair_builds_only_that_portfolio_and_the_review_index(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "build", "--pair", "ana-ben")
    assert result.returncode == 0, result.stderr
    assert "built 1 portfolio (pair and review editions) in site-private" in result.stderr
    assert (program_dir / "site-private/pairs/ana-ben/index.html").is_file()
    assert (program_dir / "site-private/review/ana-ben/index.html").is_file()
    assert "ana-ben/index.html" in (program_dir / "site-private/review/index.html").read_text()
    assert not (program_dir / "site").exists()  # the handbook is not rebuilt


def test_build_pair_names_an_unknown_pair(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "build", "--pair", "ana-bne")
    assert result.returncode == 1
    assert result.stderr.endswith("Error: no pair 'ana-bne' in content/pairs; did you mean 'ana-ben'?\n")


def test_build_pair_with_errors_keeps_its_portfolio_and_exits_1(program_dir: Path, cli: Cli) -> None:
    assert cli(program_dir, "build", "--pair", "ana-ben").returncode == 0
    before = (program_dir / "site-private/pairs/ana-ben/index.html").read_bytes()
    write_files(program_dir, {"content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\n---\n"})
    result = cli(program_dir, "build", "--pair", "ana-ben")
    assert result.returncode == 1
    assert "speaking.md:2:1: error[missing-field] status: required field is missing" in result.stderr
    assert "Error: mentorsite: 1 pair not built, their previous pair editions kept: ana-ben" in result.stderr
    assert (program_dir / "site-private/pairs/ana-ben/index.html").read_bytes() == before


def test_the_log_reaches_each_command_once(program_dir: Path, cli: Cli) -> None:
    """In-process, each run sets up its log anew: the second run's messages are its own, shown once,
    and the handlers a run adds are gone after it."""
    write_files(program_dir, {"content/pairs/ana-ben/pair.yml": "mentor: {name: B}\n"})
    expected = "pair.yml:1:1: error[missing-field] mentee: required field is missing"
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    before = [logger.handlers[:] for logger in loggers]
    for _ in range(2):
        result = cli(program_dir, "build")
        assert result.returncode == 1
        assert result.stderr.count(expected) == 1, result.stderr
        assert [logger.handlers for logger in loggers] == before


# In a process of its own ------------------------------------------------------------------


def test_the_installed_script_runs(program_dir: Path) -> None:
    script = Path(sys.executable).with_name("mentorsite")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=environment,
                             check=False)
    assert (version.returncode, version.stdout.startswith("mentorsite, version ")) == (0, True), version.stderr
    check = subprocess.run([str(script), "check"], cwd=program_dir, capture_output=True, text=True,
                           env=environment, check=False)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "0 errors and 0 warnings.\n")


def test_python_m_mentorsite_checks_and_exits_1_on_errors(program_dir: Path) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\nstatus: started\n---\n"})
    result = mentorsite(program_dir, "check")
    assert result.returncode == 1
    assert result.stdout.startswith("content/pairs/ana-ben/goals/speaking.md:3:9: error[bad-value] status: ")
    assert result.stderr == "1 error and 0 warnings.\n"


def test_a_failed_build_is_a_message_without_a_traceback_in_a_process(program_dir: Path) -> None:
    write_files(program_dir, {"content/pairs/ana-ben/pair.yml": "mentor: {name: B}\n"})
    result = mentorsite(program_dir, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "pair.yml:1:1: error[missing-field] mentee: required field is missing" in result.stderr


# The command as the system runs it: `run` ends the process without the interpreter's teardown.
RUN = ("import atexit, sys, threading, time\n"
       "class Kept:\n"
       "    def __del__(self): print('torn down', file=sys.stderr, flush=True)\n"
       "kept = Kept()\n"
       "atexit.register(lambda: print('exit handler', file=sys.stderr))\n"
       "if sys.argv.pop(1) == 'thread':\n"
       "    threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', file=sys.stderr))).start()\n"
       "sys.argv[0] = 'mentorsite'\n"
       "from mentorsite.cli import run\n"
       "run()\n")


@pytest.mark.parametrize(("arguments", "code", "said"), [
    (["--version"], 0, "mentorsite, version"), (["no-such-command"], 2, "No such command"),
    (["build", "--pair", "nobody"], 1, "no pair 'nobody'"), (["--help"], 0, "Commands:")])
def test_the_command_exits_with_its_code_its_output_whole_and_its_exit_handlers_run(
        program_dir: Path, arguments: list[str], code: int, said: str) -> None:
    result = subprocess.run([sys.executable, "-c", RUN, "-", *arguments], cwd=program_dir, capture_output=True,
                            text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
    assert result.returncode == code
    assert said in result.stdout + result.stderr
    assert "exit handler" in result.stderr
    assert "torn down" not in result.stderr  # no teardown: the process ended once the command had
    if arguments == ["--help"]:  # written to a pipe, and flushed whole before the process ended
        usual = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'mentorsite'; "
                                "from mentorsite.cli import main; main()", "--help"], cwd=program_dir,
                               capture_output=True, text=True, check=True)
        assert result.stdout == usual.stdout


def test_a_command_that_leaves_a_thread_running_exits_the_usual_way(program_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-c", RUN, "thread", "--version"], cwd=program_dir,
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            check=False)
    assert result.returncode == 0
    assert "thread done" in result.stderr and "exit handler" in result.stderr


def test_the_command_succeeds_with_its_output_closed_and_under_a_profiler(program_dir: Path,
                                                                         tmp_path: Path) -> None:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    closed = subprocess.run(["sh", "-c", '"$0" "$@" >&-', sys.executable, "-m", "mentorsite", "--version"],
                            cwd=program_dir, capture_output=True, text=True, env=environment, check=False)
    assert (closed.returncode, closed.stderr) == (0, "")
    profile = tmp_path / "build.prof"
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mentorsite",
                               "--version"], cwd=program_dir, capture_output=True, text=True, env=environment,
                              check=False)
    assert profiled.returncode == 0 and profile.stat().st_size > 0  # written as the interpreter exits


# Start-up held back from the cycle collector, then frozen out of its passes with the records read.
COLLECTOR = ("import atexit, gc, sys\n"
             "from mentorsite.cli import base\n"
             "seen = {}\n"
             "started = base._started\n"
             "def noted():\n"
             "    seen['paused'] = not gc.isenabled()\n"
             "    started()\n"
             "    seen['resumed'], seen['frozen'] = gc.isenabled(), gc.get_freeze_count()\n"
             "base._started = noted\n"
             "atexit.register(lambda: print(seen['paused'], seen['resumed'], seen['frozen'] > 0,\n"
             "                              gc.get_freeze_count() > seen['frozen'], file=sys.stderr))\n"
             "sys.argv[0] = 'mentorsite'\n"
             "base.run()\n")


@pytest.mark.parametrize("jobs", ["1", "2"])  # with 2, the pairs are built by workers forked from it
def test_a_build_in_a_process_of_its_own_keeps_what_it_read_from_the_collector_and_a_host_unfrozen(
        tmp_path: Path, cli: Cli, jobs: str) -> None:
    program_dir = copy_example(tmp_path / "example")  # four pairs, all built now
    result = subprocess.run([sys.executable, "-c", COLLECTOR, "build", "--jobs", jobs], cwd=program_dir,
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "built 4 portfolios" in result.stderr
    assert result.stderr.splitlines()[-1] == "True True True True"
    frozen = gc.get_freeze_count()
    assert cli(program_dir, "build", "--jobs", "1").returncode == 0  # inside this test process
    assert gc.isenabled() and gc.get_freeze_count() == frozen
