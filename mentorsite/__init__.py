"""mentorsite: static sites for mentoring programs.

The package's folders are its layers, each importing only the ones before it
(``tests/test_layers.py`` checks every import):

- ``model``: the records, diagnostics and editions, as types;
- ``files``: failures as messages, private outputs written whole, the build lock, the themes;
- ``reading``: records and mkdocs.yml read within bounds, each problem at its place;
- ``checking``: the program checked whole: fields, references, inclusions, scripts;
- ``insights``: what happened in a pair, and the practice checks;
- ``pages``: the handbook, portfolio and report pages from the templates;
- ``authoring``: new records and new programs;
- ``vault``: passphrases, the keys file and sealed sites;
- ``session``: the plugin's settings checked whole, and a program session opened from them;
- ``site``: the site engine adapter (MkDocs and mike), the multi-site builder, the preview;
- ``dev``: synthetic programs and the benchmark.

The command line (``mentorsite.cli``) sits above them all. Nothing below ``site`` imports
MkDocs; a second engine would be a package beside ``site``.

The names below are the public API, loaded when first used (``import mentorsite`` stays cheap).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("mentorsite")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

LAYERS = ("model", "files", "reading", "checking", "insights", "pages", "authoring", "vault", "session",
          "site", "dev")

_PUBLIC = {
    "Diagnostic": "mentorsite.model.diagnostics",
    "Severity": "mentorsite.model.diagnostics",
    "Edition": "mentorsite.model.editions",
    "Program": "mentorsite.model.record_sets",
    "CheckedProgram": "mentorsite.checking.program",
    "read_program": "mentorsite.checking.program",
    "create_environment": "mentorsite.pages.rendering",
    "render_handbook": "mentorsite.pages.rendering",
    "EngineSettings": "mentorsite.session.settings",
    "Settings": "mentorsite.session.settings",
    "SettingsError": "mentorsite.session.settings",
    "read_settings": "mentorsite.session.settings",
    "ProgramSession": "mentorsite.session.opening",
    "SessionError": "mentorsite.session.opening",
    "open_session": "mentorsite.session.opening",
}

__all__ = ["LAYERS", "CheckedProgram", "Diagnostic", "Edition", "EngineSettings", "Program", "ProgramSession",
           "SessionError", "Settings", "SettingsError", "Severity", "__version__", "create_environment",
           "open_session", "read_program", "read_settings", "render_handbook"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'mentorsite' has no attribute {name!r}")
