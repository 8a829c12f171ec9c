"""The xprep package's module graph has no import cycle.

The graph is built statically (``ast``, nothing is imported) over every module of the package.
The rule:

* An edge A -> B exists when module A imports module B anywhere in its code: at module level, inside
  a function or method, inside ``try``/``if`` blocks. A function-level import placed there to dodge a
  cycle still couples the two modules both ways, so it counts; it is a cycle in the design.
* The one exception is an import under ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``): it
  never runs, exists only for annotations, and so adds no edge.
* ``import xprep.a.b`` and ``from xprep.a import b`` (where ``b`` is a module) depend on ``xprep.a.b``.
  ``from xprep.a import name`` (``name`` not a module) depends on ``xprep.a`` itself. Every import of
  ``xprep.a.b`` also runs the package ``xprep.a``'s ``__init__``, so it depends on ``xprep.a`` too,
  but only when that ``__init__`` has content (imports or code beyond a docstring): an empty
  ``__init__`` cannot close a cycle.
* Relative imports are resolved against the importing module's package.
* A module's own enclosing packages are no edge: Python runs ``xprep/a/__init__.py`` before any module of
  ``xprep.a`` anyway, and an ``__init__`` that imports its submodules to fill its registry is the registry
  pattern, not a cycle.

A failure names every cycle found (one per strongly connected component), as ``a -> b -> a``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import xprep

ROOT = Path(xprep.__file__).resolve().parent
PACKAGE = "xprep"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _has_content(tree: ast.Module) -> bool:
    """Whether a package ``__init__`` does anything beyond carrying a docstring."""
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in the tree, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts.pop()
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _targets(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The xprep modules that ``module`` names in its imports (before adding parent packages)."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = _base(module, is_package, node)
        for alias in node.names:
            child = f"{base}.{alias.name}"
            targets.add(child if child in modules else base)
    return {name for name in targets if name == PACKAGE or name.startswith(PACKAGE + ".")}


def build_graph() -> dict[str, set[str]]:
    """Module name -> the xprep modules it depends on, by the rule in this file's docstring."""
    modules = _modules()
    packages_with_content = {
        name
        for name, path in modules.items()
        if path.name == "__init__.py" and _has_content(ast.parse(path.read_text(encoding="utf-8")))
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges: set[str] = set()
        for target in _targets(module, path, modules):
            parts = target.split(".")
            edges.update(
                ".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in packages_with_content
            )
            if target in modules:
                edges.add(target)
        edges.discard(module)
        # a module inside a package always runs its package's __init__ first; that is not a cycle
        edges -= {pkg for pkg in edges if module.startswith(pkg + ".")}
        graph[module] = edges
    return graph


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One shortest cycle through the component's first module, as a path that returns to it."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [start]
                    while node != start:
                        path.append(node)
                        node = previous[node]
                    return [start, *reversed(path[1:]), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a component of size > 1 always has one


def find_cycles(graph: dict[str, set[str]]) -> list[str]:
    """One line per strongly connected component: a cycle, and the other modules caught in it."""
    lines = []
    for component in _components(graph):
        cycle = _cycle_in(component, graph)
        others = sorted(set(component) - set(cycle))
        lines.append(" -> ".join(cycle) + (f"  (also in this knot: {', '.join(others)})" if others else ""))
    return lines


def test_graph_follows_the_rule_on_the_package():
    graph = build_graph()
    assert {"xprep.owned", "xprep.records"} <= graph["xprep.io"]  # module-level imports
    assert "xprep.tasks.targets" in graph["xprep.languages"]
    # `from xprep.tasks.pair import ...` depends on tasks.pair and on xprep.tasks, whose __init__ has content
    assert {"xprep.tasks.pair", "xprep.tasks"} <= graph["xprep.native.pair"]
    # xprep/projection/__init__.py is a docstring: importing xprep.projection.words never depends on it
    assert "xprep.projection" not in set().union(*graph.values())


def test_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == ["a -> b -> c -> a"]


def test_type_checking_imports_are_not_edges():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import xprep.io\nimport xprep.text\n")
    names = [alias.name for node in _imports(tree) for alias in node.names]
    assert "xprep.io" not in names and "xprep.text" in names


def test_function_level_imports_are_edges():
    tree = ast.parse("def f():\n    from xprep import io\n")
    assert [node.module for node in _imports(tree)] == ["xprep"]


def test_no_import_cycles():
    cycles = find_cycles(build_graph())
    assert not cycles, "import cycles in xprep:\n" + "\n".join(cycles)
