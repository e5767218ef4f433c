"""The layers are the package's folders, and every import runs down them (README, "Architecture").

The order is ``mentorsite.LAYERS``; each folder of the package must be one of them, so a new
folder has to be placed before any test passes. A module may import its own layer and the
layers below it, never one above; within a layer the imports form no cycle. Only the site
adapter knows MkDocs (and mike), only the command line knows click, and only one module of
the site adapter reaches into MkDocs' private functions.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import mentorsite

PACKAGE = Path(mentorsite.__file__).parent
TOP = ("cli", "__main__", "__init__")  # the command line and the package itself, above every layer
ENGINE_LAYER = "site"
ENGINE_LIBRARIES = ("mkdocs", "material", "mike", "pymdownx")
CLI_LIBRARIES = ("click",)
PRIVATE_MKDOCS_MODULE = "mentorsite.site.engine"
MAX_LINES = 420  # "about 400"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))
            if "__pycache__" not in path.parts and "themes" not in path.relative_to(PACKAGE).parts}


def layer_of(name: str) -> str:
    """The layer of a module: its folder below the package, or "top" for cli and the package."""
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in TOP or parts[1].startswith("cli"):
        return "top"
    return parts[1]


def rank(layer: str) -> int:
    return len(mentorsite.LAYERS) if layer == "top" else mentorsite.LAYERS.index(layer)


def imports(path: Path) -> list[tuple[str, set[str], int]]:
    """(module imported, names taken from it, line) for every import in ``path``, lazy ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, set(), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, {alias.name for alias in node.names}, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}:{node.lineno}: relative import; the layer test reads absolute ones")
    return found


def internal_arrows() -> dict[str, set[str]]:
    """Module -> the mentorsite modules it imports (``from mentorsite.x import y`` counts y if a module)."""
    known = modules()
    arrows: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for module, names, _ in imports(path):
            if module.split(".")[0] != "mentorsite" or (module == "mentorsite" and names == {"__version__"}):
                continue
            submodules = {f"{module}.{each}" for each in names} & set(known)
            targets |= submodules or {module}
        arrows[name] = targets - {name}
    return arrows


