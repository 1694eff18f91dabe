"""Issue 16: the import contract of src/jumin, checked on the source with ``ast``.

The graph (scripts/import_graph.py) has one node per top-level package or module of
``jumin`` and counts every import, at module top and inside functions; imports under
``if TYPE_CHECKING:`` do not count.  The layers are :data:`import_graph.LAYERS` (the table is
also in docs/architecture.md): a module imports its own layer and lower layers only."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


ig = _load_script()
IMPORTS = ig.imports()
EDGES = ig.graph(IMPORTS)

# The satellites of the register (and everything above them) the kernel never imports.
NOT_FROM_REGISTRY = {"protection", "cards", "jukinet", "certificates", "search", "bench", "linkage", "web", "kiosk"}


def _violations() -> list[str]:
    found = []
    for source, targets in sorted(EDGES.items()):
        for target in sorted(targets):
            low, high = ig.layer_of(source), ig.layer_of(target)
            if high > low:
                found.append(f"{source} (L{low}) imports {target} (L{high})")
    return found


def test_every_module_has_a_layer() -> None:
    assert sorted(node for node in EDGES if ig.layer_of(node) is None) == []


def test_no_import_cycles_between_the_top_level_modules() -> None:
    assert ig.cycles(EDGES) == []


def test_no_import_cycles_between_any_two_modules() -> None:
    """Inside an app too: no module imports one that (through others) imports it back."""
    assert ig.cycles(ig.module_graph(IMPORTS)) == []


def test_no_module_imports_a_higher_layer() -> None:
    assert _violations() == []


def test_the_registry_imports_no_satellite() -> None:
    assert sorted(EDGES["registry"] & NOT_FROM_REGISTRY) == []


def test_the_registry_templates_name_no_satellite() -> None:
    """Nor through its templates: no satellite's template, tag library or URL name (the marks
    come through ``hooks.person_marks`` and render with ``registry/_marks.html``).  The shell
    ``web/base.html`` they extend is the page frame every app's screens share."""
    satellites = sorted(NOT_FROM_REGISTRY - {"web"})
    pattern = re.compile(r"\b(" + "|".join(satellites) + r")(/|:|_marks\b)")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "src" / "jumin" / "registry" / "templates").rglob("*.html"))
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def _private_imports() -> list[str]:
    found = []
    for item in IMPORTS:
        if item.target == item.source or item.target.startswith(item.source + "."):
            continue
        for name in item.names:
            if name.startswith("_") and not name.startswith("__"):
                found.append(f"{item.path.relative_to(ROOT)}:{item.line}: {name} from {item.target}")
    return found


def test_no_private_name_is_imported_from_another_module() -> None:
    assert _private_imports() == []


def test_the_apps_build_routers_and_only_the_composition_root_adds_them() -> None:
    """jumin.api (L6) adds the routers; no app module imports it."""
    composition = {node for node in EDGES if ig.layer_of(node) == len(ig.LAYERS) - 1}
    importers = sorted(
        {i.source for i in IMPORTS if i.target == "jumin.api" and ig.node_of(i.source) not in composition}
    )
    assert importers == []


def test_the_graph_in_docs_architecture_is_current() -> None:
    assert ig.main(["--check"]) == 0, "run: python scripts/import_graph.py"


def test_no_import_inside_a_function_outside_the_cli() -> None:
    """Every dependency is visible at the top of its module (ruff PLC0415 says the same); the
    few deliberate exceptions say why on the line (``noqa: PLC0415``)."""
    lazy = [
        f"{i.path.relative_to(ROOT)}:{i.line}"
        for i in IMPORTS
        if i.in_function and i.source != "jumin.cli" and "noqa: PLC0415" not in _line(i.path, i.line)
    ]
    assert lazy == []


def _line(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[number - 1]
