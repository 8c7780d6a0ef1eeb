"""The layout's rules (docs/architecture.md), checked on the source: cycles, layers, sizes.

Imports are read with `ast`, module level and inside functions alike (a deferred import is
still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, since they never
run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "inputguard"
MAX_LINES = 520  # "about 500": a module longer than this holds more than one concept

# Who may import whom. A module of the left-hand area imports only the areas on the right
# (and its own area). Families never import each other, an executor or an operation.
CONTRACT = ("inputguard._core", "inputguard.exceptions")
LAYERS: dict[str, tuple[str, ...]] = {
    "inputguard.exceptions": ("inputguard._core.defaults",),
    "inputguard._core": ("inputguard.exceptions",),
    "inputguard._freshness": CONTRACT,
    "inputguard._terminology": CONTRACT,
    "inputguard._provenance": CONTRACT,
    "inputguard._pii": CONTRACT,
    "inputguard._ops": CONTRACT,
    "inputguard._guard": (*CONTRACT, "inputguard._ops", "inputguard._config"),
}


def _name_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_name_of(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str) -> set[str]:
    """The inputguard modules ``name`` imports at run time."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                visit(other)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:  # `from pkg import module` imports the module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return out


def _area(module: str) -> str | None:
    matches = [a for a in LAYERS if module == a or module.startswith(a + ".")]
    return max(matches, key=len) if matches else None


def test_the_import_graph_is_read() -> None:
    # the reader finds what is plainly there, so the rules below are not vacuous
    assert "inputguard._core.validator" in GRAPH["inputguard._guard.batch"]
    assert "inputguard._guard.decorators" in GRAPH["inputguard._guard.guard"]
    assert len(GRAPH) > 40


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_cycles_are_found_when_there_are_some() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("area", sorted(LAYERS))
def test_each_area_imports_only_what_its_layer_allows(area: str) -> None:
    allowed = LAYERS[area]
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if _area(module) == area
        for target in targets
        if _area(target) != area
        and not any(target == a or target.startswith(a + ".") for a in allowed)
    )
    assert wrong == []


def test_the_decorators_do_not_know_the_guard_class() -> None:
    for module in ("inputguard._guard.decorators", "inputguard._guard.calls"):
        assert "inputguard._guard.guard" not in GRAPH[module]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_about_500_lines(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by concept"
