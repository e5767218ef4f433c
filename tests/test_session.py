"""The program session in the core: settings read whole and located, a session opened without MkDocs.

Issue 18: the program's run-time state lived on the MkDocs plugin object, settings problems
stopped one at a time with no line, and the commands ran every plugin's ``on_config`` by hand
to reach mentorsite's state.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

import mentorsite
from mentorsite.session.settings import EngineSettings, read_settings, resolve_as_of
from tests.conftest import Cli
from tests.programs import BASE_PROGRAM, add_plugin_options, copy_example, write_files

PACKAGE = Path(mentorsite.__file__).parent
TWO_BAD = "      as_of: '2026-13-01'\n      report:\n        min_pairs: 1\n"


def located(output: str, text: str) -> tuple[int, int]:
    """The line and column of the message holding ``text``, as it says them."""
    line = next(line for line in output.splitlines() if text in line)
    _, row, column, _ = line.split(":", 3)
    return int(row), int(column)


def test_check_reports_two_bad_settings_each_at_its_line_and_column(tmp_path: Path, cli: Cli) -> None:
    program = add_plugin_options(copy_example(tmp_path / "program"), TWO_BAD)
    lines = (program / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    result = cli(program, "check")
    assert result.returncode == 1
    as_of_row = next(i for i, line in enumerate(lines, 1) if "as_of:" in line)
    pairs_row = next(i for i, line in enumerate(lines, 1) if "min_pairs:" in line)
    assert located(result.stdout, "error[bad-setting] as_of") == (as_of_row, lines[as_of_row - 1].index("'") + 1)
    assert located(result.stdout, "error[bad-setting] report.min_pairs") == (
        pairs_row, lines[pairs_row - 1].index("1") + 1)
    assert "expected a date YYYY-MM-DD, got '2026-13-01'" in result.stdout
    assert "expected at least 3 pairs" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_build_lists_every_bad_setting_before_it_touches_the_site(tmp_path: Path, cli: Cli) -> None:
    program = add_plugin_options(copy_example(tmp_path / "program"),
                                 TWO_BAD + "      private_dir: site/private\n      jobs: -2\n")
    result = cli(program, "build")
    assert result.returncode == 1
    for setting in ("as_of", "report.min_pairs", "private_dir", "jobs"):
        assert f"error[bad-setting] {setting}:" in result.stderr, setting
    assert not (program / "site").exists() and not (program / "site-private").exists()


def test_mkdocs_build_lists_them_too(tmp_path: Path) -> None:
    program = add_plugin_options(copy_example(tmp_path / "program"), TWO_BAD)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=program, capture_output=True,
                            text=True, check=False, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "error[bad-setting] as_of:" in result.stderr and "error[bad-setting] report.min_pairs:" in result.stderr
    assert "Traceback" not in result.stderr


def engine(root: Path) -> EngineSettings:
    return EngineSettings(root / "mkdocs.yml", root / "site", root / "content" / "handbook")


def test_settings_are_typed_and_a_bad_value_falls_back_to_its_default(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("plugins:\n  - mentorsite:\n      jobs: -1\n      as_of: 2026-02-30x\n")
    settings, problems = read_settings({"jobs": -1, "as_of": "2026-02-30x", "cache_dir": "content/cache"},
                                       engine(tmp_path), environ={"SOURCE_DATE_EPOCH": "0"})
    where = {p.field: (p.line, p.column) for p in problems}
    assert set(where) == {"jobs", "as_of", "cache_dir"}
    assert where["jobs"] == (3, 13) and where["as_of"] == (4, 14)
    assert where["cache_dir"] == (3, 7)  # not in the file: at the start of the plugin's settings
    assert settings.jobs == 0 and settings.as_of == date.today()
    assert settings.content_dir == (tmp_path / "content").resolve()
    assert settings.private_dir == (tmp_path / "site-private").resolve()


def test_a_setting_of_the_wrong_type_is_located_too(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("plugins:\n  - mentorsite:\n      report:\n        min_pairs: many\n")
    _, problems = read_settings({"report": {"min_pairs": "many"}}, engine(tmp_path))
    assert [(p.field, p.line, p.column, p.message) for p in problems] == [
        ("report.min_pairs", 4, 20, "expected int, got str")]


@pytest.mark.parametrize(("options", "field"), [
    ({"private_dir": "site"}, "private_dir"),
    ({"private_dir": "content/private"}, "private_dir"),
    ({"private_dir": "."}, "private_dir"),
    ({"cache_dir": "site/cache"}, "cache_dir"),
    ({"cache_dir": "site-private/cache"}, "cache_dir"),
    ({"encryption": {"enabled": True, "output_dir": "site"}}, "encryption.output_dir"),
    ({"encryption": {"enabled": True, "output_dir": "content/sealed"}}, "encryption.output_dir"),
    ({"encryption": {"enabled": True, "keys_file": "site-private/keys.yml"}}, "encryption.keys_file"),
    ({"encryption": {"enabled": True, "keys_file": "content/keys.yml"}}, "encryption.keys_file"),
    ({"encryption": {"enabled": True, "iterations": 10}}, "encryption.iterations"),
    ({"encryption": {"enabled": True, "shared_origin": "sometimes"}}, "encryption.shared_origin"),
    ({"report": {"min_pairs": 2}}, "report.min_pairs"),
    ({"practices": {"meeting-cadence": {"no-such-threshold": 1}}}, "practices.meeting-cadence"),
])
def test_every_unusable_setting_is_a_located_problem(tmp_path: Path, options: dict[str, object],
                                                     field: str) -> None:
    _, problems = read_settings(options, engine(tmp_path))
    assert any(p.is_error and p.field.startswith(field) for p in problems), problems


def test_a_program_with_defaults_has_no_settings_problem(tmp_path: Path) -> None:
    assert read_settings({}, engine(tmp_path))[1] == []


def test_as_of_from_the_environment_is_checked_with_the_settings() -> None:
    assert resolve_as_of(None, {"SOURCE_DATE_EPOCH": "86400"}) == date(1970, 1, 2)
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        resolve_as_of(None, {"SOURCE_DATE_EPOCH": "soon"})


def test_a_session_opens_from_settings_alone_and_loads_no_engine(tmp_path: Path) -> None:
    """The core opens a program without MkDocs: a second engine would open it the same way."""
    program = write_files(tmp_path / "program", BASE_PROGRAM)
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from mentorsite.reading.loading import ProgramPlaces
        from mentorsite.session.opening import open_session
        from mentorsite.session.settings import EngineSettings, read_settings
        root = Path({str(program)!r})
        settings, problems = read_settings({{"as_of": "2026-03-01"}},
                                           EngineSettings(root / "mkdocs.yml", root / "site", root / "content/handbook"))
        session = open_session(settings, ProgramPlaces.defaults(root / "content"), version=None, seal=False)
        assert problems == [] and session.portfolio.as_of.isoformat() == "2026-03-01"
        assert session.checked.program.handbook.guidelines and session.encryption is None
        assert session.edition.manifest.version is None
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material", "click")))
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_an_unknown_pair_is_named_with_the_closest_one(tmp_path: Path, cli: Cli) -> None:
    program = copy_example(tmp_path / "program")
    result = cli(program, "build", "--pair", "lena-marcos")
    assert result.returncode == 1
    assert "no pair 'lena-marcos' in content/pairs" in result.stderr and "lena-marcus" in result.stderr


def test_nothing_runs_the_plugins_on_config_by_hand() -> None:
    """Only MkDocs calls the handbook's ``on_config``: the commands and the preview open a session.

    The one call left sets up each portfolio's own site, whose plugins are search and the
    private pages' (``site/factory.py``), never the handbook's configuration.
    """
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "on_config" and \
                    isinstance(getattr(node, "ctx", None), ast.Load):
                calls.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert [call.split(":")[0] for call in calls] == ["site/factory.py"]


def test_the_plugin_holds_no_state_that_waits_for_on_config() -> None:
    """No ``assert ... "on_config runs first"`` and a plugin of about 200 lines."""
    source = (PACKAGE / "site" / "plugin.py").read_text(encoding="utf-8")
    assert "runs first" not in source
    assert len(source.splitlines()) <= 220


# Attacker review of the session (places the settings must keep apart) --------------------


def test_records_or_templates_inside_the_site_folder_are_refused_before_a_build_replaces_it(
        tmp_path: Path, cli: Cli) -> None:
    """The site is swapped in whole: records kept in it would be published, then deleted."""
    import shutil

    program = copy_example(tmp_path / "program")
    shutil.copytree(program / "content/handbook", program / "hb")
    (program / "site").mkdir()
    (program / "content").rename(program / "site/content")
    text = (program / "mkdocs.yml").read_text(encoding="utf-8").replace("docs_dir: content/handbook", "docs_dir: hb")
    (program / "mkdocs.yml").write_text(text.replace("      content_dir: content\n",
                                                     "      content_dir: site/content\n"
                                                     "      templates_dir: site/templates\n"), encoding="utf-8")
    checked = cli(program, "check")
    assert "error[bad-setting] content_dir:" in checked.stdout
    assert "error[bad-setting] templates_dir:" in checked.stdout
    built = cli(program, "build")
    assert built.returncode == 1 and "must be outside site_dir" in built.stderr
    assert (program / "site/content/pairs/lena-marcus/pair.yml").is_file()


@pytest.mark.parametrize("value", ["2026-01-01 10:00:00", "2026-01-01T10:00:00Z"])
def test_an_as_of_with_a_time_is_a_located_problem_not_a_crash(tmp_path: Path, cli: Cli, value: str) -> None:
    program = add_plugin_options(copy_example(tmp_path / "program"), f"      as_of: {value}\n")
    for command in (("check",), ("build",), ("export", "lena-marcus")):
        result = cli(program, *command)
        assert result.returncode == 1, command
        assert "error[bad-setting] as_of: expected a date YYYY-MM-DD, got a date and time" in (
            result.stdout + result.stderr), command
        assert "internal error" not in result.stderr


def test_nothing_private_goes_into_the_sealed_folder_outside_the_site(tmp_path: Path, cli: Cli) -> None:
    """The sealed folder is published (on a host of its own): no record cache, no plain export in it."""
    program = add_plugin_options(copy_example(tmp_path / "program"),
                                 "      cache_dir: sealed/cache\n      encryption:\n        enabled: true\n"
                                 "        output_dir: sealed\n")
    checked = cli(program, "check")
    assert "error[bad-setting] cache_dir:" in checked.stdout and "encryption.output_dir" in checked.stdout
    text = (program / "mkdocs.yml").read_text(encoding="utf-8").replace("      cache_dir: sealed/cache\n", "")
    (program / "mkdocs.yml").write_text(text, encoding="utf-8")
    exported = cli(program, "export", "lena-marcus", "-o", "sealed/pairs/plain.zip")
    assert exported.returncode == 1 and "must not go into encryption.output_dir" in exported.stderr
    assert not (program / "sealed/pairs/plain.zip").exists()


def test_mkdocs_serve_keeps_private_folders_out_of_the_site_folder_mkdocs_yml_names(tmp_path: Path) -> None:
    """`mkdocs serve` builds into a temporary folder; the real site folder is still the one to keep out of."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    program = add_plugin_options(copy_example(tmp_path / "program"), "      cache_dir: site/cache\n")
    config = load_config(str(program / "mkdocs.yml"), site_dir=str(tmp_path / "served"))
    plugin = config.plugins["mentorsite"]
    plugin.on_startup(command="serve", dirty=False)
    with pytest.raises(PluginError, match=r"cache_dir: .*must be apart from site_dir"):
        plugin.on_config(config)
    assert not (program / "site").exists()
