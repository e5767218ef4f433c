"""Finding records: links out of the content folder, optional and required files."""

from __future__ import annotations

from pathlib import Path

from mentorsite.checking.program import read_program
from tests.programs import write_files


def messages(program_dir: Path) -> list[str]:
    return [str(d) for d in read_program(program_dir / "content", program_dir).diagnostics]


def test_a_link_leading_out_of_the_content_folder_is_refused_and_not_read(program_dir: Path, tmp_path: Path) -> None:
    secret = write_files(tmp_path / "outside", {"secret.md": "---\ndate: 2026-02-10\n---\nSECRET\n"}) / "secret.md"
    link = program_dir / "content/pairs/ana-ben/sessions/2026-02-10.md"
    link.symlink_to(secret)
    assert messages(program_dir) == [
        "content/pairs/ana-ben/sessions/2026-02-10.md:1:1: error[outside-pair] "
        "is a link to a place outside its pair's folder; it is not read",
    ]
    sessions = read_program(program_dir / "content", program_dir).program.pairs[0].sessions
    assert [s.id for s in sessions] == ["2026-02-03"]


def test_a_link_inside_the_content_folder_is_followed(program_dir: Path) -> None:
    target = program_dir / "content/pairs/ana-ben/sessions/2026-02-03.md"
    (program_dir / "content/pairs/ana-ben/sessions/2026-02-17.md").write_text(
        target.read_text().replace("2026-02-03", "2026-02-17"))
    assert messages(program_dir) == []


def test_a_proposed_pair_needs_only_pair_yml(program_dir: Path) -> None:
    write_files(program_dir, {"content/pairs/new-pair/pair.yml":
                              "mentor: {name: M}\nmentee: {name: N}\nstart: 2026-05-01\nstatus: proposed\n"})
    assert messages(program_dir) == []
    (program_dir / "content/pairs/new-pair/pair.yml").write_text(
        "mentor: {name: M}\nmentee: {name: N}\nstart: 2026-05-01\nstatus: active\n")
    assert messages(program_dir) == [
        "content/pairs/new-pair/agreement.md:1:1: error[missing-file] expected an agreement.md for a pair with status 'active'",
    ]


def test_a_missing_content_folder_is_one_clear_message(tmp_path: Path) -> None:
    checked = read_program(tmp_path / "nowhere", tmp_path)
    assert [str(d) for d in checked.diagnostics] == [
        "nowhere:1:1: error[no-content] expected a content folder with handbook/ and pairs/",
    ]


def test_the_example_program_is_clean_and_complete() -> None:
    repository = Path(__file__).parent.parent
    checked = read_program(repository / "content", repository)
    assert checked.diagnostics == []
    pairs = {p.pair.id: p for p in checked.program.pairs}
    assert {p.pair.status for p in pairs.values()} >= {"proposed", "active", "completed"}
    assert len(checked.program.handbook.guidelines) >= 20
    assert any(p.closing is not None for p in pairs.values())
    for records in pairs.values():
        if records.pair.status != "proposed":
            assert records.agreement and records.goals and records.sessions


def test_an_oversized_record_is_refused_with_its_size_and_the_others_are_still_checked(program_dir: Path) -> None:
    notes = program_dir / "content/pairs/ana-ben/sessions/2026-02-24.md"
    notes.write_text("---\ndate: 2026-02-24\n---\n" + "A long paste of logs.\n" * 60_000)
    pair = program_dir / "content/pairs/ana-ben/pair.yml"
    pair.write_text(pair.read_text() + "# " + "x" * 1_200_000 + "\n")
    (program_dir / "content/pairs/ana-ben/goals/speaking.md").write_text("---\ntitle: [\n---\n")
    assert messages(program_dir) == [
        "content/pairs/ana-ben/goals/speaking.md:2:8: error[yaml-syntax] invalid YAML: the list opened with '[' "
        "here is not closed; expected ']' before the closing '---'",
        "content/pairs/ana-ben/pair.yml:1:1: error[too-large] the file is 1.1 MiB; a record may be at most "
        "1 MiB, so it is not read",
        "content/pairs/ana-ben/sessions/2026-02-24.md:1:1: error[too-large] the file is 1.3 MiB; a record may "
        "be at most 1 MiB, so it is not read",
    ]
