"""The shape of the test suite, enforced: what tests share lives in tests/support (helpers) and tests/fakes
(network fakes), so no module under tests/ imports a test module or tests/conftest.py; and conftest.py
only declares fixtures."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _forbidden(name: str) -> bool:
    """A test module or the conftest, by dotted name (`tests.test_x`, or `test_x` as pytest imports it)."""
    parts = name.split(".")
    if parts[0] == "tests":
        parts = parts[1:]
    return bool(parts) and (parts[0].startswith("test_") or parts[0] == "conftest")


def _imported(tree: ast.AST) -> set[str]:
    """Every module an import statement anywhere in `tree` names (`from tests import x` names tests.x)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: within tests/
                base = ".".join(["tests", *([base] if base else [])])
            found.add(base)
            if base == "tests":
                found |= {f"tests.{alias.name}" for alias in node.names}
    return found


def test_no_module_under_tests_imports_a_test_module_or_the_conftest() -> None:
    wrong = [
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in sorted(_imported(ast.parse(path.read_text(encoding="utf-8"))))
        if _forbidden(name)
    ]
    assert not wrong, "move what is shared into tests/support (or tests/fakes):\n" + "\n".join(wrong)


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _docstring(tree: ast.Module) -> ast.stmt | None:
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def test_conftest_only_declares_fixtures() -> None:
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    wrong = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not any(_is_fixture(d) for d in node.decorator_list):
                wrong.append(f"def {node.name} (not a fixture)")
        elif isinstance(node, ast.ClassDef):
            wrong.append(f"class {node.name}")
        elif not isinstance(node, (ast.Import, ast.ImportFrom)) and node is not _docstring(tree):
            wrong.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
    assert not wrong, "tests/conftest.py declares fixtures only; helpers go to tests/support:\n" + "\n".join(wrong)


def test_the_checks_see_what_they_look_for() -> None:
    samples = {
        "from tests.test_zalo_journey import Resident": True,
        "import tests.test_guided": True,
        "from tests import test_guided": True,
        "from tests.conftest import Clock": True,
        "from test_guided import say": True,
        "import conftest": True,
        "from .test_guided import say": True,
        "def f():\n    from tests.test_scheduler import tick": True,
        "from tests.support.zalo_bot import Resident": False,
        "from tests.fakes.zalo_server import FakeZaloServer": False,
        "from tests import support": False,
        "import pytest": False,
    }
    for source, bad in samples.items():
        assert any(_forbidden(n) for n in _imported(ast.parse(source))) is bad, source
