"""The compiled-template cache (``mentorsite.reading.template_cache``): used, never stale, never trusted blindly.

A build keeps Jinja's code for the handbook's theme, the portfolios' theme and mentorsite's own
templates in ``cache_dir``; an unchanged rebuild compiles none of them, and what it builds is
byte for byte what a build without the cache builds.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2 import DictLoader, Environment

from mentorsite.pages.rendering import create_environment
from mentorsite.reading.template_cache import FOLDER, TemplateCache
from tests.conftest import Cli
from tests.programs import copy_example, write_files

SECRET = b"k" * 32
OUTPUTS = ("site", "site-private")
EPOCH = {"SOURCE_DATE_EPOCH": "1795262400"}  # the sitemaps' dates, the same in every build
# The search plugin of the theme compiles these in an environment of its own, to translate
# its settings, before any plugin could give that environment a cache.
THEME_PLUGIN_OWN = {"partials/language.html", "partials/languages/en.html"}


def counting_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from now on, in this process."""
    compiled: list[str] = []
    original = Environment.compile

    def compile_and_count(self: Environment, source: Any, name: str | None = None, *rest: Any, **options: Any) -> Any:
        compiled.append(str(name))
        return original(self, source, name, *rest, **options)

    monkeypatch.setattr(Environment, "compile", compile_and_count)
    return compiled


def build(cli: Cli, program: Path, *options: str) -> None:
    result = cli(program, "build", "--jobs", "1", *options, XDG_CACHE_HOME=str(program.parent / "home"), **EPOCH)
    assert result.returncode == 0, result.stderr


def files_of(program: Path) -> dict[str, Path]:
    return {f"{name}/{path.relative_to(program / name).as_posix()}": path
            for name in OUTPUTS for path in sorted((program / name).rglob("*")) if path.is_file()}


def assert_same_outputs(left: Path, right: Path) -> None:
    left_files, right_files = files_of(left), files_of(right)
    assert sorted(left_files) == sorted(right_files)
    different = [name for name, path in left_files.items() if not filecmp.cmp(path, right_files[name], shallow=False)]
    assert different == []


