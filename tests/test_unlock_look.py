"""The unlock page in the program's palette, light or dark as the reader's system asks.

Before, the unlock page was always teal on light grey, whatever the handbook's palette.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import playwright.sync_api as playwright
import pytest

from mentorsite.site.unlock_look import unlock_look
from tests.serving import serve
from tests.test_browser import browser  # noqa: F401 - the browser fixture
from tests.test_encryption import PASSPHRASES, encrypted_program, folder_of, run

ASSETS = {"assets/stylesheets/main.57a0d79d.min.css", "assets/stylesheets/palette.fb2fffe2.min.css",
          "assets/images/favicon.png"}
TWO_PALETTES = """\
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: deep purple
      accent: lime
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: Deep Purple
      accent: lime
"""


def test_one_palette_is_named_on_the_body_with_the_themes_palette_stylesheet() -> None:
    look = unlock_look({"scheme": "slate", "primary": "Blue Grey", "accent": "amber"}, ASSETS)
    assert look.stylesheets == ("assets/stylesheets/palette.fb2fffe2.min.css",)
    assert look.attributes() == ('data-md-color-scheme="slate" data-md-color-primary="blue-grey" '
                                 'data-md-color-accent="amber" data-mentorsite-palettes="[]"')


def test_several_palettes_go_to_the_page_script_with_their_media_queries() -> None:
    look = unlock_look([{"media": "(prefers-color-scheme: light)", "primary": "red"},
                        {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "red"}], ASSETS)
    assert (look.scheme, look.primary, look.accent) == ("default", "red", "indigo")
    encoded = re.search(r'data-mentorsite-palettes="([^"]*)"', look.attributes())
    assert encoded
    assert json.loads(encoded.group(1).replace("&quot;", '"')) == [
        {"media": "(prefers-color-scheme: light)", "scheme": "default", "primary": "red", "accent": "indigo"},
        {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "red", "accent": "indigo"}]


@pytest.mark.parametrize("palette", [None, {}, "teal", [], [None, 3], {"primary": '"><script>', "scheme": 7},
                                     {"primary": "custom", "accent": ""}])
def test_no_palette_or_a_strange_one_falls_back_to_the_themes_defaults(palette: object) -> None:
    look = unlock_look(palette, set())
    assert look.stylesheets == ()
    assert look.scheme == "default" and look.accent == "indigo"
    assert look.primary in {"indigo", "custom"}
    assert "<" not in look.attributes() and look.attributes().count('"') == 8


AUTOMATIC_FIRST = TWO_PALETTES.replace("  palette:\n", '  palette:\n    - media: "(prefers-color-scheme)"\n'
                                                       "      toggle: {icon: material/brightness-auto}\n")


def test_the_themes_automatic_palette_hands_over_to_the_light_and_dark_ones() -> None:
    look = unlock_look([{"media": "(prefers-color-scheme)"},
                        {"media": "(prefers-color-scheme: light)", "primary": "red"},
                        {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "red"}], ASSETS)
    assert (look.scheme, look.primary) == ("default", "red")


@pytest.mark.slow
@pytest.mark.parametrize("palettes", [TWO_PALETTES, AUTOMATIC_FIRST], ids=["light-and-dark", "automatic-first"])
def test_the_unlock_page_shows_the_programs_palette_light_and_dark(tmp_path: Path, palettes: str,
                                                                   browser: playwright.Browser) -> None:  # noqa: F811
    _, folder = encrypted_program(tmp_path)
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  name: material\n",
                                                                 "  name: material\n" + palettes),
                      encoding="utf-8")
    result = run(folder, "build", "--strict")
    assert result.returncode == 0, result.stderr
    pair_id = next(iter(PASSPHRASES))
    server = serve(folder / "site")
    url = next(server)
    seen = {}
    try:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{url}portfolios/pairs/{folder_of(PASSPHRASES[pair_id], pair_id)}/")
            page.wait_for_selector("form#unlock:not([hidden])")
            seen[scheme] = page.evaluate("""() => {
                const style = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
                return {scheme: document.body.dataset.mdColorScheme, body: style("body", "backgroundColor"),
                        text: style("body", "color"), button: style("button", "backgroundColor"),
                        border: style("main", "borderTopColor")};
            }""")
            context.close()
    finally:
        next(server, None)
    # Material's deep purple: #7e56c2, and #673ab6 for its dark shade (the button).
    for scheme in ("light", "dark"):
        assert seen[scheme]["border"] == "rgb(126, 86, 194)", seen
        assert seen[scheme]["button"] == "rgb(103, 58, 182)", seen
    assert seen["light"]["scheme"] == "default" and seen["light"]["body"] == "rgb(255, 255, 255)"
    assert seen["dark"]["scheme"] == "slate" and seen["dark"]["body"] not in {"rgb(255, 255, 255)", ""}
    dark = [int(part) for part in re.findall(r"\d+", seen["dark"]["body"])[:3]]
    assert max(dark) < 60, seen  # a dark background, with light text
    assert min(int(part) for part in re.findall(r"\d+", seen["dark"]["text"])[:3]) > 180, seen
