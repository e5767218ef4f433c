"""The unlock page in the program's colours: the palette of the handbook's theme.

The unlock page is plain HTML, shown before anything is decrypted, so it cannot use the
theme's templates. It loads the theme's palette stylesheet (one of the theme's own assets,
which a sealed site keeps in the clear) and names the program's palette on its body, as the
theme's pages do; its own stylesheet reads the theme's colour variables, with the theme's
defaults when there is none. With several palettes (a light and a dark one, each for a
``media`` query), the page's script shows the one whose query matches, as the theme does.
"""

from __future__ import annotations

import html
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

PALETTE_STYLESHEET = "assets/stylesheets/palette."
AUTOMATIC = "(prefers-color-scheme)"


@dataclass(frozen=True)
class UnlockLook:
    """What the unlock page's template needs: stylesheets to load and the palette to name."""

    stylesheets: tuple[str, ...] = ()
    scheme: str = "default"
    primary: str = "indigo"
    accent: str = "indigo"
    palettes: str = "[]"  # JSON: every palette with its media query, for the page's script

    def attributes(self) -> str:
        """The body's attributes (values the theme's palette stylesheet selects on)."""
        return (f'data-md-color-scheme="{self.scheme}" data-md-color-primary="{self.primary}" '
                f'data-md-color-accent="{self.accent}" '
                f'data-mentorsite-palettes="{html.escape(self.palettes)}"')


def _name(value: Any, default: str) -> str:
    """A palette name as the theme writes it (``Deep Purple`` is ``deep-purple``): letters and dashes only."""
    if not isinstance(value, str) or not value.strip():
        return default
    name = value.strip().lower().replace(" ", "-")
    return name if all(c.isalpha() or c == "-" for c in name) else default


def unlock_look(palette: Any, plain_assets: Collection[str]) -> UnlockLook:
    """The look for a theme's ``palette`` setting (one mapping or a list of them) and its assets."""
    entries = [entry for entry in (palette if isinstance(palette, list) else [palette])
               if isinstance(entry, Mapping)]
    choices = [{"media": str(entry.get("media") or ""), "scheme": _name(entry.get("scheme"), "default"),
                "primary": _name(entry.get("primary"), "indigo"),
                "accent": _name(entry.get("accent"), "indigo")} for entry in entries]
    stylesheets = tuple(sorted(asset for asset in plain_assets
                               if asset.startswith(PALETTE_STYLESHEET) and asset.endswith(".css")))
    # The theme's automatic palette, "(prefers-color-scheme)", only hands over to the others.
    shown = [choice for choice in choices if choice["media"].replace(" ", "") != AUTOMATIC] or choices
    first = shown[0] if shown else {"scheme": "default", "primary": "indigo", "accent": "indigo"}
    return UnlockLook(stylesheets[:1], first["scheme"], first["primary"], first["accent"],
                      json.dumps(choices if len(choices) > 1 else [], separators=(",", ":")))
