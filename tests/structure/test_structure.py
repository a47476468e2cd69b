"""The architecture holds: layers, no import circles, the form only in form/.

Layers, bottom up (a module imports only from its own layer or below):
ground (findings, values, output, console) → form → report → read → check → build →
merge → publish → excel, testing → server → cli. Inside a layer, subpackages are rooms: a room
may import from a lower layer, or from itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xlsx_tools.form import FORMS

PKG = Path(__file__).resolve().parents[2] / "xlsx_tools"
LAYERS = (
    ("findings", "values", "output", "console"),
    ("form",),
    ("report",),
    ("read",),
    ("check",),
    ("build",),
    ("merge",),
    ("publish",),
    ("excel", "testing"),
    ("server",),
    ("cli", "__init__"),
)
LAYER = {room: i for i, rooms in enumerate(LAYERS) for room in rooms}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(PKG).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Modules of the package that `name` imports (anywhere in it, lazily too)."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if name != "__init__" else []
    base = here if is_pkg else here[:-1]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for b in ast.walk(tree) if isinstance(b, ast.If) and "TYPE_CHECKING" in ast.unparse(b.test) for n in ast.walk(b)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: no import at run time
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            stem = base[: len(base) - node.level + 1]
            target = ".".join(stem + ([node.module] if node.module else []))
            found.add(target)
            for alias in node.names:  # from . import module
                found.add(f"{target}.{alias.name}".lstrip("."))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [module] if module else [a.name for a in node.names]
            found |= {n.removeprefix("xlsx_tools.") for n in names if n and n.startswith("xlsx_tools.")}
    modules = _modules()
    return {m for m in found if m in modules and m != name}


def _room(module: str) -> str:
    return module.split(".")[0] if module else "__init__"


def test_no_module_imports_from_a_layer_above_its_own():
    wrong = []
    for name, path in _modules().items():
        for target in _imports(name, path):
            if LAYER[_room(target)] > LAYER[_room(name)]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_every_room_has_a_layer():
    assert {_room(m) for m in _modules()} <= set(LAYER)


def test_no_import_circles():
    modules = _modules()
    graph = {name: _imports(name, path) for name, path in modules.items()}
    # a package's __init__ re-exporting its own modules is not a circle of code
    graph = {n: {t for t in ts if not (n.startswith(t + ".") or t == n.rsplit(".", 1)[0])} for n, ts in graph.items()}
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(trail[trail.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


WORDS = ("表二", "表三", "表四", "封面")
A1 = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9]\d*(:\$?[A-Z]{1,3}\$?[1-9]\d*)?$|!\$?[A-Z]{1,3}\$?[1-9]")


def _literals(path: Path):
    """Every string constant of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        scope = isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
        if scope and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            docs.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_outside_form_no_table_names_sheet_names_or_addresses():
    sheets = {name for spec in FORMS.values() for name in spec.layout.order}
    found = []
    for name, path in _modules().items():
        if _room(name) == "form":
            continue
        for line, text in _literals(path):
            if any(w in text for w in WORDS) or text in sheets or A1.search(text):
                found.append(f"{path.relative_to(PKG)}:{line}: {text[:60]!r}")
    assert found == []


def test_the_scan_would_see_a_leak():
    """The checks above can fail: a literal table name is seen, a docstring is not."""
    sample = PKG.parent / "tests" / "structure" / "leak_sample.txt"
    code = 'def f():\n    """表三 in a docstring is fine."""\n    return "表三!D5"\n'
    tmp = sample.with_suffix(".py")
    tmp.write_text(code, encoding="utf-8")
    try:
        assert [t for _, t in _literals(tmp)] == ["表三!D5"]
        assert A1.search("表三!D5") and A1.search("D5:J31") and not A1.search("GB 32100")
    finally:
        tmp.unlink()


def test_the_public_names_resolve():
    import xlsx_tools

    assert all(getattr(xlsx_tools, name) is not None for name in xlsx_tools.__all__)
    assert xlsx_tools.current_form().id == "GK-2021"
