"""The layout rules of docs/architecture.md, checked: small modules, no import cycles (function-level
imports included), argparse only in cli/, no notebook generator, every module documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "shv_analysis"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "egg-info" not in str(p))
MAX_LINES = 500


def _name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def _strongly_connected(graph: grimp.ImportGraph, modules: list[str]) -> list[list[str]]:
    """Tarjan's algorithm over the package's direct imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if not w.startswith("shv_analysis"):
                continue
            if w not in index:
                visit(w)
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
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_function_level_imports_included():
    graph = grimp.build_graph("shv_analysis", cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("shv_analysis"))
    assert len(modules) >= 40
    assert _strongly_connected(graph, modules) == []


def test_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for m in ("shv_analysis.a", "shv_analysis.b", "shv_analysis.c"):
        graph.add_module(m)
    graph.add_import(importer="shv_analysis.a", imported="shv_analysis.b")
    graph.add_import(importer="shv_analysis.b", imported="shv_analysis.a")
    graph.add_import(importer="shv_analysis.c", imported="shv_analysis.a")
    assert _strongly_connected(graph, sorted(graph.modules)) == [
        ["shv_analysis.a", "shv_analysis.b"]
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_argparse_only_in_cli():
    users = [str(p.relative_to(PACKAGE)) for p in MODULES if "argparse" in _imports(p)]
    assert users and all(u.startswith("cli/") for u in users), users


def test_no_notebook_generator():
    assert not list(PACKAGE.rglob("generate.py"))
    assert not (ROOT / "notebooks" / "generate.py").exists()


def test_architecture_doc_names_every_module():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(shv_analysis(?:\.\w+)*)`", doc))
    missing = [
        _name(p) for p in MODULES if _name(p) not in listed and not p.name.startswith("__main__")
    ]
    assert missing == []
