"""The folder tree is the architecture: imports only point down the layers, and nothing imports in a circle.

Every import is read from the source (module level and inside functions alike), so a lazy import
that points up is caught as well as a top-level one.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Lowest first. A module may import its own layer and the layers before it, never one after.
LAYERS = ["kam.i18n", "kam.storage", "kam.figures", "kam.planning", "kam.app", "kam.tooling", "kam.cli", "pages"]
LONG_MODULE_LINES = 500
LONG_MODULE_REASON = "Longer than 500 lines because"


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if parts[0] in ("pages", "app"):  # the entry script and the page files form the top layer
        return "pages." + ".".join(parts[1:]) if parts[0] == "pages" else "pages"
    return ".".join(parts)


def sources() -> dict[str, Path]:
    files = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "kam").rglob("*.py")]
    return {module_name(p): p for p in files}


def kam_imports(path: Path) -> set[str]:
    """The kam modules a file imports, resolved to the longest name that exists as a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kam")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kam":
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def resolve(name: str, known: set[str]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def layer_of(module: str) -> int:
    for i, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            return i
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS in tests/test_layers.py")


def import_graph() -> dict[str, set[str]]:
    src = sources()
    known = set(src)
    graph = {}
    for mod, path in src.items():
        targets = {resolve(n, known) for n in kam_imports(path)}
        graph[mod] = {t for t in targets if t and t != mod and t != "kam"}
    return graph


def test_every_module_belongs_to_a_layer():
    for mod in sources():
        if mod != "kam":
            layer_of(mod)


def test_imports_only_point_down_the_layers():
    upward = [f"{mod} imports {dep}" for mod, deps in import_graph().items() if mod != "kam"
              for dep in sorted(deps) if layer_of(dep) > layer_of(mod)]
    assert upward == []


def test_the_product_never_imports_the_tooling_except_kam_sample():
    tooling = LAYERS.index("kam.tooling")
    users = {mod: sorted(d for d in deps if layer_of(d) == tooling)
             for mod, deps in import_graph().items() if mod != "kam" and layer_of(mod) != tooling}
    assert {m: d for m, d in users.items() if d} == {"kam.cli": ["kam.tooling.sample"]}


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(trail[trail.index(dep):] + [dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])
    assert cycles == []


def test_a_module_over_500_lines_says_why_at_its_top():
    long_without_reason = []
    for mod, path in sources().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG_MODULE_LINES and LONG_MODULE_REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            long_without_reason.append(f"{path.relative_to(REPO)} ({text.count(chr(10))} lines)")
    assert long_without_reason == []


@pytest.mark.parametrize("importer,imported,allowed", [
    ("kam.storage.warehouse", "kam.figures.query", False),
    ("kam.app.ui", "kam.figures.query", True),
    ("pages.overview", "kam.tooling.bench", True),  # allowed by the layer order; refused by the tooling rule above
    ("kam.i18n", "kam.storage.schema", False),
])
def test_the_layer_rule_itself(importer, imported, allowed):
    assert (layer_of(imported) <= layer_of(importer)) is allowed
