"""One send budget per bot token, shared by conversation replies and broadcasts.

A platform limits what one bot sends per second, whatever the message is for. `SendBudget` hands
out send slots at that rate on an absolute schedule (GCRA: a timer that fires a little late is
caught up, yet in any L seconds at most rate * L + C slots are given, C = max(5/4, 1% of a second's
worth)), aiming at `PACE_MARGIN` of the limit. Waiting conversation replies always get the next
slot before waiting broadcasts: broadcasts use what residents leave.

Who pays: a platform call takes a slot with `take()`, at the priority of its context
(conversation unless the outbox said otherwise with `broadcasting()`); the outbox takes its
broadcast slot before it starts a send, and marks that slot as prepaid for the send's first call.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Iterator
from contextvars import ContextVar
from enum import IntEnum

PACE_MARGIN = 0.96  # fraction of the platform's limit we aim at
CATCH_UP_SECONDS = 0.01


class Priority(IntEnum):
    CONVERSATION = 0
    BROADCAST = 1


_context_priority: ContextVar[Priority] = ContextVar("send_priority", default=Priority.CONVERSATION)
_prepaid: ContextVar[list[int] | None] = ContextVar("send_prepaid", default=None)


@contextlib.contextmanager
def broadcasting(prepaid: int = 1) -> Iterator[None]:
    """Platform calls made inside are broadcast sends; the first `prepaid` of them are paid already."""
    priority, paid = _context_priority.set(Priority.BROADCAST), _prepaid.set([prepaid])
    try:
        yield
    finally:
        _context_priority.reset(priority)
        _prepaid.reset(paid)


class SendBudget:
    """`rate` sends per second (None: unlimited), conversation first; see the module docstring."""

    def __init__(self, rate: float | None) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("a send budget needs a rate above 0")
        self.rate = rate
        effective = (rate or 1.0) * PACE_MARGIN
        capacity = max(5 / 4, effective * CATCH_UP_SECONDS)
        self._interval = 1.0 / effective
        self._tolerance = (capacity - 1) / effective
        self._next_at = 0.0  # loop time of the next free slot on the schedule
        self._paused_until = {Priority.CONVERSATION: 0.0, Priority.BROADCAST: 0.0}
        self._waiters: list[tuple[Priority, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self.given = {Priority.CONVERSATION: 0, Priority.BROADCAST: 0}

    async def take(self) -> None:
        """One slot for a platform call at its context's priority (free if the outbox prepaid it)."""
        paid = _prepaid.get()
        if paid is not None and paid[0] > 0:
            paid[0] -= 1
            return
        await self.acquire(_context_priority.get())

    async def acquire(self, priority: Priority = Priority.CONVERSATION) -> None:
        """Wait for a slot: after every waiting conversation reply, and after a pause of `priority`."""
        if self.rate is None:
            self.given[priority] += 1
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._waiters and self._free_at(priority) <= now:
            self._give(priority, now)
            return
        waiter: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), waiter))
        self._arm()
        try:
            await waiter
        except asyncio.CancelledError:
            self._arm()  # a slot given to us as we were cancelled goes unused
            raise

    def pause(self, priority: Priority, seconds: float) -> None:
        """No slot for `priority` for `seconds` (the platform answered 429 to such a send)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until[priority] = max(self._paused_until[priority], until)
        self._arm()

    def paused_for(self, priority: Priority) -> float:
        return max(0.0, self._paused_until[priority] - asyncio.get_running_loop().time())

    def _free_at(self, priority: Priority) -> float:
        return max(self._next_at - self._tolerance, self._paused_until[priority])

    def _give(self, priority: Priority, now: float) -> None:
        self._next_at = max(self._next_at, now) + self._interval  # GCRA's theoretical arrival time
        self.given[priority] += 1

    def _arm(self) -> None:
        """(Re)start the timer for the first waiter that is still waiting."""
        while self._waiters and self._waiters[0][2].done():
            heapq.heappop(self._waiters)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiters:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_at(self._free_at(self._waiters[0][0]), self._wake)

    def _wake(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._waiters:
            priority, _, waiter = self._waiters[0]
            if waiter.done():
                heapq.heappop(self._waiters)
                continue
            if self._free_at(priority) > now:
                break
            heapq.heappop(self._waiters)
            waiter.set_result(None)
            self._give(priority, now)
        self._arm()
