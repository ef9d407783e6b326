"""Roles are named by `Role` only: a bare "admin" or "team" in bot/ is a role check that a rename of the enum
would silently break (the Structure rule: no role name as a string literal outside its enum)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.db.models import Role

ROOT = Path(__file__).resolve().parents[1] / "bot"
ROLE_NAMES = {role.value for role in Role}


def _literals_outside_enums(tree: ast.AST) -> list[int]:
    enum_values: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "StrEnum" for b in node.bases):
            enum_values |= {id(n) for n in ast.walk(node)}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in ROLE_NAMES and id(node) not in enum_values
    ]


def test_no_role_name_is_a_bare_string_in_the_package() -> None:
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        for line in _literals_outside_enums(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "use Role.… instead of a string: " + ", ".join(found)
