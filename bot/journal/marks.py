"""Batched "done" marks: items are recorded in small group commits, as soon as `batch` are waiting or
at the latest `window` seconds after the first, so that after a kill -9 only the items of the last
window are unrecorded (sent, but sent again on restart).

The same policy as the outbox's outcome flusher (bot/outbox/sender.py); `write` commits one batch.
A failed write is logged and retried with the next batch (nothing is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_SECONDS = 0.5


class BatchMarks(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]], batch: int = 32, window: float = 0.1) -> None:
        self._write = write
        self.batch = batch
        self.window = window
        self._items: list[T] = []
        self._writing = 0
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.written = 0

    def add(self, item: T) -> None:
        self._items.append(item)
        if len(self._items) == 1 or len(self._items) >= self.batch:  # the window starts / batch full
            self._ready.set()

    @property
    def unwritten(self) -> int:
        """Items added and not committed yet (waiting, or in the write under way)."""
        return len(self._items) + self._writing

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="batch-marks")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._closing:
            await self._ready.wait()
            self._ready.clear()
            deadline = loop.time() + self.window
            while len(self._items) < self.batch and not self._closing and loop.time() < deadline:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(deadline):
                        await self._ready.wait()
                self._ready.clear()
            if not await self._try_flush():
                await asyncio.sleep(RETRY_SECONDS)
                self._ready.set()

    async def _try_flush(self) -> bool:
        try:
            await self.flush()
        except Exception:
            log.exception("could not record %d delivered marks; retrying", len(self._items))
            return False
        return True

    async def flush(self) -> None:
        """Write what is waiting now."""
        items, self._items = self._items, []
        if not items:
            return
        self._writing = len(items)
        try:
            await self._write(list(dict.fromkeys(items)))  # an item marked twice is written once
        except BaseException:
            self._items[:0] = items
            raise
        finally:
            self._writing = 0
        self.written += len(items)

    async def close(self) -> None:
        """Stop the flusher and write the rest."""
        self._closing = True
        self._ready.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._try_flush()
