"""The layers hold: the import graph of r2v_ui (read with ast, nothing imported) has no circle; MCP
imports nothing from the page (ui/); the workspace layer imports neither the page nor Gradio; the
page (ui/) holds Gradio components only (docs/ARCHITECTURE.md, "The page holds components only");
and the page, its workspace and MCP never compare a job's state with a word (they ask the
snapshot's typed queries or JobState: the vocabulary lives in jobs/states.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import r2v_ui
from tests.import_graph import cycles

ROOT = Path(r2v_ui.__file__).parent
STATE_WORDS = {"checking", "uploading", "submitting", "queued", "processing", "downloading", "succeeded", "failed",
               "uncertain", "discarded"}


def module_name(path: Path) -> str:
    parts = ["r2v_ui", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every r2v_ui module (and top-level package such as gradio) `path` imports, at any depth in the
    file (a function's import too), except for type checkers only (`if TYPE_CHECKING:`)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(block)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)  # `from . import cast` names a module
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in files and m != name} for name, path in files.items()}


def test_no_module_of_the_studio_is_in_an_import_circle():
    g = graph()
    # A package's __init__ re-exporting its own modules is not a circle between rooms: edges from a
    # module to its own package's __init__ are what `from . import x` reads, so leave those out.
    edges = {a: {b for b in bs if not a.startswith(b + ".")} for a, bs in g.items()}
    circles = cycles(edges)
    assert circles == [], circles


def test_mcp_imports_nothing_from_the_page_and_the_workspace_neither_the_page_nor_gradio():
    g = graph()
    mcp_to_ui = {(a, b) for a, bs in g.items() if a.startswith("r2v_ui.mcp") for b in bs if b.startswith("r2v_ui.ui")}
    assert mcp_to_ui == set()
    for path in (ROOT / "workspace").rglob("*.py"):
        found = imports_of(path)
        assert not {m for m in found if m.startswith("r2v_ui.ui")}, path
        assert not {m for m in found if m.split(".")[0] == "gradio"}, path


def _compared_words(path: Path) -> list[tuple[int, str]]:
    """Places where a state word is compared (==, !=, in, not in) with anything."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                values = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                for v in values:
                    if isinstance(v, ast.Constant) and v.value in STATE_WORDS:
                        out.append((node.lineno, v.value))
    return out


def test_the_page_its_workspace_and_mcp_never_compare_a_state_with_a_word():
    found = {str(p.relative_to(ROOT)): hits for room in ("ui", "workspace", "mcp")
             for p in (ROOT / room).rglob("*.py") if (hits := _compared_words(p))}
    assert found == {}


# The page's static scripts: JavaScript text put in the page's <head> (theme.HEAD), which the
# components rely on but which builds no widget.  Nothing else in ui/ may be free of Gradio.
PAGE_SCRIPTS = {"scripts.py", "dropscript.py"}


def uses_gradio(path: Path) -> bool:
    """`path` imports gradio (at any depth) and uses the name it is imported under: a component, or
    the page's Gradio plumbing (its queue, serving, session state, language, theme)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "gradio"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "gradio" and not node.level:
            bound |= {a.asname or a.name for a in node.names}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bool(bound & used)


def test_the_page_holds_gradio_components_only():
    """Every module in ui/ works with Gradio, except the page's static scripts: pure logic belongs in
    workspace/ (shared with MCP), and markup with the component that shows it."""
    modules = {p.name: p for p in (ROOT / "ui").glob("*.py") if p.name != "__init__.py"}
    without = {name for name, path in modules.items() if not uses_gradio(path)}
    assert without == PAGE_SCRIPTS, f"free of Gradio, so not the page's: {sorted(without - PAGE_SCRIPTS)}"
    assert not [p for p in (ROOT / "ui").rglob("*.py") if p.parent != ROOT / "ui"]  # no sub-package to hide in


def test_the_gradio_check_tells_a_component_from_a_pure_module(tmp_path):
    component, pure, unused = tmp_path / "c.py", tmp_path / "p.py", tmp_path / "u.py"
    component.write_text("import gradio as gr\n\ndef render():\n    return gr.HTML('')\n")
    pure.write_text("import html\n\ndef label(x):\n    return html.escape(x)\n")
    unused.write_text("import gradio as gr  # imported only to pass\n\ndef label(x):\n    return x\n")
    assert [uses_gradio(p) for p in (component, pure, unused)] == [True, False, False]
