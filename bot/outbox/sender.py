"""The rate-limited outbox sender: claims due rows, sends them through channel `Sender`s, marks them.

- Pace: per channel an overall `aiolimiter.AsyncLimiter` (capacity 1, so messages are evenly
  spaced, never bursty) and one per chat. A `RetryLater` pauses the whole channel for its
  `retry_after` and puts the row back with `next_attempt_at` in the future.
- Outcomes: `RecipientBlocked` → row `blocked` and `users.blocked_at` set; `PermanentFailure`
  → `failed`; `RetryLater` beyond `max_attempts` → `failed`.
- Crash safety: a row is marked `sent` right after the platform accepted it. Outcomes are
  written by one flusher in small group commits (every `flush_interval` seconds), so the rows
  that may be sent twice after a kill -9 are those sent but not yet committed as sent:
  at most `max_in_flight` plus one flush interval's worth (`peak_unmarked` records the peak).
- Several instances may run against one database: rows are claimed with a lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PermanentFailure, RecipientBlocked, RetryLater, Sender
from bot.config import Settings
from bot.db.repositories import outbox as repo
from bot.db.types import utcnow
from bot.engine.events import Button, Reply

log = logging.getLogger(__name__)

MAX_PER_CHAT_LIMITERS = 20_000
PACE_MARGIN = 0.97


@dataclass(frozen=True)
class ChannelLimits:
    """Messages per second: over all chats, and per chat (None = no per-chat limit)."""

    overall: float
    per_chat: float | None = None


def limits_from_settings(settings: Settings) -> dict[str, ChannelLimits]:
    return {
        "telegram": ChannelLimits(settings.telegram_rate_overall, settings.telegram_rate_per_chat),
        "zalo": ChannelLimits(settings.zalo_rate_overall, 1.0),
        "console": ChannelLimits(1000.0, None),
    }


@dataclass
class SenderStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0
    unmarked: int = 0  # sends started whose outcome is not committed yet
    peak_unmarked: int = 0


@dataclass
class _Outcomes:
    sent: list[int] = field(default_factory=list)
    blocked: list[tuple[int, int | None]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    retry: list[tuple[int, datetime, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent) + len(self.blocked) + len(self.failed) + len(self.retry)


class _ChannelPacer:
    """Overall + per-chat limiters of one channel, and its pause after a 429."""

    def __init__(self, limits: ChannelLimits) -> None:
        self.limits = limits
        # Pace slightly under the limit (platforms count in sliding windows; jitter must not tip it
        # over) with a bucket of ~10 ms of messages, so a late wake-up is caught up without a burst.
        effective = limits.overall * PACE_MARGIN
        capacity = max(1.0, effective * 0.01)
        self.overall = AsyncLimiter(capacity, capacity / effective)
        self.per_chat: dict[str, AsyncLimiter] = {}
        self.paused_until = 0.0

    async def wait_turn(self, chat_id: str) -> None:
        if self.limits.per_chat:
            if len(self.per_chat) > MAX_PER_CHAT_LIMITERS:
                self.per_chat = {k: v for k, v in self.per_chat.items() if not v.has_capacity()}
            limiter = self.per_chat.setdefault(chat_id, AsyncLimiter(1, 1.0 / self.limits.per_chat))
            await limiter.acquire()
        while (delay := self.paused_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        await self.overall.acquire()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def reply_of(row: repo.Claimed) -> Reply:
    """The stored message as a channel-neutral reply (buttons are stored as rows of [label, payload])."""
    rows = tuple(tuple(Button(str(label), str(payload)) for label, payload in row) for row in (row.buttons or []))
    return Reply(row.text, buttons=rows, image=row.image_path)


class OutboxSender:
    """Send outbox rows until stopped (`run`) or until nothing is pending (`run_until_idle`)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Mapping[str, Sender],
        limits: Mapping[str, ChannelLimits],
        owner: str,
        clock: Callable[[], datetime] = utcnow,
        *,
        max_in_flight: int = 32,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 8,
        flush_interval: float = 0.02,
        poll_interval: float = 1.0,
        prefetch: int | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.senders = dict(senders)
        self.owner = owner
        self.clock = clock
        self.max_in_flight = max_in_flight
        self.lease = lease
        self.max_attempts = max_attempts
        self.flush_interval = flush_interval
        self.poll_interval = poll_interval
        self.pacers = {name: _ChannelPacer(limits.get(name, ChannelLimits(1.0, None))) for name in self.senders}
        self.stats = SenderStats()
        fastest = max((lim.overall for lim in limits.values()), default=30.0)
        # Rows claimed ahead of sending: about half a second of work, so claims are few and large.
        self.prefetch = prefetch or int(min(1000, max(2 * max_in_flight, fastest / 2)))
        self._queue: deque[repo.Claimed] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._outcomes = _Outcomes()
        self._outcome_ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._stopping = False

    def wakeup(self) -> None:
        """Something was enqueued: look for due rows now instead of at the next poll."""
        self._wake.set()

    async def run_until_idle(self) -> SenderStats:
        """Send until no pending row of our channels is left (retries included)."""
        return await self._run(stop=None, until_idle=True)

    async def run(self, stop: asyncio.Event) -> SenderStats:
        """Send until `stop` is set; then finish the sends already started."""
        return await self._run(stop=stop, until_idle=False)

    # ---------- main loop ----------
    async def _run(self, stop: asyncio.Event | None, until_idle: bool) -> SenderStats:
        async with self.sessionmaker() as session, session.begin():
            released = await repo.release_leases(session, self.owner)
        if released:
            log.info("outbox: took back %d rows leased by a previous run of %s", released, self.owner)
        flusher = asyncio.create_task(self._flusher())
        try:
            while not self._stopping and not (stop is not None and stop.is_set()):
                if len(self._queue) <= self.prefetch // 2:
                    self._queue.extend(await self._claim(self.prefetch - len(self._queue)))
                while self._queue and len(self._tasks) < self.max_in_flight:
                    task = asyncio.create_task(self._deliver(self._queue.popleft()))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                if self._queue or (self._tasks and len(self._tasks) >= self.max_in_flight):
                    await asyncio.wait(set(self._tasks), timeout=0.05, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if self._tasks:
                    await asyncio.wait(set(self._tasks), timeout=0.01, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if until_idle and not len(self._outcomes):
                    await self._flush()
                    if not await self._pending_left():
                        break
                await self._idle_wait(stop)
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self._stopping = True
            self._outcome_ready.set()
            await flusher
            await self._flush()
            if self._queue:  # claimed but never sent: give them back at once
                async with self.sessionmaker() as session, session.begin():
                    await repo.release_leases(session, self.owner)
                self._queue.clear()
        return self.stats

    async def _claim(self, limit: int) -> list[repo.Claimed]:
        if limit <= 0:
            return []
        async with self.sessionmaker() as session, session.begin():
            rows = await repo.claim(session, self.owner, self.clock(), limit, self.lease, list(self.senders))
            blocked = await repo.blocked_user_ids(session, [r.user_id for r in rows if r.user_id is not None])
            if blocked:
                gone = [r.id for r in rows if r.user_id in blocked]
                await repo.mark(session, gone, repo.BLOCKED, self.clock(), "user blocked the bot earlier")
                self.stats.blocked += len(gone)
                rows = [r for r in rows if r.user_id not in blocked]
        return rows

    async def _idle_wait(self, stop: asyncio.Event | None) -> None:
        timeout = self.poll_interval
        async with self.sessionmaker() as session:
            due = await repo.next_due_at(session, list(self.senders))
        if due is not None:
            timeout = min(timeout, max(0.0, (due - self.clock()).total_seconds()))
        if self._tasks:
            timeout = min(timeout, 0.01)
        waiters = [asyncio.ensure_future(self._wake.wait())]
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waiters, timeout=max(timeout, 0.001), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
            self._wake.clear()

    async def _pending_left(self) -> bool:
        async with self.sessionmaker() as session:
            return await repo.next_due_at(session, list(self.senders)) is not None

    # ---------- one message ----------
    async def _deliver(self, row: repo.Claimed) -> None:
        pacer = self.pacers[row.channel]
        await pacer.wait_turn(row.chat_id)
        self.stats.unmarked += 1
        self.stats.peak_unmarked = max(self.stats.peak_unmarked, self.stats.unmarked)
        try:
            await self.senders[row.channel].send(row.chat_id, reply_of(row))
        except RecipientBlocked as exc:
            self._outcomes.blocked.append((row.id, row.user_id))
            log.info("outbox %s: recipient blocked (%s)", row.id, exc)
        except RetryLater as exc:
            pacer.pause(min(exc.retry_after, 300.0))
            if row.attempts + 1 >= self.max_attempts:
                self._outcomes.failed.append((row.id, f"gave up after {row.attempts + 1} attempts: {exc}"))
            else:
                at = self.clock() + timedelta(seconds=exc.retry_after)
                self._outcomes.retry.append((row.id, at, str(exc)))
        except PermanentFailure as exc:
            self._outcomes.failed.append((row.id, str(exc)))
            log.warning("outbox %s: permanent failure: %s", row.id, exc)
        except Exception as exc:  # a bug in a Sender must not kill the loop
            log.exception("outbox %s: unexpected error", row.id)
            self._outcomes.failed.append((row.id, f"unexpected: {exc!r}"))
        else:
            self._outcomes.sent.append(row.id)
        self._outcome_ready.set()

    # ---------- outcomes ----------
    async def _flusher(self) -> None:
        while not self._stopping:
            await self._outcome_ready.wait()
            self._outcome_ready.clear()
            await asyncio.sleep(self.flush_interval)
            try:
                await self._flush()
            except Exception:
                log.exception("outbox: could not record outcomes; retrying")
                await asyncio.sleep(0.5)
                self._outcome_ready.set()

    async def _flush(self) -> None:
        batch, self._outcomes = self._outcomes, _Outcomes()
        if not len(batch):
            return
        now = self.clock()
        try:
            async with self.sessionmaker() as session, session.begin():
                await repo.mark(session, batch.sent, repo.SENT, now)
                if batch.blocked:
                    await repo.mark(session, [i for i, _ in batch.blocked], repo.BLOCKED, now, "blocked by the user")
                    await repo.set_users_blocked(session, [u for _, u in batch.blocked if u is not None], now)
                for row_id, error in batch.failed:
                    await repo.mark(session, [row_id], repo.FAILED, now, error[:300])
                for row_id, at, error in batch.retry:
                    await repo.retry_later(session, row_id, at, error)
        except BaseException:
            self._merge_back(batch)
            raise
        self.stats.sent += len(batch.sent)
        self.stats.blocked += len(batch.blocked)
        self.stats.failed += len(batch.failed)
        self.stats.retried += len(batch.retry)
        self.stats.unmarked -= len(batch)
        if batch.retry:
            self._wake.set()

    def _merge_back(self, batch: _Outcomes) -> None:
        self._outcomes.sent[:0] = batch.sent
        self._outcomes.blocked[:0] = batch.blocked
        self._outcomes.failed[:0] = batch.failed
        self._outcomes.retry[:0] = batch.retry

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(Exception):
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
