"""The pre-commit hook and the example CI workflow, run for real on a program in git."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.programs import copy_example, write_files
from tests.test_cli import mentorsite

pytestmark = pytest.mark.slow
REPOSITORY = Path(__file__).parent.parent
WORKFLOW = REPOSITORY / "examples/ci/program-workflow.yml"
SHARDED = REPOSITORY / "examples/ci/sharded-build.yml"
BROKEN_GOAL = {"content/pairs/riley-morgan/goals/broken.md": "---\ntitle: Broken\nstatus: started\n---\n"}


def git(folder: Path, *arguments: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@localhost", *arguments],
                            cwd=folder, capture_output=True, text=True, check=True)
    return result.stdout


def started_program(folder: Path) -> Path:
    assert mentorsite(folder.parent, "init", folder.name).returncode == 0
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "Start the program")
    return folder


def test_pre_commit_hook_checks_the_records(tmp_path: Path) -> None:
    program = started_program(tmp_path / "program")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}

    def try_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPOSITORY), "mentorsite-check",
                               "--all-files"], cwd=program, capture_output=True, text=True, env=environment,
                              check=False)

    clean = try_hook()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "mentorsite check" in clean.stdout and "Passed" in clean.stdout
    write_files(program, BROKEN_GOAL)
    git(program, "add", "-A")
    broken = try_hook()
    assert broken.returncode == 1
    assert "Failed" in broken.stdout
    assert ("content/pairs/riley-morgan/goals/broken.md:3:9: error[bad-value] status: expected one of 'planned', "
            "'in-progress', 'achieved' or 'dropped', got 'started'") in broken.stdout


def workflow_steps(job: str, workflow: Path = WORKFLOW) -> list[str]:
    """The shell steps of a job in an example workflow, without the install step (mentorsite is here)."""
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    return [step["run"] for step in steps if "run" in step and "pip install" not in step["run"]]


def run_steps(program: Path, job: str, workflow: Path = WORKFLOW, matrix: dict[str, str] | None = None,
              **variables: str) -> subprocess.CompletedProcess[str]:
    script = "set -e\n" + "\n".join(workflow_steps(job, workflow))
    for name, value in (matrix or {}).items():
        script = script.replace(f"${{{{ matrix.{name} }}}}", value)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    environment = {**os.environ, "PATH": path, "NO_MKDOCS_2_WARNING": "1", **variables}
    return subprocess.run(["bash", "-c", script], cwd=program, capture_output=True, text=True, env=environment,
                          check=False)


def test_example_workflow_checks_pull_requests_and_publishes_tags(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    program = started_program(tmp_path / "program")
    git(program, "remote", "add", "origin", str(origin))
    git(program, "push", "-q", "origin", "main")

    checked = run_steps(program, "check")
    assert checked.returncode == 0, checked.stderr
    assert (program / "site/index.html").is_file()
    assert not (program / "site-private").exists()  # built to catch errors, then removed

    published = run_steps(program, "publish", GITHUB_REF_NAME="2026.1")
    assert published.returncode == 0, published.stderr
    assert "Published edition 2026.1 as latest on gh-pages." in published.stdout
    versions = git(origin, "show", "gh-pages:versions.json")
    assert '"version": "2026.1"' in versions and '"latest"' in versions

    write_files(program, BROKEN_GOAL)
    broken = run_steps(program, "check")
    assert broken.returncode == 1
    assert "broken.md:3:9: error[bad-value]" in broken.stdout


def test_sharded_workflow_builds_each_portfolio_once_across_machines(tmp_path: Path) -> None:
    """The shard jobs of the example, each on a clone; their artifacts merged; then the assemble job."""
    source = copy_example(tmp_path / "source")
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "The program")
    workflow = yaml.safe_load(SHARDED.read_text(encoding="utf-8"))
    shards = [str(shard) for shard in workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"]]
    upload = next(step for step in workflow["jobs"]["shard"]["steps"] if "upload-artifact" in step.get("uses", ""))
    assert upload["with"]["include-hidden-files"] is True  # the stamps travel with the portfolios
    assembled = tmp_path / "assemble"
    git(tmp_path, "clone", "-q", str(source), str(assembled))
    built = []
    for shard in shards:
        machine = tmp_path / f"shard-{shard}"
        git(tmp_path, "clone", "-q", str(source), str(machine))
        result = run_steps(machine, "shard", SHARDED, matrix={"shard": shard})
        assert result.returncode == 0, result.stderr
        built += [line.split(": ")[1].split()[0] for line in result.stderr.splitlines()
                  if line.startswith("portfolio ")]
        if (machine / "site-private").is_dir():
            shutil.copytree(machine / "site-private", assembled / "site-private", dirs_exist_ok=True)
    assert sorted(built) == ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]  # each once
    result = run_steps(assembled, "assemble", SHARDED)
    assert result.returncode == 0, result.stderr
    assert "built 0 portfolios (pair and review editions), 4 up to date" in result.stderr
    assert "wrote the program report" in result.stderr
    assert (assembled / "site/index.html").is_file()
    assert (assembled / "site-private/review/index.html").is_file()
