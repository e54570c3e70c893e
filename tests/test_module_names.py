"""Every `module.name` the source writes names something that module has: a name that moved to another
module (spec's request model to request.py, its price to price.py, media's checks by kind) is followed
everywhere, also where nothing runs it — an annotation, a line a branch in flight still carries."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "r2v_ui"
SOURCES = [ROOT / "app.py", *sorted((ROOT / PACKAGE).rglob("*.py")), *sorted((ROOT / "tests").glob("*.py"))]


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent that is a module, not a package
        return False


def _bound_modules(path: Path, tree: ast.Module) -> dict[str, str]:
    """Local name → the studio module it is bound to by `from … import module` (at any depth)."""
    here = _module_of(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = package
        for _ in range(node.level - 1 if node.level else 0):
            base = base.rpartition(".")[0]
        base = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
        if not base.startswith(PACKAGE):
            continue
        for alias in node.names:
            target = f"{base}.{alias.name}"
            if _is_module(target):
                bound[alias.asname or alias.name] = target
    return bound


def _stale_names(path: Path, text: str | None = None) -> list[str]:
    tree = ast.parse(path.read_text("utf-8") if text is None else text)
    bound = _bound_modules(path, tree)
    stale = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            module = importlib.import_module(bound[node.value.id])
            if not hasattr(module, node.attr) and not _is_module(f"{module.__name__}.{node.attr}"):
                stale.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    return stale


def test_every_module_name_written_in_the_source_exists():
    assert [s for p in SOURCES for s in _stale_names(p)] == []


def test_the_check_finds_a_name_that_is_not_there_even_in_an_annotation():
    text = "from r2v_ui import media, spec\n\ndef f(p: spec.NoSuchTable) -> media.pictures.X: ...\n"
    assert _stale_names(ROOT / "tests" / "example.py", text) == ["tests/example.py:3: spec.NoSuchTable"]
    relative = "from .. import spec\nfrom ..media import report\nx = spec.PROMPT_MAX + report.Nothing\n"
    assert _stale_names(ROOT / PACKAGE / "ui" / "example.py", relative) == ["r2v_ui/ui/example.py:3: report.Nothing"]
