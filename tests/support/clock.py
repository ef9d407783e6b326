"""A clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Clock:
    """A controllable aware-UTC clock: `clock()` reads it, `advance()` moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
