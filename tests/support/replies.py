"""Reading the engine's replies in tests: the numbers of the buttons shown, the text."""

from __future__ import annotations

from bot.messages import Reply


def numbers(replies: list[Reply]) -> dict[str, int]:
    """Label -> number of the buttons of the message that carries them (one numbering per message)."""
    shown = [r for r in replies if r.buttons]
    assert len(shown) <= 1 or all(not r.buttons for r in shown[:-1]), "two numbered messages in one turn"
    return {b.label: b.number for b in shown[-1].numbered()} if shown else {}  # type: ignore[misc]


def text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)

