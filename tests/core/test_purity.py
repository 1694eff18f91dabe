"""jumin.core is pure: it imports nothing from Django or the rest of jumin."""

import ast
from pathlib import Path

import jumin.core

CORE = Path(jumin.core.__file__).parent
ALLOWED_THIRD_PARTY = {"stdnum"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_only_the_standard_library_and_itself() -> None:
    import sys

    offenders = {}
    for path in sorted(CORE.glob("*.py")):
        bad = {
            name
            for name in _imports(path)
            if not name.startswith("jumin.core")
            and name.split(".")[0] not in sys.stdlib_module_names
            and name.split(".")[0] not in ALLOWED_THIRD_PARTY
            and name != "__future__"
        }
        if bad:
            offenders[path.name] = bad
    assert offenders == {}
