"""The rate-limited outbox sender: claims due rows, sends them through channel `Sender`s, marks them.

- Pace: per channel the broadcast slots of its send budget (one per bot token, shared with the
  conversation replies, which go first; see `pacing.ChannelPacer`), and a minimum spacing per chat. A
  `RetryLater` pauses the channel's broadcasts for its `retry_after` and puts the row back with
  `next_attempt_at` in the future.
- Outcomes (`send_result.refused`): `RecipientBlocked` → row `blocked` and `users.blocked_at` set; `PermanentFailure`
  → `failed`; `RetryLater` beyond `max_attempts` → `failed`. `QuotaExceeded` (a channel's quota
  is used up) pauses the channel for its whole `retry_after` and puts the row back without
  using up an attempt: it is the channel that waits, not the row.
- Crash safety: a row is marked `sent` right after the platform accepted it. Outcomes are
  written by an `outcomes.OutcomeRecorder` in small group commits (as soon as `flush_batch` are waiting,
  at the latest `flush_interval` seconds after the first; at once when every send slot waits for
  its outcome to be written, or nothing is in flight). The rows that may be sent twice after a
  kill -9 are those sent but not yet committed as sent, so a send stays in flight until its outcome
  is committed: at most `max_in_flight` sends are started and unrecorded at any moment, a hard
  bound on what a crash can repeat, even when commits are slow (`peak_unmarked` records the peak).
- Several instances may run against one database: rows are claimed with a lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Sender
from bot.channels.budget import SendBudget, broadcasting
from bot.db.repositories import outbox as repo
from bot.db.types import utcnow
from bot.outbox import send_result
from bot.outbox.outcomes import RETRY, Outcome, OutcomeRecorder, write_outcomes
from bot.outbox.pacing import DEFAULT_LIMITS, ChannelLimits, ChannelPacer

log = logging.getLogger(__name__)

CLAIM_BACKOFF = 0.05  # after a claim came back short, seconds before claiming again (wakeup() skips it)


@dataclass
class SenderStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0
    unmarked: int = 0  # sends started whose outcome is not committed yet
    peak_unmarked: int = 0


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
        flush_interval: float = 0.05,
        flush_batch: int = 16,
        poll_interval: float = 1.0,
        prefetch: int | None = None,
        budgets: Mapping[str, SendBudget] | None = None,
    ) -> None:
        """`budgets`: the channels' send budgets (per bot token, shared with their conversation
        replies); a channel without one gets a budget of its own at `limits[channel].overall`."""
        self.sessionmaker = sessionmaker
        self.senders = dict(senders)
        self.owner = owner
        self.clock = clock
        self.max_in_flight = max_in_flight
        self.lease = lease
        self.max_attempts = max_attempts
        self.flush_interval = flush_interval
        self.flush_batch = flush_batch
        self.poll_interval = poll_interval
        self.pacers = {
            name: ChannelPacer(limits.get(name, DEFAULT_LIMITS), (budgets or {}).get(name)) for name in self.senders
        }
        self.stats = SenderStats()
        rates = [limits.get(name, DEFAULT_LIMITS).overall for name in self.senders] or [30.0]
        # Rows claimed ahead of sending: about half a second of work, so claims are few and large —
        # but never more than the slowest channel sends in a quarter of the lease, so that no row
        # waits in memory until its lease runs out (another claim would then send it a second time).
        wanted = int(min(1000, max(2 * max_in_flight, max(rates) / 2)))
        self.prefetch = prefetch or max(1, min(wanted, int(min(rates) * lease.total_seconds() / 4)))
        # A claimed row is sent only while well inside its lease; later it is left to be claimed again.
        self._send_within = lease.total_seconds() * 0.75
        self._queues: dict[str, deque[repo.Claimed]] = {name: deque() for name in self.senders}
        self._row_ready = {name: asyncio.Event() for name in self.senders}
        self._held = 0  # rows taken by a dispatcher and not yet handed to a send task
        # A slot per send from its start until its outcome is committed (= what a kill -9 may send twice).
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._outcomes = OutcomeRecorder(self._record, batch=flush_batch, window=flush_interval, name="outbox")
        self._wake = asyncio.Event()
        self._kick = asyncio.Event()  # a send finished, or wakeup()
        self._next_claim_at = 0.0
        self._stopping = False
        self._claimed_at: dict[int, float] = {}  # row id -> loop time of its claim, until its send starts

    def wakeup(self) -> None:
        """Something was enqueued: look for due rows now instead of at the next poll."""
        self._next_claim_at = 0.0
        self._wake.set()
        self._kick.set()

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)  # its send slot is released once its outcome is committed (_record)
        # The main loop has work only when rows run low (claim more) or nothing is in flight.
        if not self._tasks or sum(len(q) for q in self._queues.values()) <= self.prefetch // 2:
            self._kick.set()

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
        self._outcomes.start()
        dispatchers = [asyncio.create_task(self._dispatch(name)) for name in self.senders]
        try:
            while not self._stopping and not (stop is not None and stop.is_set()):
                queued = sum(len(q) for q in self._queues.values())
                if queued <= self.prefetch // 2 and time.monotonic() >= self._next_claim_at:
                    wanted = self.prefetch - queued
                    rows, leased = await self._claim(wanted)
                    claimed_at = asyncio.get_running_loop().time()
                    for row in rows:
                        self._claimed_at[row.id] = claimed_at
                        self._queues[row.channel].append(row)
                    for name in {row.channel for row in rows}:
                        self._row_ready[name].set()
                    self._next_claim_at = 0.0 if leased >= wanted else time.monotonic() + CLAIM_BACKOFF
                    queued += len(rows)
                if queued or self._held or self._tasks:  # until a send finishes or new rows are announced
                    self._kick.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(CLAIM_BACKOFF):
                            await self._kick.wait()
                    continue
                await self._outcomes.try_flush()  # nothing in flight: record the outcomes now
                if until_idle and not await self._pending_left():
                    break
                await self._idle_wait(stop)
                self._next_claim_at = 0.0
        finally:
            for dispatcher in dispatchers:
                dispatcher.cancel()
            await asyncio.gather(*dispatchers, return_exceptions=True)
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self._stopping = True
            await self._outcomes.close()
            if self._held or any(self._queues.values()):  # claimed but never sent: give them back at once
                async with self.sessionmaker() as session, session.begin():
                    await repo.release_leases(session, self.owner)
                for queue in self._queues.values():
                    queue.clear()
                self._held = 0
        return self.stats

    async def _dispatch(self, channel: str) -> None:
        """Start the sends of one channel at its pace: rows in claim order, except that a row whose
        chat must wait (per-chat spacing) steps aside until then while other chats go ahead."""
        loop = asyncio.get_running_loop()
        queue, ready, pacer = self._queues[channel], self._row_ready[channel], self.pacers[channel]
        waiting: list[tuple[float, int, repo.Claimed]] = []  # (chat free at, order, row)
        order = itertools.count()
        while True:
            now = loop.time()
            if waiting and waiting[0][0] <= now:
                row = heapq.heappop(waiting)[2]
            elif queue:
                row = queue.popleft()
                self._held += 1
            else:
                ready.clear()
                timeout = waiting[0][0] - now if waiting else None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await ready.wait()
                continue
            if now - self._claimed_at.get(row.id, now) > self._send_within:
                self._drop_expired(row)  # held too long (429 pause, slow channel): not ours to send now
                continue
            if delay := pacer.chat_free_in(row.chat_id, now):
                heapq.heappush(waiting, (now + delay, next(order), row))
                continue
            if self._slots.locked():  # every slot waits for a send or its outcome: write what is waiting now
                self._outcomes.urge()
            await self._slots.acquire()
            try:
                await pacer.wait_turn()
            except BaseException:
                self._slots.release()
                raise
            pacer.chat_started(row.chat_id, loop.time())
            self._claimed_at.pop(row.id, None)
            self._held -= 1
            self.stats.unmarked += 1
            self.stats.peak_unmarked = max(self.stats.peak_unmarked, self.stats.unmarked)
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    def _drop_expired(self, row: repo.Claimed) -> None:
        self._claimed_at.pop(row.id, None)
        self._held -= 1
        log.warning("outbox: row %s waited past its lease before sending; it will be claimed again", row.id)

    async def _claim(self, limit: int) -> tuple[list[repo.Claimed], int]:
        """Rows to send (users known to have blocked the bot are marked at once) and how many were leased."""
        if limit <= 0:
            return [], 0
        async with self.sessionmaker() as session, session.begin():
            rows = await repo.claim(session, self.owner, self.clock(), limit, self.lease, list(self.senders))
            leased = len(rows)
            blocked = await repo.blocked_user_ids(session, [r.user_id for r in rows if r.user_id is not None])
            if blocked:
                gone = [r.id for r in rows if r.user_id in blocked]
                await repo.mark(session, gone, repo.BLOCKED, self.clock(), "user blocked the bot earlier")
                self.stats.blocked += len(gone)
                rows = [r for r in rows if r.user_id not in blocked]
        return rows, leased

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
        try:
            outcome = await self._send(row)
        except BaseException:  # cancelled mid-send: no outcome; the row's lease gives it back later
            self.stats.unmarked -= 1
            self._slots.release()
            raise
        self._outcomes.add(outcome)

    async def _send(self, row: repo.Claimed) -> Outcome:
        pacer = self.pacers[row.channel]
        reply = send_result.reply_of(row)
        try:
            with broadcasting(prepaid=1):  # wait_turn took this send's slot
                await self.senders[row.channel].send(row.chat_id, reply)
        except Exception as exc:
            outcome, pause = send_result.refused(row, exc, self.clock(), self.max_attempts)
            if pause > 0:
                pacer.pause(pause)
            return outcome
        return send_result.delivered(row, reply)

    async def _record(self, batch: Sequence[Outcome]) -> None:
        """The recorder's write: commit a batch of outcomes, then count them."""
        async with self.sessionmaker() as session, session.begin():
            counts = await write_outcomes(session, batch, self.clock())
        self.stats.sent += counts[repo.SENT]
        self.stats.blocked += counts[repo.BLOCKED]
        self.stats.failed += counts[repo.FAILED] + counts[repo.OUT_OF_WINDOW] + counts[repo.OUT_OF_QUOTA]
        self.stats.retried += counts[RETRY]
        self.stats.unmarked -= len(batch)
        for _ in batch:
            self._slots.release()
        if counts[RETRY]:
            self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(Exception):
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
