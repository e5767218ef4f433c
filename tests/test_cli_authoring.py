"""`mentorsite init`, `new` and `schema`: their outputs, files and exit codes (run in-process)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml

from mentorsite.reading.sources import read_markdown
from tests.conftest import Cli
from tests.programs import write_files


def front_matter(path: Path) -> dict[str, object]:
    document = read_markdown(path.read_bytes(), path.name)
    assert document.diagnostics == []
    return dict(document.data or {})


def test_init_then_build_in_an_empty_folder(tmp_path: Path, cli: Cli) -> None:
    result = cli(tmp_path, "init", "program", "--name", "Acme Mentoring")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Started a mentoring program in program: 20 files, a handbook of 6 guidelines and one sample pair.",
        "Next: cd program && mentorsite build   (or mentorsite serve)",
    ]
    program = tmp_path / "program"
    assert yaml.safe_load((program / "mkdocs.yml").read_text())["site_name"] == "Acme Mentoring"
    ignored = [line for line in (program / ".gitignore").read_text().splitlines() if not line.startswith("#")]
    # outputs (exports go into site-private/ by default), exports written elsewhere, the cache of parsed records
    assert ignored == ["site/", "site-private/", "*-pair.zip", "*-review.zip", ".cache/"]
    check = cli(program, "check")
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "0 errors and 0 warnings.\n")
    build = cli(program, "build", "--strict")
    assert build.returncode == 0, build.stderr
    assert (program / "site/guidelines/set-goals/index.html").is_file()
    assert (program / "site-private/pairs/riley-morgan/sessions/index.html").is_file()
    assert list((program / ".cache/mentorsite/records").glob("*.pickle"))
    session = front_matter(next((program / "content/pairs/riley-morgan/sessions").glob("*.md")))
    assert session["date"] == date.today().isoformat()


def test_init_refuses_a_folder_with_files(tmp_path: Path, cli: Cli) -> None:
    write_files(tmp_path, {"program/notes.txt": "mine"})
    result = cli(tmp_path, "init", "program")
    assert result.returncode == 1
    assert result.stderr == ("Error: program is not empty; init starts a program in a new or empty folder\n")
    assert sorted(p.name for p in (tmp_path / "program").iterdir()) == ["notes.txt"]


def test_scaffolded_records_carry_the_schema_hint(tmp_path: Path, cli: Cli) -> None:
    cli(tmp_path, "init", "program")
    program = tmp_path / "program"
    records = [p for p in (program / "content").rglob("*") if p.suffix in (".md", ".yml")]
    assert len(records) == 10
    for record in records:
        lines = record.read_text().splitlines()
        hint = lines[1] if lines[0] == "---" else lines[0]
        assert hint.startswith("# yaml-language-server: $schema="), record
        assert (record.parent / hint.split("=", 1)[1]).resolve().is_file(), record


def test_new_pair_writes_a_proposed_pair(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "new", "pair", "cy-dee", "--mentor", "Dee Okafor", "--mentee", "Cy: Lin",
                        "--mentee-role", "Analyst", "--start", "2026-11-23", "--cohort", "2026-autumn")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote content/pairs/cy-dee/pair.yml\n"
    assert result.stderr == "Tip: run `mentorsite schema` so that your editor checks the file as you type.\n"
    data = yaml.safe_load((program_dir / "content/pairs/cy-dee/pair.yml").read_text())
    assert data == {"mentor": {"name": "Dee Okafor"}, "mentee": {"name": "Cy: Lin", "role": "Analyst"},
                    "start": date(2026, 11, 23), "status": "proposed", "cohort": "2026-autumn"}
    assert cli(program_dir, "check").returncode == 0
    again = cli(program_dir, "new", "pair", "cy-dee", "--mentor", "A", "--mentee", "B")
    assert (again.returncode, again.stderr) == (1, "Error: content/pairs/cy-dee exists already\n")
    bad = cli(program_dir, "new", "pair", "Cy Dee", "--mentor", "A", "--mentee", "B")
    assert bad.stderr == "Error: expected a pair id of a-z, 0-9 and single '-' (like 'ana-ben'), got 'Cy Dee'\n"


def test_first_session_carries_a_first_meeting_agenda(program_dir: Path, cli: Cli) -> None:
    cli(program_dir, "new", "pair", "cy-dee", "--mentor", "Dee", "--mentee", "Cy", "--start", "2026-01-05")
    assert cli(program_dir, "new", "agreement", "cy-dee", "--every", "1", "--unit", "months").returncode == 0
    result = cli(program_dir, "new", "session", "cy-dee", "--date", "2026-01-31")
    assert result.returncode == 0, result.stderr
    session = front_matter(program_dir / "content/pairs/cy-dee/sessions/2026-01-31.md")
    assert session["agenda"] == [
        "Get acquainted: our backgrounds and how each of us likes to work",
        "Goals: what the mentee wants from the mentoring, and first ideas for goals",
        "Cadence: how often, how long and where we meet, and how we keep in touch in between",
        "Confidentiality: what stays between us, and what reviewers may see",
        "Book the next three meetings: 2026-02-28, 2026-03-31, 2026-04-30",
    ]
    assert session["minutes"] == 60
    assert cli(program_dir, "check").stderr == "0 errors and 0 warnings.\n"


def test_later_session_lists_open_actions_and_goals_in_progress(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "new", "session", "ana-ben", "--date", "2026-02-20")
    assert result.stdout == "Wrote content/pairs/ana-ben/sessions/2026-02-20.md\n"
    session = front_matter(program_dir / "content/pairs/ana-ben/sessions/2026-02-20.md")
    assert session["agenda"] == ["Follow up: Draft the talk (mentee, due 2026-02-17, overdue)",
                                 "Progress on Speak at the team demo",
                                 "What went well since we last met, and what got in the way"]
    assert session["goals"] == ["speaking"]
    assert session["visibility"] == "pair"
    again = cli(program_dir, "new", "session", "ana-ben", "--date", "2026-02-20")
    assert (again.returncode, again.stderr) == (
        1, "Error: content/pairs/ana-ben/sessions/2026-02-20.md exists; it was left as it is\n")
    second = cli(program_dir, "new", "session", "ana-ben", "--date", "2026-02-20", "--topic", "Talk rehearsal")
    assert second.stdout == "Wrote content/pairs/ana-ben/sessions/2026-02-20-talk-rehearsal.md\n"
    assert cli(program_dir, "check").returncode == 0


def test_new_session_is_dated_today_by_default(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "new", "session", "ana-ben")
    today = date.today().isoformat()
    assert result.stdout == f"Wrote content/pairs/ana-ben/sessions/{today}.md\n"


def test_new_goal_checkin_and_closing(program_dir: Path, cli: Cli) -> None:
    (program_dir / "content/pairs/ana-ben/closing.md").unlink()
    goal = cli(program_dir, "new", "goal", "ana-ben", "Run a design review!", "--due", "2026-06-30")
    assert goal.stdout == "Wrote content/pairs/ana-ben/goals/run-a-design-review.md\n"
    data = front_matter(program_dir / "content/pairs/ana-ben/goals/run-a-design-review.md")
    assert (data["title"], data["status"], data["due"], data["specific"]) == (
        "Run a design review!", "planned", "2026-06-30", None)
    checkin = cli(program_dir, "new", "checkin", "ana-ben", "--date", "2026-04-01")
    assert checkin.stdout == "Wrote content/pairs/ana-ben/checkins/2026-04-01.md\n"
    closing = cli(program_dir, "new", "closing", "ana-ben", "--date", "2026-05-01")
    assert closing.stdout == "Wrote content/pairs/ana-ben/closing.md\n"
    text = (program_dir / "content/pairs/ana-ben/closing.md").read_text()
    assert "  # - Speak at the team demo (in-progress)\n" in text
    assert "  # - Run a design review! (planned)\n" in text
    check = cli(program_dir, "check")
    assert (check.returncode, check.stdout) == (0, "")


def test_new_names_an_unknown_pair_and_refuses_a_pair_with_errors(program_dir: Path, cli: Cli) -> None:
    unknown = cli(program_dir, "new", "session", "ana-bne")
    assert (unknown.returncode, unknown.stderr) == (
        1, "Error: no pair 'ana-bne' in content/pairs; did you mean 'ana-ben'?\n")
    write_files(program_dir, {"content/pairs/ana-ben/goals/speaking.md": "---\ntitle: Speak\n---\n"})
    broken = cli(program_dir, "new", "session", "ana-ben")
    assert broken.returncode == 1
    assert broken.stderr.splitlines() == [
        "content/pairs/ana-ben/goals/speaking.md:2:1: error[missing-field] status: required field is missing",
        "Error: the records of ana-ben have errors; fix them first",
    ]


def test_a_program_template_replaces_the_bundled_one_and_is_checked(program_dir: Path, cli: Cli) -> None:
    write_files(program_dir, {"templates/records/checkin.j2": "---\ndate: {{ date }}\nscores: {trust: 9}\n---\n"})
    result = cli(program_dir, "new", "checkin", "ana-ben", "--date", "2026-04-01")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: the template records/checkin.j2 gave an invalid record:",
        "content/pairs/ana-ben/checkins/2026-04-01.md:3:17: error[out-of-range] scores.trust: "
        "expected a number of at most 5, got the number 9",
    ]
    assert not (program_dir / "content/pairs/ana-ben/checkins/2026-04-01.md").exists()


def test_schema_writes_one_schema_per_record_type(program_dir: Path, cli: Cli) -> None:
    result = cli(program_dir, "schema")
    assert result.returncode == 0
    assert result.stdout == (f"Wrote 7 schemas to {program_dir.resolve() / 'schemas'}: guideline.schema.json, "
                             "pair.schema.json, agreement.schema.json, goal.schema.json, session.schema.json, "
                             "checkin.schema.json, closing.schema.json\n")
    schema = json.loads((program_dir / "schemas/goal.schema.json").read_text())
    assert schema["properties"]["status"]["enum"] == ["planned", "in-progress", "achieved", "dropped"]
    elsewhere = cli(program_dir, "schema", "--output", "editor")
    assert elsewhere.returncode == 0 and (program_dir / "editor/pair.schema.json").is_file()
    new = cli(program_dir, "new", "goal", "ana-ben", "Ship it")
    assert new.stderr == ""  # the schemas exist now: no tip
