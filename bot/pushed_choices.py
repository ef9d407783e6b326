"""The choices of a pushed (outbox) message, numbered so that they can be typed beside her screen's.

On the Zalo Bot, the Zalo OA's typed fallback and the console, a typed number is matched by the engine
against what the person can type (bot/engine/engine.py). A pushed message is not a turn, so its choices
take numbers of their own: 21, 22… in row order (`bot.messages.PUSHED_NUMBERS`, a block no screen uses),
printed in the message («21. ✅ Tôi sẽ tham gia»). Once the platform accepted the message, the outbox
writes them to her `conversation_states.pushed` in the same transaction that marks the row sent
(bot/outbox/outcomes.py): the engine then resolves 21… there, and her screen's numbers keep working.
The next pushed message with choices replaces them (docs/conversation.md §1, «Pushed messages»).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.messages import PUSHED_NUMBERS, Button, numbered


def number_rows(rows: Iterable[Iterable[Button]]) -> tuple[tuple[Button, ...], ...]:
    """The rows with each choice numbered 21, 22… in row order; links keep no number. Choices beyond
    the block (more than 9) keep none and are shown as on any screen (not typeable from her state)."""
    numbers = iter(PUSHED_NUMBERS)
    out: list[tuple[Button, ...]] = []
    for row in rows:
        out.append(tuple(b if b.is_link else Button(b.label, b.payload, next(numbers, None)) for b in row))
    return tuple(out)


def stored(rows: Sequence[Sequence[Button]]) -> list[Any] | None:
    """What her state keeps of a pushed message: [[label, payload, number], ...], or None when it has
    no numbered choice (then her earlier pushed choices stay)."""
    found = [[b.label, b.payload, b.number] for row in rows for b in row if b.number in PUSHED_NUMBERS]
    return found or None


def from_state(pushed: list[Any] | None) -> list[Button]:
    """Her pushed choices as buttons (in `conversation_states.pushed`), for the engine to match."""
    found = [Button(str(b[0]), str(b[1]), int(b[2])) for b in (pushed or []) if len(b) > 2 and b[2] is not None]
    return numbered([b for b in found if b.number in PUSHED_NUMBERS])
