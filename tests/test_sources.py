"""Reading single files: positions, encodings, and no exception on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mentorsite.reading.sources import read_markdown, read_yaml


def test_positions_of_values_and_keys_are_one_based_file_lines() -> None:
    document = read_markdown(b"---\ntitle: x\nactions:\n  - task: t\n    owner: me\n---\nBody\n", "s.md")
    assert document.positions.of_value(("title",)) == (2, 8)
    assert document.positions.of_key(("actions", 0, "owner")) == (5, 5)
    assert document.positions.of_value(("actions", 0, "owner")) == (5, 12)
    assert document.body == "Body\n"
    assert document.body_line == 7


def test_nested_missing_location_falls_back_to_the_enclosing_value() -> None:
    document = read_markdown(b"---\nfeedback:\n  mentor: fine\n---\n", "s.md")
    assert document.positions.of_value(("feedback", "mentee")) == (3, 3)


def test_dates_stay_text_so_the_model_can_explain_impossible_ones() -> None:
    document = read_yaml(b"start: 2026-02-30\n", "pair.yml")
    assert document.data == {"start": "2026-02-30"}
    assert document.diagnostics == []


def test_blank_lines_after_the_opening_line_keep_line_numbers_right() -> None:
    document = read_markdown(b"---\n\n\ntitle: [\n---\n", "g.md")
    assert [(d.line, d.column) for d in document.diagnostics] == [(4, 8)]  # where the list opens


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    document = read_markdown(b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nBody\r\n", "g.md")
    assert document.data == {"title": "x"}
    assert document.body == "Body\n"


def test_unknown_yaml_tags_are_a_diagnostic() -> None:
    document = read_yaml(b"mentor: !python/object x\n", "pair.yml")
    assert document.data is None
    assert [d.code for d in document.diagnostics] == ["yaml-syntax"]
    assert (document.diagnostics[0].line, document.diagnostics[0].column) == (1, 9)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_data_or_diagnostics_never_an_exception(raw: bytes) -> None:
    for reader in (read_markdown, read_yaml):
        document = reader(raw, "fuzz.md")
        assert document.data is not None or document.diagnostics


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-:[]{}\n\t '\"#&*!|>abc12")), max_size=120))
def test_yaml_shaped_noise_never_raises(text: str) -> None:
    document = read_markdown(("---\n" + text + "\n---\nbody").encode(), "noise.md")
    for diagnostic in document.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1
