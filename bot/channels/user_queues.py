"""Per-user FIFO queues for a channel: one worker task per user, dropped when idle, drained on stop.

A user's events are handled one after another in arrival order; different users run concurrently.
A worker that waits `idle_seconds` on an empty queue ends and is forgotten; the next event starts
a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class UserQueues(Generic[T]):
    def __init__(self, process: Callable[[T], Awaitable[None]], idle_seconds: float, name: str | None = None) -> None:
        """`process` handles one item; `name`, when given, prefixes the worker task names."""
        self._process = process
        self._idle = idle_seconds
        self._name = name
        self._queues: dict[str, asyncio.Queue[T | None]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def put(self, key: str, item: T) -> None:
        """Queue `item` behind `key`'s earlier ones; start that key's worker if needed."""
        queue = self._queues.get(key)
        if queue is None:
            queue = asyncio.Queue()
            self._queues[key] = queue
            name = f"{self._name}-{key}" if self._name else None
            self._workers[key] = asyncio.create_task(self._worker(key, queue), name=name)
        queue.put_nowait(item)

    async def _worker(self, key: str, queue: asyncio.Queue[T | None]) -> None:
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self._idle)
                except TimeoutError:
                    if queue.empty():  # no await between this check and the removal: no race with put
                        return
                    continue
                if item is None:
                    return
                await self._process(item)
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]
                self._workers.pop(key, None)

    async def drain(self, grace_seconds: float) -> int:
        """Let queued items finish (up to `grace_seconds`), then cancel the rest; returns how many
        workers were cancelled."""
        for queue in list(self._queues.values()):
            queue.put_nowait(None)
        workers = list(self._workers.values())
        if not workers:
            return 0
        _, pending = await asyncio.wait(workers, timeout=grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return len(pending)
