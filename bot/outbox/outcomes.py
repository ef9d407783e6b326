"""Recording outcomes in small group commits, and the outbox's outcomes.

`OutcomeRecorder` knows nothing of what it records: it buffers items ("row 17 was sent") and hands
them to a `write` coroutine in batches — as soon as `batch` are waiting, at the latest `window`
seconds after the first of them arrived, and at once when its owner `urge()`s it (nothing more
may start until something is recorded). A failed write keeps the items, in order, for the next
attempt. One recorder per process part that marks things done (the outbox sender; a reply journal
can use its own).

`Outcome` and `write_outcomes` are what the outbox sender records: one send's final or
retry outcome, written in one transaction per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repositories import outbox as repo
from bot.db.repositories import users as users_repo

log = logging.getLogger(__name__)

T = TypeVar("T")


class OutcomeRecorder(Generic[T]):
    """Buffer items and `write` them in batches (by count, by time window, or when urged).

    Run it with `start()`; `close()` stops it and writes what is left (raising if that fails).
    """

    def __init__(
        self, write: Callable[[Sequence[T]], Awaitable[None]], *, batch: int = 16, window: float = 0.05,
        retry_delay: float = 0.5, name: str = "outcomes",
    ) -> None:
        self.write = write
        self.batch = batch
        self.window = window
        self.retry_delay = retry_delay
        self.name = name
        self._items: list[T] = []
        self._ready = asyncio.Event()  # the first item arrived, the batch is full, or urged/closing
        self._urgent = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        self._items.append(item)
        waiting = len(self._items)
        if waiting == 1 or waiting >= self.batch or self._urgent:  # the window starts / batch full
            self._ready.set()

    def urge(self) -> None:
        """Write what is waiting now, and what comes next at once, until something was written."""
        self._urgent = True
        self._ready.set()

    def start(self) -> None:
        self._closing = False
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Stop the background writer and write what is left (an error is raised, items kept)."""
        self._closing = True
        self._ready.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closing:
            await self._ready.wait()
            self._ready.clear()
            deadline = loop.time() + self.window
            while len(self._items) < self.batch and not self._urgent and not self._closing:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(deadline):
                        await self._ready.wait()
                self._ready.clear()
                if loop.time() >= deadline:
                    break
            if not await self.try_flush():
                await asyncio.sleep(self.retry_delay)
                self._ready.set()

    async def try_flush(self) -> bool:
        """`flush`, logging a failure (the items stay queued for the next attempt)."""
        try:
            await self.flush()
        except Exception:
            log.exception("%s: could not record outcomes; retrying", self.name)
            return False
        return True

    async def flush(self) -> None:
        """Write everything waiting now; on failure the items go back in front and the error is raised."""
        batch, self._items = self._items, []
        if not batch:
            return
        try:
            await self.write(batch)
        except BaseException:
            self._items[:0] = batch
            raise
        self._urgent = False


# ---------- the outbox's outcomes ----------
RETRY = "retry"  # not a stored status: the row goes back to pending until `retry_at`


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one outbox send.

    `status`: repo.SENT / BLOCKED / FAILED / OUT_OF_WINDOW / OUT_OF_QUOTA, or RETRY (with `retry_at`;
    `count_attempt=False` when the channel, not the row, had to wait). `user_id`: the person to
    flag as having blocked the bot (BLOCKED), or who received it (SENT). `pushed`: a sent message's
    numbered choices, which become the ones she can type (bot/pushed_choices.py).
    """

    row_id: int
    status: str
    error: str = ""
    user_id: int | None = None
    retry_at: datetime | None = None
    count_attempt: bool = True
    pushed: list[Any] | None = None


async def write_outcomes(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> Counter[str]:
    """Write a batch of outcomes in `session`'s transaction; returns how many there were by status."""
    by_status: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome)
    sent = by_status.get(repo.SENT, [])
    await repo.mark(session, [o.row_id for o in sent], repo.SENT, now)
    blocked = by_status.get(repo.BLOCKED, [])
    if blocked:
        await repo.mark(session, [o.row_id for o in blocked], repo.BLOCKED, now, "blocked by the user")
        await users_repo.set_blocked(session, [o.user_id for o in blocked if o.user_id is not None], now)
    for status, group in by_status.items():
        if status in (repo.SENT, repo.BLOCKED):
            continue
        for o in group:
            if status == RETRY:
                assert o.retry_at is not None
                await repo.retry_later(session, o.row_id, o.retry_at, o.error, count_attempt=o.count_attempt)
            else:
                await repo.mark(session, [o.row_id], status, now, o.error[:300])
    # Her typeable pushed choices, in this batch's order (the sends' outcomes): a person's later message wins.
    choices = {o.user_id: o.pushed for o in sent if o.user_id is not None and o.pushed is not None}
    await users_repo.set_pushed(session, choices)
    return Counter({status: len(group) for status, group in by_status.items()})