def test_every_folder_is_a_layer_and_every_layer_a_folder() -> None:
    folders = {path.name for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").exists() and not path.name.startswith("cli")}
    assert folders == set(mentorsite.LAYERS)
    loose = {path.stem for path in PACKAGE.glob("*.py")} - set(TOP)
    assert not loose, f"modules outside every layer: {sorted(loose)}"


def test_every_import_runs_down_the_layers() -> None:
    wrong = []
    for name, targets in internal_arrows().items():
        for target in targets:
            if target == "mentorsite":
                if name != "mentorsite" and layer_of(name) != "top":
                    wrong.append(f"{name} -> mentorsite (the public API is for users, not for the layers)")
            elif rank(layer_of(target)) > rank(layer_of(name)):
                wrong.append(f"{name} ({layer_of(name)}) -> {target} ({layer_of(target)})")
    assert not wrong, "imports that climb the layers:\n" + "\n".join(sorted(wrong))


def test_no_cycle_inside_a_layer() -> None:
    arrows = internal_arrows()
    for layer in [*mentorsite.LAYERS, "top"]:
        inside = {name: {t for t in targets if layer_of(t) == layer}
                  for name, targets in arrows.items() if layer_of(name) == layer}
        try:
            tuple(TopologicalSorter(inside).static_order())
        except CycleError as error:
            pytest.fail(f"a cycle of imports in {layer}: {' -> '.join(error.args[1])}")


def test_only_the_site_adapter_knows_the_engine_and_only_the_command_line_click() -> None:
    wrong = []
    for name, path in modules().items():
        for module, _, line in imports(path):
            top = module.split(".")[0]
            if top in ENGINE_LIBRARIES and layer_of(name) != ENGINE_LAYER:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
            if top in CLI_LIBRARIES and layer_of(name) != "top":
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_one_module_reaches_into_mkdocs_private_functions() -> None:
    reaching = {name for name, path in modules().items()
                for module, names, _ in imports(path)
                if module.split(".")[0] in ENGINE_LIBRARIES
                and any(part.startswith("_") for part in [*module.split("."), *names])}
    assert reaching == {PRIVATE_MKDOCS_MODULE}


def test_only_that_module_overrides_their_private_methods() -> None:
    """A class built on an engine class may override its private methods only in the engine module."""
    import importlib
    import inspect

    found = set()
    for name in modules():
        if layer_of(name) != ENGINE_LAYER:
            continue
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue
            for base in cls.__mro__[1:]:
                if base.__module__.split(".")[0] not in ENGINE_LIBRARIES:
                    continue
                overridden = {attribute for attribute in vars(cls)
                              if attribute.startswith("_") and not attribute.startswith("__")
                              and attribute != "_abc_impl"  # set by Python on every abstract class
                              and attribute in vars(base)}
                found |= {(name, f"{cls.__name__}.{attribute}") for attribute in overridden}
    assert {module for module, _ in found} <= {PRIVATE_MKDOCS_MODULE}, sorted(found)
    assert found, "the scan sees the engine module's overrides"


def test_no_module_is_much_over_400_lines() -> None:
    long = {name: lines for name, path in modules().items()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_two_modules_share_a_name() -> None:
    stems: dict[str, list[str]] = {}
    for name in modules():
        stems.setdefault(name.rsplit(".", 1)[-1], []).append(name)
    shared = {stem: names for stem, names in stems.items() if len(names) > 1 and stem != "__init__"}
    shared = {stem: names for stem, names in shared.items() if stem not in mentorsite.LAYERS}
    assert not shared


def test_importing_the_core_loads_neither_the_engine_nor_click() -> None:
    core = [name for name in modules() if layer_of(name) not in {ENGINE_LAYER, "top"}]
    imported = "; ".join(f"import {name}" for name in core)
    libraries = ENGINE_LIBRARIES + CLI_LIBRARIES
    probe = f"import sys; {imported}; print(sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r}))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_public_api_is_explicit_and_each_name_resolves() -> None:
    assert mentorsite.__all__
    for name in mentorsite.__all__:
        assert getattr(mentorsite, name) is not None, name


def test_the_check_is_not_blind(tmp_path: Path) -> None:
    """The scans see what they look for: a climbing import, the engine outside the adapter."""
    assert "mkdocs.plugins" in {module for module, _, _ in imports(PACKAGE / "site" / "plugin.py")}
    assert layer_of("mentorsite.model.records") == "model" and layer_of("mentorsite.cli") == "top"
    assert rank("model") < rank("site") < rank("top")
    climbing = tmp_path / "climbing.py"
    climbing.write_text("from mentorsite.site.plugin import MentorsitePlugin\nimport mkdocs\n")
    assert [m for m, _, _ in imports(climbing)] == ["mentorsite.site.plugin", "mkdocs"]


def test_the_themes_are_found_one_way_installed_or_from_a_checkout(tmp_path: Path) -> None:
    """Beside the package in a wheel (``mentorsite/themes``), else beside the package folder (a checkout).

    The installed case runs for real in tests/test_wheel.py; here both layouts, side by side.
    """
    from mentorsite.files.themes import bundled_templates_dir

    checkout = tmp_path / "checkout"
    (checkout / "mentorsite").mkdir(parents=True)
    (checkout / "themes").mkdir()
    assert bundled_templates_dir(checkout / "mentorsite") == checkout / "themes"
    installed = tmp_path / "site-packages" / "mentorsite"
    (installed / "themes").mkdir(parents=True)
    assert bundled_templates_dir(installed) == installed / "themes"
    assert bundled_templates_dir() == PACKAGE.parent / "themes"  # this checkout: no themes/ in the package
    assert (bundled_templates_dir() / "portfolio" / "overview.md.j2").is_file()
