"""The core must not depend on MkDocs or on the command line library (DESIGN.md, layers)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mentorsite

PACKAGE = Path(mentorsite.__file__).parent
ADAPTERS = {"plugin", "portfolios", "preview", "cli", "crypto", "__main__"}
FORBIDDEN = ("mkdocs", "material", "click")
CORE = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ADAPTERS | {"__init__"})


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_core_modules_exist() -> None:
    assert {"records", "loading", "validation", "rendering"} <= set(CORE)
    assert not ADAPTERS & set(CORE)


def test_core_source_never_imports_adapters_or_their_libraries() -> None:
    for name in CORE:
        for module in imported_modules(PACKAGE / f"{name}.py"):
            top = module.split(".")[0]
            assert top not in FORBIDDEN, f"{name}.py imports {module}"
            assert module not in {f"mentorsite.{a}" for a in ADAPTERS}, f"{name}.py imports {module}"


def test_importing_the_core_loads_neither_mkdocs_nor_click() -> None:
    imports = "; ".join(f"import mentorsite.{name}" for name in CORE)
    probe = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_check_is_not_blind() -> None:
    """The scan does see an adapter's imports, so a core module importing them would fail."""
    assert "mkdocs.plugins" in imported_modules(PACKAGE / "plugin.py")
    assert "click" in imported_modules(PACKAGE / "cli.py")
