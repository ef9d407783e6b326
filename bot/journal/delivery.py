"""The reply journal at run time: delivered marks from the channels, and resending what a crash left.

- Write: the engine writes a turn's replies in the turn's transaction, leased to this instance
  (bot/engine/engine.py, repositories/replies.py); each `Reply` carries its `journal_id`.
- Send: the channel sends them as before and reports each one through `delivered` (a plain call,
  also after a failure the channel gave up on: the journal covers crashes, not refusals).
- Mark: an `OutcomeRecorder` (bot/outbox/outcomes.py, the outbox's group-commit writer) records
  them by count and within a short window; rows of people who never consented are deleted then,
  the others purged by the daily job.
- Recover (`start`, before the channels take updates): this instance's old leases are given back,
  then every undelivered, unleased row is claimed (SKIP LOCKED on PostgreSQL, so two instances never
  take the same rows) and sent through the channel's `Sender`, in order per person, while that
  person's turns wait (`PersonLocks`). The same sweep runs every `sweep_seconds` for rows whose
  lease ran out (an instance that died and did not come back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import reply_codec as codec
from bot.channels.base import RetryLater, Sender, SendError
from bot.db.repositories import replies as repo
from bot.db.types import utcnow
from bot.messages import Reply
from bot.outbox.outcomes import OutcomeRecorder

log = logging.getLogger(__name__)

CLAIM_BATCH = 500
SEND_ATTEMPTS = 5
MAX_RETRY_WAIT = 60.0


class PersonLocks(Protocol):
    """One person's turns, one at a time (bot/runtime.py): recovery holds it while it resends."""

    async def acquire_person(self, channel: str, person: str) -> None: ...

    def release_person(self, channel: str, person: str) -> None: ...


class ReplyJournal:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        locks: PersonLocks,
        owner: str = "local",
        clock: Callable[[], datetime] = utcnow,
        *,
        batch: int = 32,
        window: float = 0.1,
        sweep_seconds: float = 60.0,
        max_parallel: int = 16,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.locks = locks
        self.owner = owner
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.marks: OutcomeRecorder[int] = OutcomeRecorder(self._mark, batch=batch, window=window,
                                                           name="reply journal")
        self._marking = 0  # ids in the write under way
        self._started = False
        self._senders: dict[str, Sender] = {}
        self._parallel = asyncio.Semaphore(max_parallel)
        self._resends: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self.resent = 0

    # ---------- from the channels ----------
    def delivered(self, replies: Sequence[Reply]) -> None:
        """DeliveredHook: these replies were sent (or given up on); their journal rows are done."""
        for reply in replies:
            if reply.journal_id is not None:
                self.marks.add(reply.journal_id)

    async def _mark(self, ids: Sequence[int]) -> None:
        self._marking = len(ids)
        try:
            async with self.sessionmaker() as session, session.begin():
                await repo.mark_delivered(session, list(dict.fromkeys(ids)), self.clock())  # once each
        finally:
            self._marking = 0

    @property
    def unmarked(self) -> int:
        """Replies reported sent whose mark is not committed yet: what a kill -9 now would send again."""
        return len(self.marks) + self._marking

    # ---------- lifecycle ----------
    async def start(self, senders: Mapping[str, Sender]) -> int:
        """Take back this instance's old leases and start resending every undelivered reply of `senders`'
        channels. Returns how many; each person's entries hold that person's turns until they are sent,
        so call this before the channels take updates."""
        self._senders = dict(senders)
        if not self._started:
            self.marks.start()
            self._started = True
        if not self._senders:
            return 0
        async with self.sessionmaker() as session, session.begin():
            await repo.release_leases(session, self.owner)
        count = await self.sweep()
        if count:
            log.info("reply journal: resending %d replies not delivered before the last stop", count)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="journal-sweep")
        return count

    async def stop_resending(self, grace_seconds: float = 30.0) -> None:
        """No more sweeps; let the resends under way finish (up to `grace_seconds`). Before the
        channels stop: they send them."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._resends:
            _, pending = await asyncio.wait(list(self._resends), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        """Record the last delivered marks. After the channels stopped: they report their last sends."""
        await self.stop_resending(0)
        if self._started:
            try:
                await self.marks.close()
            except Exception:  # logged; those rows are sent again on the next start
                log.exception("reply journal: the last delivered marks were not recorded")
            self._started = False

    async def wait_resent(self) -> None:
        """Until the resends started so far are done (tests)."""
        while self._resends:
            await asyncio.gather(*list(self._resends), return_exceptions=True)

    # ---------- recovery ----------
    async def sweep(self) -> int:
        """Claim the undelivered, unleased rows (oldest first) and start sending them, person by person."""
        total = 0
        while True:
            async with self.sessionmaker() as session, session.begin():
                entries = await repo.claim_undelivered(
                    session, self.owner, self.clock(), repo.LEASE, list(self._senders), CLAIM_BATCH
                )
            groups: dict[tuple[str, str], list[repo.Entry]] = {}
            for entry in entries:
                groups.setdefault((entry.channel, entry.chat_id), []).append(entry)
            for (channel, chat_id), group in groups.items():
                await self.locks.acquire_person(channel, chat_id)  # FIFO: queued before any later turn
                task = asyncio.create_task(self._resend(channel, chat_id, group), name=f"journal-{channel}")
                self._resends.add(task)
                task.add_done_callback(self._resends.discard)
            total += len(entries)
            if len(entries) < CLAIM_BATCH:
                return total

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                if count := await self.sweep():
                    log.warning("reply journal: resending %d replies whose lease ran out", count)
            except Exception:
                log.exception("reply journal: sweep failed")

    async def _resend(self, channel: str, chat_id: str, entries: list[repo.Entry]) -> None:
        try:
            async with self._parallel:
                sender = self._senders[channel]
                for entry in entries:
                    await self._send(sender, chat_id, codec.decode(entry.body), entry.id)
                    self.marks.add(entry.id)
                    self.resent += 1
        except Exception:
            log.exception("reply journal: resending to a %s chat failed", channel)
        finally:
            self.locks.release_person(channel, chat_id)

    async def _send(self, sender: Sender, chat_id: str, reply: Reply, entry_id: int) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await sender.send(chat_id, reply)
                return
            except RetryLater as exc:
                if attempt == SEND_ATTEMPTS:
                    log.warning("reply journal: entry %s not resent after %d attempts: %s", entry_id, attempt, exc)
                    return
                await asyncio.sleep(min(max(exc.retry_after, 0.1), MAX_RETRY_WAIT))
            except SendError as exc:  # blocked, refused: final, as for a reply in a turn
                log.warning("reply journal: entry %s not resent: %s", entry_id, exc)
                return

