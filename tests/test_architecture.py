"""The code keeps the shape docs/architecture.md draws: each package imports only from its own floor or lower ones,
and no two modules import each other, directly or around a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# From the ground floor up, as docs/architecture.md lists them.
FLOORS = (
    ("etl.paths", "etl.private_files", "etl.errors", "etl.wording", "etl.spreadsheet_text"),
    ("etl.plan",),
    ("etl.warehouse",),
    ("etl.returns",),
    ("etl.schedule",),
    ("etl.outputs", "etl.crosswalk"),
    ("etl.accounts", "etl.reviews"),
    ("etl.demo",),
    ("etl.cli",),
    ("dashboard",),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# The library's root package holds only its docstring: it stands on no floor of its own.
MODULES = {
    _module_name(p): p
    for top in ("etl", "dashboard")
    for p in sorted((ROOT / top).rglob("*.py"))
    if p != ROOT / "etl/__init__.py"
}


def _floor(module: str) -> int:
    for level, packages in enumerate(FLOORS):
        if any(module == package or module.startswith(package + ".") for package in packages):
            return level
    raise AssertionError(f"{module} stands on no floor: add its package to FLOORS and to docs/architecture.md")


def _imports(module: str) -> set[str]:
    """The project's modules that `module` imports, at the top or inside a function (both are arrows)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from etl.plan import catalogue` imports the module etl.plan.catalogue.
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != module)
    # A package's __init__ is imported along with any of its modules; that arrow is the package's own business.
    return {name for name in found if not module.startswith(name + ".")}


GRAPH = {module: _imports(module) for module in MODULES}


def test_the_map_covers_the_code():
    assert {"etl.plan.catalogue", "etl.warehouse.connection", "etl.cli", "dashboard.app"} <= set(MODULES)
    assert sum(len(imported) for imported in GRAPH.values()) > 200  # the arrows were read, not missed


def test_no_import_runs_back_up():
    upward = sorted(
        f"{module} -> {name}"
        for module, imported in GRAPH.items()
        for name in imported
        if _floor(name) > _floor(module)
    )
    assert not upward, f"imports from a higher floor: {upward}"


def test_no_import_cycle():
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for name in GRAPH[module]:
            if name not in index:
                visit(name)
                low[module] = min(low[module], low[name])
            elif name in on_stack:
                low[module] = min(low[module], index[name])
        if low[module] == index[module]:
            component = []
            while True:
                name = stack.pop()
                on_stack.discard(name)
                component.append(name)
                if name == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not cycles, f"modules that import each other: {cycles}"
