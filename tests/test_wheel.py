"""A fresh install from the wheel builds a program that lives outside this repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.programs import BASE_PROGRAM, write_files

pytestmark = pytest.mark.slow
REPOSITORY = Path(__file__).parent.parent


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    environment["NO_MKDOCS_2_WARNING"] = "1"
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment, check=False)


@dataclass(frozen=True)
class Installed:
    names: list[str]
    environment: Path

    def command(self, name: str) -> str:
        return str(self.environment / "bin" / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp_path = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist")],
                REPOSITORY)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("mentorsite-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mentorsite/py.typed" in names
    assert "mentorsite/themes/handbook/guideline.md.j2" in names
    assert "mentorsite/themes/portfolio/overview.md.j2" in names
    assert "mentorsite/themes/review/index.md.j2" in names
    assert "mentorsite/themes/private/overrides/partials/search.html" in names  # private sites' overrides
    assert "mentorsite/themes/private/mentorsite.css" in names
    assert not any(name.startswith(("tests/", "content/", "themes/")) for name in names)

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    return Installed(names, environment)


def test_wheel_installs_and_builds_a_program_elsewhere(installed: Installed, tmp_path: Path) -> None:
    environment = installed.environment
    python = environment / "bin" / "python"
    program = write_files(tmp_path / "elsewhere", dict(BASE_PROGRAM))
    build = run([str(environment / "bin" / "mkdocs"), "build", "--strict"], program)
    assert build.returncode == 0, build.stderr
    page = (program / "site/guidelines/clear-goals/index.html").read_text(encoding="utf-8")
    assert "Agree a few specific, dated goals early." in page
    assert (program / "site/checklists/mentee/index.html").is_file()
    dashboard = (program / "site-private/pairs/ana-ben/index.html").read_text(encoding="utf-8")
    assert "Ana Silva and Ben Adler" in dashboard and 'id="r-chart-sessions"' in dashboard
    assert (program / "site-private/review/ana-ben/search/search_index.json").is_file()
    assert "ana-ben/index.html" in (program / "site-private/review/index.html").read_text(encoding="utf-8")

    where = run([str(python), "-c", "import mentorsite.files.themes as t; print(t.bundled_templates_dir())"], program)
    assert where.stdout.strip().startswith(str(environment)), "templates must come from the installed wheel"

    check = run([str(environment / "bin" / "mentorsite"), "check"], program)
    assert check.returncode == 0, check.stdout + check.stderr

    # The same installed plugin under the ProperDocs fork, which runs MkDocs plugins as they are.
    fork = run([str(python), "-m", "pip", "install", "--quiet", "properdocs>=1.6,<2"], tmp_path)
    assert fork.returncode == 0, fork.stderr
    shutil.rmtree(program / "site")
    shutil.rmtree(program / "site-private")
    forked = run([str(environment / "bin" / "properdocs"), "build", "--strict"], program)
    assert forked.returncode == 0, forked.stderr
    assert "Agree a few specific, dated goals early." in (
        program / "site/guidelines/clear-goals/index.html").read_text(encoding="utf-8")
    assert (program / "site-private/review/ana-ben/index.html").is_file()



def test_the_installed_command_starts_a_program_and_encrypts_its_portfolios(installed: Installed,
                                                                            tmp_path: Path) -> None:
    environment = installed.environment
    python = environment / "bin" / "python"
    names = installed.names
    # The installed command starts a program that builds at once, and writes records into it.
    started = run([str(environment / "bin" / "mentorsite"), "init", "started"], tmp_path)
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "started/.gitignore").is_file() and (tmp_path / "started/.pre-commit-config.yaml").is_file()
    new = run([str(environment / "bin" / "mentorsite"), "new", "checkin", "riley-morgan"], tmp_path / "started")
    assert new.returncode == 0, new.stderr
    built = run([str(environment / "bin" / "mentorsite"), "build", "--strict"], tmp_path / "started")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "started/site-private/pairs/riley-morgan/checkins.html").is_file()

    # Encrypted portfolios from the installed wheel: the browser code ships in it, and a pair's
    # portfolio opens with its passphrase and with nothing else.
    assert {"mentorsite/themes/vault/sw.js", "mentorsite/themes/vault/unlock.js"} <= set(names)
    keys = tmp_path / "keys.yml"
    keys.write_text(f"folder_secret: '{'5eed' * 16}'\nreview: reviewers passphrase\n"
                    "pairs:\n  riley-morgan: riley and morgan passphrase\n")
    keys.chmod(0o600)
    config = tmp_path / "started/mkdocs.yml"
    config.write_text(config.read_text().replace(
        "  - mentorsite\n", f"  - mentorsite:\n      encryption: {{enabled: true, keys_file: {keys}}}\n"))
    sealed = run([str(environment / "bin" / "mentorsite"), "build", "--strict"], tmp_path / "started")
    assert sealed.returncode == 0, sealed.stderr
    opened = run([str(python), "-c", (
        "import sys; from pathlib import Path; from mentorsite.vault.sealing import open_site; "
        "from mentorsite.vault.passphrases import folder_name; "
        "site = Path('site/portfolios/pairs') / folder_name('riley and morgan passphrase', 'riley-morgan', "
        "bytes.fromhex('5eed' * 16)); "
        "files = open_site(site, 'riley and morgan passphrase'); "
        "print(sorted(files)[:3], b'Riley' in files['index.html'])")], tmp_path / "started")
    assert opened.returncode == 0, opened.stderr
    assert "['agreement.html', 'checkins.html', 'goals/index.html'] True" in opened.stdout


README = REPOSITORY / "README.md"
SETUP_SECTION = "## Set-up from nothing"


def setup_commands(readme: Path) -> list[str]:
    """The shell blocks of the README's set-up section, in order."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(SETUP_SECTION) + len(SETUP_SECTION):]
    section = section.split("\n## ")[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_the_readmes_set_up_from_nothing_runs_as_written(installed: Installed, tmp_path: Path) -> None:
    """From an empty folder holding the wheel: install, init --git, check, build, publish, push,
    with a home of its own (git's user set as the README says) and no mentorsite on PATH;
    then the starter's pre-commit hook, which installs its own mentorsite."""
    (wheel,) = (installed.environment.parent / "dist").glob("mentorsite-*.whl")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(wheel, empty / wheel.name)
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    script = "set -e\n" + "\n".join(setup_commands(README)).replace("URL_OF_YOUR_REPOSITORY", str(origin))
    home = tmp_path / "home"
    home.mkdir()
    cache = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache/pip"))
    environment = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "PIP_CACHE_DIR": cache,
                   "NO_MKDOCS_2_WARNING": "1", "LANG": "C.UTF-8", "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(["bash", "-c", script], cwd=empty, capture_output=True, text=True, env=environment,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Started a git repository in handbook with every file in a first commit." in result.stdout
    assert "Published edition 2026.1 as latest on gh-pages." in result.stdout
    assert "Edition 2026.1 as latest is already published as it is on gh-pages.\nPushed gh-pages to origin." in (
        result.stdout)
    versions = subprocess.run(["git", "show", "gh-pages:versions.json"], cwd=origin, capture_output=True, text=True,
                              check=True).stdout
    assert '"version": "2026.1"' in versions and '"latest"' in versions
    program = empty / "handbook"
    log = subprocess.run(["git", "log", "--format=%an <%ae>"], cwd=program, capture_output=True, text=True,
                         check=True, env=environment).stdout
    assert log == "Your Name <you@example.org>\n"

    # The starter's hooks, run by pre-commit with no mentorsite on PATH: they install their own.
    hooks = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=program,
                           capture_output=True, text=True, check=False,
                           env={**environment, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")})
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert "mentorsite check" in hooks.stdout and "Passed" in hooks.stdout
    assert "Failed" not in hooks.stdout
