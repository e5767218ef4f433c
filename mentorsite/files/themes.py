"""Where the bundled templates are: one lookup, for an installed wheel and for a checkout.

The templates live in ``themes/`` at the top of the repository; the wheel ships them as
``mentorsite/themes``. An installed package finds them beside its modules; a checkout (an
editable install, or ``PYTHONPATH`` pointing at it) finds them beside the package folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the mentorsite package folder
THEMES_FOLDER = "themes"


def bundled_templates_dir(package: Path = PACKAGE) -> Path:
    """The bundled templates: ``mentorsite/themes`` in a wheel, else ``themes/`` beside the package."""
    installed = package / THEMES_FOLDER
    return installed if installed.is_dir() else package.parent / THEMES_FOLDER
