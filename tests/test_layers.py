"""The layer table of docs/architecture.md, enforced: imports only go down, and channel adapters import
nothing but the ground floor. A new module must be placed in a floor here (and in the table)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "bot"

GROUND = {
    "bot.config", "bot.text", "bot.formatting", "bot.messages", "bot.callbacks", "bot.app_context",
    "bot.pending_codes", "bot.reply_codec", "bot.pushed_choices", "bot.content", "bot.throttle",
    "bot.observability", "bot.speech",
}
FLOORS: dict[str, int] = {
    **{name: 0 for name in GROUND},
    "bot.db": 1,
    "bot.services": 2,
    "bot.engine": 3, "bot.channels": 3,
    "bot.outbox": 4, "bot.journal": 4, "bot.web": 4,
    "bot.runtime": 5, "bot.scheduler": 5, "bot.serve": 5, "bot.oa_setup": 5, "bot.instance": 5,
    "bot.commands": 6, "bot.cli": 6, "bot.__main__": 6, "bot": 6,
}


def _area(module: str) -> str:
    """The longest FLOORS key that is `module` or a package above it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in FLOORS:
            return name
    raise AssertionError(f"{module} is in no floor: add it to docs/architecture.md and tests/test_layers.py")


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    out: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("bot")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "bot" or base.startswith("bot."):
                out |= {f"{base}.{a.name}" if f"{base}.{a.name}" in _MODULES else base for a in node.names}
    return out


_MODULES = _modules()


def test_imports_only_go_down_and_channels_know_only_the_ground_floor() -> None:
    wrong: list[str] = []
    for module, path in sorted(_MODULES.items()):
        area = _area(module)
        floor = FLOORS[area]
        for target in sorted(_imports(module, path)):
            target_area = _area(target)
            if target_area == area or target_area.startswith(area + ".") or area.startswith(target_area + "."):
                continue  # within one package
            target_floor = FLOORS[target_area]
            if area == "bot.channels" and target_floor > 0:
                wrong.append(f"{module} → {target} (a channel adapter imports the ground floor only)")
            elif {area, target_area} == {"bot.engine", "bot.channels"}:
                wrong.append(f"{module} → {target} (the engine knows nothing of the channels)")
            elif target_floor > floor:
                wrong.append(f"{module} (floor {floor}) → {target} (floor {target_floor})")
            elif floor == 0 and target_floor > 0:
                wrong.append(f"{module} (ground) → {target} (floor {target_floor})")
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(wrong)


def _cycle() -> list[str]:
    """One import circle between modules of bot/ (TYPE_CHECKING imports included), or []."""
    graph = {m: sorted(t for t in _imports(m, p) if t in _MODULES and t != m) for m, p in _MODULES.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_module_imports_itself_in_a_circle() -> None:
    circle = _cycle()
    assert not circle, "import circle: " + " → ".join(circle)