def test_an_unchanged_rebuild_compiles_no_template(tmp_path: Path, cli: Cli,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    program = copy_example(tmp_path / "program")
    compiled = counting_compiles(monkeypatch)
    build(cli, program)
    assert {"main.html", "handbook/guideline.md.j2", "portfolio/overview.md.j2"} <= set(compiled)
    assert list((program / ".cache/mentorsite" / FOLDER).glob("*/*.code"))
    compiled.clear()
    build(cli, program)
    assert set(compiled) <= THEME_PLUGIN_OWN  # the handbook's theme and mentorsite's templates: cached
    compiled.clear()
    shutil.rmtree(program / "site-private")
    build(cli, program)  # every portfolio built again: the portfolios' theme from the cache too
    assert set(compiled) <= THEME_PLUGIN_OWN


def test_outputs_are_the_same_with_the_cache_cold_warm_and_off(tmp_path: Path, cli: Cli,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cold = copy_example(tmp_path / "cold")
    build(cli, cold)
    warm = copy_example(tmp_path / "warm")
    build(cli, warm)
    for name in OUTPUTS:
        shutil.rmtree(warm / name)
    compiled = counting_compiles(monkeypatch)
    build(cli, warm)  # everything built again, from compiled templates kept by the first build
    assert set(compiled) <= THEME_PLUGIN_OWN
    off = copy_example(tmp_path / "off")
    build(cli, off, "--no-cache")
    assert set(compiled) - THEME_PLUGIN_OWN and not (off / ".cache").exists()
    assert_same_outputs(cold, warm)
    assert_same_outputs(cold, off)


def test_a_changed_template_is_compiled_again(tmp_path: Path, cli: Cli) -> None:
    """A program's own template and its theme override, edited between builds: the edit shows."""
    program = copy_example(tmp_path / "program")
    config = program / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"), encoding="utf-8")

    def templates(word: str) -> None:
        write_files(program, {
            "templates/handbook/topics.md.j2": f"# Topics\n\nTopics {word}.\n",
            "overrides/main.html": '{% extends "base.html" %}\n'
                                   f'{{% block footer %}}<p class="marker">theme {word}</p>{{% endblock %}}\n'})

    templates("first")
    build(cli, program)
    page = program / "site/topics/index.html"
    assert "Topics first." in page.read_text(encoding="utf-8")
    assert "theme first" in page.read_text(encoding="utf-8")
    assert "theme first" in (program / "site-private/pairs/lena-marcus/index.html").read_text(encoding="utf-8")
    templates("again")
    build(cli, program)
    text = page.read_text(encoding="utf-8")
    assert "Topics again." in text and "Topics first." not in text
    assert "theme again" in text and "theme first" not in text
    portfolio = (program / "site-private/pairs/lena-marcus/index.html").read_text(encoding="utf-8")
    assert "theme again" in portfolio and "theme first" not in portfolio


def environment(cache: TemplateCache, source: str = "Hello {{ name | upper }}!") -> Environment:
    return Environment(loader=DictLoader({"page.txt": source}), bytecode_cache=cache)


def cache_files(folder: Path) -> list[Path]:
    return sorted((folder / FOLDER).glob("*/*.code"))


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[:len(data) // 2],
    lambda data: data[:40],
    lambda data: data[:-1] + bytes([data[-1] ^ 1]),
    lambda data: b"\x00" * len(data),
    lambda data: data.replace(b"template cache", b"templates cach"),
], ids=["empty", "cut-in-half", "cut-in-the-tag", "one-bit", "zeros", "another-magic"])
def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    first = TemplateCache(tmp_path, SECRET)
    assert environment(first).get_template("page.txt").render(name="ana") == "Hello ANA!"
    assert first.writes == 1
    [path] = cache_files(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    again = TemplateCache(tmp_path, SECRET)
    assert environment(again).get_template("page.txt").render(name="ana") == "Hello ANA!"
    assert (again.hits, again.writes) == (0, 1)  # compiled, and the file written over
    third = TemplateCache(tmp_path, SECRET)
    assert environment(third).get_template("page.txt").render(name="ben") == "Hello BEN!"
    assert (third.hits, third.writes) == (1, 0)


def test_a_file_written_under_another_key_is_never_run(tmp_path: Path) -> None:
    """Compiled code runs outside the sandbox: a cache file this user did not write is not loaded."""
    planted = TemplateCache(tmp_path, b"p" * 32)
    environment(planted, "Planted {{ name }}").get_template("page.txt").render(name="x")
    [path] = cache_files(tmp_path)
    mine = TemplateCache(tmp_path, SECRET)
    assert environment(mine, "Planted {{ name }}").get_template("page.txt").render(name="x") == "Planted x"
    assert (mine.hits, mine.writes) == (0, 1)
    assert cache_files(tmp_path) == [path]  # the same template in the same kind of environment


def test_a_changed_source_or_setting_is_never_served_stale(tmp_path: Path) -> None:
    environment(TemplateCache(tmp_path, SECRET), "Old {{ name }}").get_template("page.txt").render(name="x")
    changed = TemplateCache(tmp_path, SECRET)
    assert environment(changed, "New {{ name }}").get_template("page.txt").render(name="x") == "New x"
    assert changed.hits == 0
    cache = TemplateCache(tmp_path, SECRET)
    trimmed = Environment(loader=DictLoader({"page.txt": "New {{ name }}"}), bytecode_cache=cache, trim_blocks=True)
    plain = environment(cache, "New {{ name }}")
    assert cache.kind_of(trimmed) != cache.kind_of(plain)
    plain.filters["upper"] = lambda value: "folded"  # a filter replaced: Jinja may fold it into the code
    assert cache.kind_of(plain) != cache.kind_of(environment(cache))


KIND_PROBE = """
from pathlib import Path
from mkdocs.theme import Theme
from mentorsite.pages.rendering import create_environment
from mentorsite.reading.template_cache import TemplateCache
cache = TemplateCache(Path(FOLDER), b"k" * 32)
print(cache.kind_of(create_environment()), cache.kind_of(Theme(name="material").get_env()))
"""


def test_the_kind_of_an_environment_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Otherwise no build would find what the one before kept (sets are ordered by a seed of each process)."""
    probe = KIND_PROBE.replace("FOLDER", repr(str(tmp_path)))
    kinds = {subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
             for seed in ("1", "2", "3")}
    assert len(kinds) == 1
    own, theme = kinds.pop().split()
    assert own != theme
    assert own == TemplateCache(tmp_path, SECRET).kind_of(create_environment())


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    (tmp_path / FOLDER).write_text("a file where the folder would go", encoding="utf-8")
    cache = TemplateCache(tmp_path, SECRET)
    assert environment(cache).get_template("page.txt").render(name="ana") == "Hello ANA!"
    assert cache.writes == 0


def test_jinja_version_is_in_the_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = TemplateCache(tmp_path, SECRET)
    before = cache.kind_of(environment(cache))
    monkeypatch.setattr(jinja2, "__version__", "0.0-other")
    assert cache.kind_of(environment(cache)) != before
