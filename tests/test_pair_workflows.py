"""The example workflows for pair repositories, their steps run for real on local git remotes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.programs import add_plugin_options, copy_example
from tests.test_cli import mentorsite
from tests.test_hooks import git, run_steps

pytestmark = pytest.mark.slow
REPOSITORY = Path(__file__).parent.parent
PAIR_WORKFLOW = REPOSITORY / "examples/ci/pair-repository.yml"
PROGRAM_WORKFLOW = REPOSITORY / "examples/ci/program-with-pair-repositories.yml"
PAIRS = ["lena-marcus", "noor-james", "priya-tomas", "sofia-david"]


def pair_remotes(program: Path, remotes: Path) -> list[Path]:
    """Each of the example's pairs moved out of ``program`` into a repository of its own, pushed to a bare remote."""
    made = []
    for pair in PAIRS:
        own = remotes.parent / "work" / pair
        shutil.copytree(program / "content/pairs" / pair, own)
        shutil.rmtree(program / "content/pairs" / pair)
        (own / "mentorsite-pair.yml").write_text(f"pair: {pair}\n", encoding="utf-8")
        git(own, "init", "-q", "-b", "main")
        git(own, "add", "-A")
        git(own, "commit", "-qm", "The pair's records")
        bare = remotes / f"{pair}.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(own), str(bare)], check=True)
        made.append(bare)
    return made


def test_the_program_workflow_syncs_the_pairs_and_builds_nothing_it_keeps(tmp_path: Path) -> None:
    program = copy_example(tmp_path / "program")
    reference = copy_example(tmp_path / "reference")
    remotes = pair_remotes(program, tmp_path / "remotes")
    entries = "".join(f"        - git: {remote}\n" for remote in remotes)
    add_plugin_options(program, f"      pair_sources:\n{entries}")
    git(program, "init", "-q", "-b", "main")
    git(program, "add", "-A")
    git(program, "commit", "-qm", "The program")
    assert "lena-marcus" not in git(program, "ls-files")  # the program's repository holds no pair
    variables = {"PAIRS_TOKEN": "not-used-by-local-remotes", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
                 "SOURCE_DATE_EPOCH": "1795262400"}
    checked = run_steps(program, "check", PROGRAM_WORKFLOW, **variables)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "not-used-by-local-remotes" not in checked.stdout + checked.stderr
    assert (program / "site/index.html").is_file()
    assert not (program / "site-private").exists() and not (program / "pair-sources").exists()
    synced = mentorsite(program, "pairs", "sync", **variables)
    assert synced.returncode == 0, synced.stderr
    built = mentorsite(program, "build", **variables)
    assert built.returncode == 0, built.stderr
    assert mentorsite(reference, "build", **variables).returncode == 0
    for output in ("site", "site-private/pairs", "site-private/review"):
        assert tree(program / output) == tree(reference / output), output


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def test_the_pair_workflow_checks_a_pair_repository_against_the_handbook(tmp_path: Path) -> None:
    handbook = copy_example(tmp_path / "program")
    assert mentorsite(handbook, "build").returncode == 0
    pair = tmp_path / "lena-marcus"
    shutil.copytree(handbook / "content/pairs/lena-marcus", pair)
    (pair / "mentorsite-pair.yml").write_text(f"pair: lena-marcus\nhandbook: {handbook / 'site'}\n",
                                              encoding="utf-8")
    checked = run_steps(pair, "check", PAIR_WORKFLOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    session = next(path for path in sorted((pair / "sessions").glob("*.md"))
                   if "guidelines: [" in path.read_text(encoding="utf-8"))
    text = session.read_text(encoding="utf-8")
    session.write_text(text.replace("guidelines: [", "guidelines: [no-such-guideline, ", 1), encoding="utf-8")
    assert "no-such-guideline" in session.read_text(encoding="utf-8")
    broken = run_steps(pair, "check", PAIR_WORKFLOW)
    assert broken.returncode == 1
    assert "no-such-guideline" in broken.stdout + broken.stderr
