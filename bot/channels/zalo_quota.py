"""The Zalo Bot channel's pause after a 429 "Quota exceeded".

Zalo's table gives 429 for "quota exceeded", which covers the monthly message cap (3,000 on the
free plan): retrying every few seconds would only hammer Zalo for the rest of the month. So the
first 429 starts an *episode*: it is logged once, the admins are told once (the hook), and the
channel sends nothing for `pause` seconds (Zalo's hint when it gives one, else `first_pause`,
doubling on each further 429 up to `max_pause`). After a pause one message is tried again; the
first success ends the episode (logged once). While paused, `remaining()` says for how long, so
the outbox reschedules rows without calling Zalo, and /healthz and /metrics show it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.channels.base import QuotaHook

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 15 * 60.0
MAX_PAUSE_SECONDS = 6 * 3600.0


class QuotaGate:
    """Pause state of one channel; `hit()` on a 429, `ok()` on a success."""

    def __init__(
        self,
        channel: str,
        on_exhausted: QuotaHook | None = None,
        *,
        first_pause: float = FIRST_PAUSE_SECONDS,
        max_pause: float = MAX_PAUSE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self._on_exhausted = on_exhausted
        self.first_pause = first_pause
        self.max_pause = max_pause
        self._clock = clock
        self._until = 0.0
        self._next_pause: float | None = None  # None: first_pause
        self.since: datetime | None = None  # start of the current episode (UTC), None when sending normally
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def exhausted(self) -> bool:
        return self.since is not None

    def remaining(self) -> float:
        """Seconds left in the current pause (0 when sending may be tried)."""
        return max(0.0, self._until - self._clock()) if self.since is not None else 0.0

    def hit(self, retry_after: float | None) -> float:
        """Zalo answered 429: start or continue the episode; returns the pause in seconds."""
        planned = self._next_pause if self._next_pause is not None else self.first_pause
        pause = min(retry_after if retry_after is not None and retry_after > 0 else planned, self.max_pause)
        self._until = self._clock() + pause
        self._next_pause = min(planned * 2, self.max_pause)
        if self.since is None:
            self.since = datetime.now(UTC)
            log.warning(
                "%s: quota exceeded (429); sending paused for %.0f s, then tried again (logged once)",
                self.channel, pause,
            )
            if self._on_exhausted is not None:
                task = asyncio.get_running_loop().create_task(self._notify())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return pause

    def ok(self) -> None:
        """A send went through: the quota is available again."""
        if self.since is not None:
            log.warning("%s: quota available again; sending resumed", self.channel)
        self.since = None
        self._until = 0.0
        self._next_pause = None

    def note(self) -> str | None:
        """One line for /healthz, None while sending normally."""
        if self.since is None:
            return None
        return (
            f"quota exceeded since {self.since.isoformat(timespec='seconds')}; "
            f"next try in {self.remaining():.0f} s"
        )

    async def _notify(self) -> None:
        assert self._on_exhausted is not None
        try:
            await self._on_exhausted(self.channel)
        except Exception:
            log.exception("%s: could not tell the admins about the quota", self.channel)
