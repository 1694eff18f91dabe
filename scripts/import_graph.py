"""The app-level import graph of src/jumin (issue 16), from the source with ``ast``.

Every ``import`` counts — at module top and inside functions — except those under
``if TYPE_CHECKING:``.  A node is a top-level package or module of ``jumin`` (``jumin.registry``,
``jumin.api``, …).  tests/test_architecture.py checks the graph against the layers; this
script writes it into docs/architecture.md between the markers::

    python scripts/import_graph.py            # rewrite docs/architecture.md
    python scripts/import_graph.py --check    # exit 1 if docs/architecture.md is stale
    python scripts/import_graph.py --dot      # print the graph as DOT
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
PACKAGE = "jumin"
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- import-graph:begin (scripts/import_graph.py) -->"
END = "<!-- import-graph:end -->"

# The layers, lowest first: a module may import its own layer's and lower layers' modules,
# never a higher layer's (issue 16).  Within a layer the graph must still be acyclic.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("L0 pure core", ("core",)),
    (
        "L1 shared infrastructure",
        ("conf", "free_text", "log_redaction", "api_types", "api_dates", "api_base", "bench_harness", "pdf_fonts"),
    ),
    ("L2 foundation apps", ("audit", "accounts", "addresses")),
    ("L3 kernel", ("registry", "synthetic")),
    ("L4 linkage", ("linkage", "retention", "bench_fixtures")),
    (
        "L5 satellites",
        (
            "protection",
            "search",
            "cards",
            "jukinet",
            "certificates",
            "inspection",
            "statistics",
            "integrated_atena",
            "intermediate_server",
            "applications",
            "kiosk",
            "handover",
            "koseki",
            "immigration",
        ),
    ),
    ("L6 composition", ("web", "api", "urls", "bench", "conformance", "cli", "settings", "wsgi", "runtime")),
]


def layer_of(node: str) -> int | None:
    for index, (_, members) in enumerate(LAYERS):
        if node in members:
            return index
    return None


@dataclass(frozen=True)
class Import:
    """One import statement: ``source`` (file's module) imports ``target`` (module, and
    ``names`` taken from it); ``in_function``: inside a function body."""

    path: Path
    line: int
    source: str
    target: str
    names: tuple[str, ...]
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node_of(module: str) -> str | None:
    """``jumin.registry.services`` → ``registry``; ``jumin`` itself and other packages → None."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _walk_one(other, in_function)
            continue
        yield from _walk_one(child, in_function)


def _walk_one(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, in_function
        return
    inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    yield from _walk(node, inner)


def imports(source: Path = SOURCE) -> list[Import]:
    found: list[Import] = []
    for path in sorted((source / PACKAGE).rglob("*.py")):
        module = module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for statement, in_function in _walk(tree, False):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    found.append(Import(path, statement.lineno, module, alias.name, (), in_function))
                continue
            target = statement.module or ""
            if statement.level:
                base = package.split(".")
                base = base[: len(base) - statement.level + 1]
                target = ".".join([*base, target] if target else base)
            names = tuple(alias.name for alias in statement.names)
            found.append(Import(path, statement.lineno, module, target, names, in_function))
    return [i for i in found if i.target == PACKAGE or i.target.startswith(PACKAGE + ".")]


def graph(found: list[Import] | None = None) -> dict[str, set[str]]:
    """Node → the nodes it imports (itself excluded)."""
    edges: dict[str, set[str]] = {}
    for item in imports() if found is None else found:
        source = node_of(item.source)
        if source is None:
            continue
        edges.setdefault(source, set())
        targets = [item.target] if item.target != PACKAGE else [f"{PACKAGE}.{name}" for name in item.names]
        for target in targets:
            node = node_of(target)
            if node is not None and node != source:
                edges[source].add(node)
                edges.setdefault(node, set())
    return edges


def module_graph(found: list[Import] | None = None, source: Path = SOURCE) -> dict[str, set[str]]:
    """Module → the modules it imports, at the granularity of files (``from pkg import sub``
    is an edge to ``pkg.sub``; a name that is no module is an edge to the module holding it)."""
    modules = {module_name(path) for path in (source / PACKAGE).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for item in imports(source) if found is None else found:
        targets = [f"{item.target}.{name}" for name in item.names if f"{item.target}.{name}" in modules]
        if len(targets) < len(item.names) or not item.names:
            targets.append(item.target)
        for name in targets:
            module = name
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module and module != item.source:
                edges.setdefault(item.source, set()).add(module)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def mermaid(edges: dict[str, set[str]]) -> str:
    lines = ["```mermaid", "flowchart BT"]
    for number, (title, members) in enumerate(LAYERS):
        present = [m for m in members if m in edges]
        if not present:
            continue
        lines.append(f'    subgraph L{number}["{title}"]')
        lines.extend(f"        {m}" for m in present)
        lines.append("    end")
    for source in sorted(edges):
        for target in sorted(edges[source]):
            lines.append(f"    {source} --> {target}")
    lines.append("```")
    return "\n".join(lines)


def dot(edges: dict[str, set[str]]) -> str:
    lines = ["digraph jumin {", "    rankdir=BT;"]
    for number, (title, members) in enumerate(LAYERS):
        present = [m for m in members if m in edges]
        if present:
            lines.append(f'    subgraph cluster_{number} {{ label="{title}"; {"; ".join(present)}; }}')
    for source in sorted(edges):
        for target in sorted(edges[source]):
            lines.append(f"    {source} -> {target};")
    lines.append("}")
    return "\n".join(lines)


def section(edges: dict[str, set[str]]) -> str:
    loops = cycles(edges)
    summary = (
        "No import cycles between the top-level modules."
        if not loops
        else "Import cycles still present: " + "; ".join(" ↔ ".join(c) for c in loops) + "."
    )
    return f"{BEGIN}\n\n{mermaid(edges)}\n\n{summary}\n\n{END}"


def rewrite(text: str, edges: dict[str, set[str]]) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + section(edges) + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if docs/architecture.md is stale")
    parser.add_argument("--dot", action="store_true", help="print the graph as DOT")
    parser.add_argument("--mermaid", action="store_true", help="print the graph as mermaid")
    args = parser.parse_args(argv)
    edges = graph()
    if args.dot:
        print(dot(edges))
        return 0
    if args.mermaid:
        print(mermaid(edges))
        return 0
    text = DOC.read_text(encoding="utf-8")
    updated = rewrite(text, edges)
    if args.check:
        if updated != text:
            print("docs/architecture.md is stale: run python scripts/import_graph.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
