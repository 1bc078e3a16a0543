"""The layering of ARCHITECTURE.md, checked statically on every product module (ast, nothing imported).

(a) no import cycle among product modules — module-level and function-level imports alike, only
    `if TYPE_CHECKING:` blocks are exempt; (b) features never import the entry points
    (bootstrap, app, worker, cli, serve) nor web (web may import features), the kernel `core`
    imports no feature, the domain `orders` imports only `core`, `nlu` imports nothing of the project
    but itself (its command line, `python -m nlu`, may read `config`); (c) no `importlib` or
    `__import__` in product code. Product code = every top-level package and module except
    tests/, bench/ and migrations/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCT = {"tests", "bench", "migrations"}
# Every top-level package but the kernel is a feature (a new one is covered without editing this file).
KNOWN_FEATURES = {"accounts", "alerts", "api", "bot", "demo", "devices", "logistics", "nextsteps", "notify",
                  "orders", "workcal", "nlu", "web"}
KERNEL = "core"
ENTRY_POINTS = {"bootstrap", "app", "worker", "cli", "serve"}


def product_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every product module under `root`."""
    out: dict[str, Path] = {}
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name in NOT_PRODUCT:
            continue
        if path.is_file() and path.suffix == ".py":
            out[path.stem] = path
        elif path.is_dir() and (path / "__init__.py").exists():
            for f in sorted(path.rglob("*.py")):
                parts = f.relative_to(root).with_suffix("").parts
                out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    """Every import statement of a module (with its line), `if TYPE_CHECKING:` bodies apart."""

    def __init__(self, name: str, is_package: bool):
        self.package = name if is_package else name.rpartition(".")[0]
        self.found: list[tuple[str, tuple[str, ...], int, bool]] = []  # (module, names, line, typing only)
        self._typing = 0
        self.dynamic: list[int] = []  # lines that import by name at run time

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self._typing += 1
            for child in node.body:
                self.visit(child)
            self._typing -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, (), node.lineno, self._typing > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            pkg = self.package.split(".")
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join([*pkg, base] if base else pkg)
        self.found.append((base, tuple(a.name for a in node.names), node.lineno, self._typing > 0))

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__import__":
            self.dynamic.append(node.lineno)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "__import__":
            self.dynamic.append(node.lineno)
        self.generic_visit(node)


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def scan(modules: dict[str, Path]):
    """(edges, dynamic): edges[m] = {(target module, line, typing only)}; dynamic = [(m, line)]."""
    edges: dict[str, set[tuple[str, int, bool]]] = {m: set() for m in modules}
    dynamic: list[tuple[str, int]] = []
    for name, path in modules.items():
        visitor = _Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        dynamic += [(name, line) for line in visitor.dynamic]
        for module, names, line, typing_only in visitor.found:
            if module == "importlib" or module.startswith("importlib."):
                dynamic.append((name, line))
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            if len(targets) < len(names) or not names:  # names that are attributes of `module`
                parts = module.split(".")
                while parts and ".".join(parts) not in modules:
                    parts.pop()
                if parts:
                    targets.append(".".join(parts))
            # Importing a.b.c first runs a/__init__ and a/b/__init__ (those of the importer's own
            # package have already started, so only the other packages' count).
            targets += [p for t in targets for p in _parents(t) if p in modules and not _within(name, p)]
            edges[name] |= {(t, line, typing_only) for t in targets if t != name}
    return edges, dynamic


def cycles(edges: dict[str, set[tuple[str, int, bool]]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), typing-only imports left out."""
    graph = {m: sorted({t for t, _, typing_only in out if not typing_only}) for m, out in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def features_of(modules: dict[str, Path]) -> set[str]:
    """The top-level packages except the kernel."""
    return {m for m, path in modules.items() if "." not in m and path.name == "__init__.py"} - {KERNEL}


def forbidden(importer: str, target: str, features: set[str]) -> bool:
    """True when the layering rules forbid `importer` to import `target`."""
    src, dst = importer.split(".")[0], target.split(".")[0]
    if src == dst:
        return False
    if src == "nlu":
        return not (importer == "nlu.__main__" and target == "config")
    if src == "orders":
        return dst != KERNEL
    if src == KERNEL:
        return dst in features or dst in ENTRY_POINTS
    if src in features:
        return dst in ENTRY_POINTS or dst == "web"
    return False


def violations(edges, features: set[str]) -> list[str]:
    """Each import the layering rules forbid, as 'importer:line -> target'."""
    return sorted(f"{m}:{line} -> {t}" for m, out in edges.items() for t, line, _ in out
                  if forbidden(m, t, features))


@pytest.fixture(scope="module")
def graph():
    modules = product_modules(ROOT)
    edges, dynamic = scan(modules)
    return modules, edges, dynamic


def test_scan_sees_the_product(graph):
    modules, edges, _ = graph
    assert {"bootstrap", "core.bus", "orders.service", "nlu.parser", "web.wiring"} <= set(modules)
    assert not any(m.split(".")[0] in NOT_PRODUCT for m in modules)
    assert KNOWN_FEATURES <= features_of(modules) and KERNEL not in features_of(modules)
    assert "orders.events" in {t for t, _, _ in edges["web.wiring"]}
    assert "core.feature" in {t for t, _, _ in edges["bootstrap"]}


def test_no_import_cycles(graph):
    _, edges, _ = graph
    assert cycles(edges) == []


def test_layers(graph):
    modules, edges, _ = graph
    assert violations(edges, features_of(modules)) == []


def test_no_dynamic_imports(graph):
    _, _, dynamic = graph
    assert dynamic == []


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return product_modules(tmp_path)


def test_checker_finds_function_level_cycles_and_skips_type_checking(tmp_path):
    modules = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def f():\n    from .a import x\n",
        "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n",
        "pkg/d.py": "import pkg.c\n",
        "tests/t.py": "import importlib\n",
    })
    edges, dynamic = scan(modules)
    assert cycles(edges) == [["pkg.a", "pkg.b"]]
    assert dynamic == []


def test_checker_finds_layer_breaks_and_dynamic_imports(tmp_path):
    modules = _tree(tmp_path, {
        "bootstrap.py": "",
        "core/__init__.py": "from orders import models\n",
        "orders/__init__.py": "",
        "orders/models.py": "def f():\n    import bootstrap\n",
        "orders/views.py": "from core import x\nfrom alerts import y\n",
        "nlu/__init__.py": "from core import x\n",
        "nlu/__main__.py": "import config\nfrom core import y\n",
        "config.py": "",
        "web/__init__.py": "from orders import models\n",
        "alerts/__init__.py": "import importlib\nmod = __import__('web')\n",
        "app.py": "",
        "newthing/__init__.py": "import app\n",  # a feature the lists above do not name
    })
    edges, dynamic = scan(modules)
    assert violations(edges, features_of(modules)) == [
        "core:1 -> orders", "core:1 -> orders.models", "newthing:1 -> app", "nlu.__main__:2 -> core", "nlu:1 -> core",
        "orders.models:2 -> bootstrap", "orders.views:2 -> alerts"]
    assert sorted(dynamic) == [("alerts", 1), ("alerts", 2)]
