"""The studio's import graph, from the source (ast): which module of r2v_ui imports which at load time
(imports at module level; not those inside a function, nor under `if TYPE_CHECKING:`).

    python tests/import_graph.py                    rooms (packages and top-level modules) and their edges, as mermaid
    python tests/import_graph.py --omit messages,errors,spec,atomic_files   the same without those leaves
    python tests/import_graph.py --modules          every module and its edges, as text

A room is a package below r2v_ui (store, jobs, ui, …) or a top-level module; jobs/states.py, the
vocabulary of a job's states and a reference's kinds, is drawn as a room of its own (`jobs_states`):
it imports only spec and messages, and both the store and the job core read it.
tests/test_import_graph.py checks there is no circle, between modules or between rooms."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "r2v_ui"
VOCABULARY = {"r2v_ui.jobs.states"}  # a leaf the store and the job core both read: a room of its own


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _top_level_imports(tree: ast.Module):
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            stack.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            stack.extend(node.body + node.orelse + node.finalbody + [n for h in node.handlers for n in h.body])


def module_graph() -> dict[str, set[str]]:
    """module → the r2v_ui modules it imports at load time."""
    files = {_module_name(p): p for p in (ROOT / PACKAGE).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                bases = [a.name for a in node.names]
                targets = bases
            else:
                base = here
                for _ in range(node.level - 1 if node.level else 0):
                    base = base.rpartition(".")[0]
                base = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for t in targets:
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    deps.add(t)
        graph[name] = deps
    return graph


def room(module: str) -> str:
    """A package below r2v_ui (r2v_ui.store), or the top-level module itself; the vocabulary apart."""
    if module in VOCABULARY:
        return module
    parts = module.split(".")
    return ".".join(parts[:2])


def room_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {}
    for m, deps in graph.items():
        rooms.setdefault(room(m), set()).update(room(d) for d in deps if room(d) != room(m))
    return rooms


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle found by a depth-first walk (each reported once, from where it was entered)."""
    found, state, path = [], {}, []

    def walk(n: str) -> None:
        state[n] = 1
        path.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                found.append(path[path.index(d):] + [d])
            elif d not in state:
                walk(d)
        path.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            walk(n)
    return found


def mermaid(rooms: dict[str, set[str]], omit: set[str] = frozenset()) -> str:
    short = lambda r: r.removeprefix(f"{PACKAGE}.").replace(".", "_") if r != PACKAGE else "version"  # noqa: E731
    lines = ["flowchart TD"]
    for r in sorted(rooms):
        for d in sorted(rooms[r]):
            if short(d) not in omit and short(r) not in omit:
                lines.append(f"    {short(r)} --> {short(d)}")
    return "\n".join(lines)


if __name__ == "__main__":
    g = module_graph()
    if "--modules" in sys.argv:
        for m in sorted(g):
            print(f"{m}: {', '.join(sorted(g[m])) or '-'}")
    else:
        omit = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--omit=")), "")
        if "--omit" in sys.argv:
            omit = sys.argv[sys.argv.index("--omit") + 1]
        print(mermaid(room_graph(g), set(filter(None, omit.split(",")))))
    print(f"circles between modules: {len(cycles(g))}, between rooms: {len(cycles(room_graph(g)))}",
          file=sys.stderr)
