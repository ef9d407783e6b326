"""Outbox sender against an in-test Sender: pacing, retries, blocked users, leases, idempotent enqueue."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.base import PermanentFailure, RecipientBlocked, RetryLater
from bot.db.migrate import upgrade_head
from bot.db.models import OutboxMessage, User
from bot.db.repositories import outbox as repo
from bot.db.repositories import users as users_repo
from bot.db.session import create_engine, create_sessionmaker
from bot.db.types import utcnow
from bot.messages import Button, Reply
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.services.outbox import enqueue_for_users


class Db:
    """A migrated database (SQLite file or throwaway PostgreSQL, see conftest) and its sessionmaker."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.sessionmaker = create_sessionmaker(self.engine)


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Db]:
    db = Db(database_url)
    await upgrade_head(db.engine)
    yield db
    await db.engine.dispose()


Runtime = Db


class RecordingSender:
    """A platform that records what it accepted; chats listed in `blocked` answer 403, etc."""

    channel = "telegram"

    def __init__(self) -> None:
        self.accepted: list[tuple[str, Reply, float]] = []
        self.blocked: set[str] = set()
        self.broken: set[str] = set()
        self.throttle_once: set[str] = set()
        self.attempts: Counter[str] = Counter()

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.attempts[chat_id] += 1
        handed_over = time.monotonic()  # when the sender let this message go: what a rate limit is about
        await asyncio.sleep(0.001)
        if chat_id in self.blocked:
            raise RecipientBlocked("Forbidden: bot was blocked by the user")
        if chat_id in self.broken:
            raise PermanentFailure("Bad Request: message text is empty")
        if chat_id in self.throttle_once:
            self.throttle_once.discard(chat_id)
            raise RetryLater(0.2, "Too Many Requests: retry after 0.2")
        self.accepted.append((chat_id, reply, handed_over))


async def make_users(runtime: Runtime, n: int, channel: str = "telegram") -> list[User]:
    now = utcnow()
    async with runtime.sessionmaker() as session, session.begin():
        users = [await users_repo.create(session, channel, str(1000 + i), str(1000 + i), None, now) for i in range(n)]
    return users


async def statuses(runtime: Runtime, ref: str) -> dict[str, int]:
    async with runtime.sessionmaker() as session:
        return await repo.status_counts(session, ref)


async def test_every_recipient_gets_the_message_once_with_buttons(runtime: Runtime) -> None:
    users = await make_users(runtime, 40)
    async with runtime.sessionmaker() as session, session.begin():
        added = await enqueue_for_users(
            session, None, "ann:1", users, "Thông báo họp thôn", utcnow(),
            buttons=[[Button("Tôi sẽ tham gia", "cls:reg:1")]],
        )
        again = await enqueue_for_users(session, None, "ann:1", users, "Thông báo họp thôn", utcnow())
    assert (added, again) == (40, 0)  # re-enqueueing the same ref adds nothing

    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(500, None)}, "t1")
    stats = await sender.run_until_idle()

    chats = [c for c, _, _ in platform.accepted]
    assert sorted(chats) == sorted(u.chat_id for u in users)
    assert len(set(chats)) == 40
    # numbered in the pushed block, so it can be typed beside her screen's numbers (bot/pushed_choices.py)
    assert platform.accepted[0][1].buttons[0][0] == Button("Tôi sẽ tham gia", "cls:reg:1", 21)
    assert stats.sent == 40
    assert await statuses(runtime, "ann:1") == {"sent": 40}


async def test_overall_rate_is_respected(runtime: Runtime) -> None:
    users = await make_users(runtime, 25)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:2", users, "Chào bà con", utcnow())
    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(50, 1)}, "t1")
    await sender.run_until_idle()
    times = sorted(t for _, _, t in platform.accepted)
    assert len(times) == 25
    elapsed = times[-1] - times[0]
    assert elapsed >= 24 / 50 * 0.95  # 25 messages at 50/s cannot take less than ~0.48 s
    # No burst: any 10 consecutive intervals take at least half their nominal 0.2 s. (A single short gap is
    # scheduling jitter on a loaded machine — a late wake-up followed by an on-time one — not a burst.)
    spans = [times[i + 10] - times[i] for i in range(len(times) - 10)]
    assert min(spans) > 10 / 50 * 0.5, spans


async def test_per_chat_rate_spaces_messages_to_one_chat(runtime: Runtime) -> None:
    [user] = await make_users(runtime, 1)
    async with runtime.sessionmaker() as session, session.begin():
        for i in range(3):
            await enqueue_for_users(session, None, f"ann:{10 + i}", [user], f"Tin {i}", utcnow())
    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(100, 4)}, "t1")
    await sender.run_until_idle()
    times = [t for _, _, t in platform.accepted]
    assert len(times) == 3
    assert times[2] - times[0] >= 2 / 4 * 0.9  # 4/s per chat: 3 messages need ~0.5 s


async def test_blocked_failed_and_retried_rows(runtime: Runtime) -> None:
    users = await make_users(runtime, 6)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:3", users, "Lịch tiêm chủng", utcnow())
    platform = RecordingSender()
    platform.blocked = {users[0].chat_id}
    platform.broken = {users[1].chat_id}
    platform.throttle_once = {users[2].chat_id}
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(200, None)}, "t1")
    started = time.monotonic()
    await sender.run_until_idle()

    assert await statuses(runtime, "ann:3") == {"sent": 4, "blocked": 1, "failed": 1}
    assert platform.attempts[users[2].chat_id] == 2  # retried after the 429
    assert time.monotonic() - started >= 0.2  # ...honouring retry_after
    async with runtime.sessionmaker() as session:
        blocked_at = await session.scalar(select(User.blocked_at).where(User.id == users[0].id))
        others = await session.scalar(select(User.blocked_at).where(User.id == users[3].id))
    assert blocked_at is not None and others is None

    # A later broadcast skips the user who blocked the bot: no row is even written.
    async with runtime.sessionmaker() as session, session.begin():
        fresh = list(await session.scalars(select(User).order_by(User.id)))
        added = await enqueue_for_users(session, None, "ann:4", fresh, "Tin mới", utcnow())
    assert added == 5


async def test_user_who_blocks_after_enqueue_is_not_sent(runtime: Runtime) -> None:
    users = await make_users(runtime, 3)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "cr:1:60:0", users, "Nhắc lịch học", utcnow())
        db_user = await session.get(User, users[1].id)
        assert db_user is not None
        db_user.blocked_at = utcnow()
    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(200, None)}, "t1")
    await sender.run_until_idle()
    assert sorted(c for c, _, _ in platform.accepted) == sorted([users[0].chat_id, users[2].chat_id])
    assert await statuses(runtime, "cr:1:60:0") == {"sent": 2, "blocked": 1}


async def test_retries_give_up_after_max_attempts(runtime: Runtime) -> None:
    [user] = await make_users(runtime, 1)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:5", [user], "Tin", utcnow())

    class AlwaysDown(RecordingSender):
        async def send(self, chat_id: str, reply: Reply) -> None:
            self.attempts[chat_id] += 1
            raise RetryLater(0.01, "Bad Gateway")

    platform = AlwaysDown()
    sender = OutboxSender(
        runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(200, None)}, "t1", max_attempts=3
    )
    await sender.run_until_idle()
    assert platform.attempts[user.chat_id] == 3
    assert await statuses(runtime, "ann:5") == {"failed": 1}


async def test_leases_keep_two_senders_from_sending_the_same_row(runtime: Runtime) -> None:
    users = await make_users(runtime, 60)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:6", users, "Tin chung", utcnow())
    platform = RecordingSender()
    limits = {"telegram": ChannelLimits(400, None)}
    a = OutboxSender(runtime.sessionmaker, {"telegram": platform}, limits, "instance-a", max_in_flight=8)
    b = OutboxSender(runtime.sessionmaker, {"telegram": platform}, limits, "instance-b", max_in_flight=8)
    await asyncio.gather(a.run_until_idle(), b.run_until_idle())
    chats = Counter(c for c, _, _ in platform.accepted)
    assert sorted(chats) == sorted(u.chat_id for u in users)
    assert set(chats.values()) == {1}


async def test_slow_channel_and_short_lease_never_send_a_row_twice(runtime: Runtime) -> None:
    """Rows must not wait in memory past their lease: another claim would send them a second time.
    Also a 429 pause longer than the lease: the paused rows are left to be claimed again, not sent twice."""
    users = await make_users(runtime, 12)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:lease", users, "Tin chậm", utcnow())
    platform = RecordingSender()
    platform.throttle_once = {users[0].chat_id}
    limits = {"telegram": ChannelLimits(8, None), "console": ChannelLimits(1000, None)}
    lease = timedelta(seconds=1)
    a = OutboxSender(runtime.sessionmaker, {"telegram": platform}, limits, "a", lease=lease, max_in_flight=4)
    b = OutboxSender(runtime.sessionmaker, {"telegram": platform}, limits, "b", lease=lease, max_in_flight=4)
    await asyncio.gather(a.run_until_idle(), b.run_until_idle())
    chats = Counter(c for c, _, _ in platform.accepted)
    assert sorted(chats) == sorted(u.chat_id for u in users)
    assert set(chats.values()) == {1}


async def test_rows_leased_by_a_dead_instance_are_sent_after_the_lease_expires(runtime: Runtime) -> None:
    users = await make_users(runtime, 5)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:7", users, "Tin", utcnow())
        claimed = await repo.claim(session, "dead", utcnow(), 3, timedelta(seconds=0.3), ["telegram"])
    assert len(claimed) == 3
    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(200, None)}, "alive")
    await sender.run_until_idle()
    assert len({c for c, _, _ in platform.accepted}) == 5
    async with runtime.sessionmaker() as session:
        leftover = await session.scalar(select(OutboxMessage).where(OutboxMessage.status == "pending"))
    assert leftover is None


async def test_rows_of_a_channel_without_sender_stay_pending(runtime: Runtime) -> None:
    tg = await make_users(runtime, 2)
    now = utcnow()
    async with runtime.sessionmaker() as session, session.begin():
        zalo_user = await users_repo.create(session, "zalo", "z1", "z1", None, now)
        await enqueue_for_users(session, None, "ann:8", [*tg, zalo_user], "Tin", now)
    platform = RecordingSender()
    sender = OutboxSender(runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(200, None)}, "t1")
    await sender.run_until_idle()
    assert await statuses(runtime, "ann:8") == {"sent": 2, "pending": 1}


async def test_sends_never_run_ahead_of_what_is_recorded(runtime: Runtime) -> None:
    """What a kill -9 could send twice is bounded: never more than `max_in_flight` sends whose
    outcome is not committed yet, even when commits are rare (huge batch, long interval)."""
    users = await make_users(runtime, 12)
    async with runtime.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, None, "ann:9", users, "Tin", utcnow())
    unrecorded: list[int] = []

    class Auditing(RecordingSender):
        async def send(self, chat_id: str, reply: Reply) -> None:
            async with runtime.sessionmaker() as session:
                recorded = await repo.status_counts(session, "ann:9")
            unrecorded.append(len(self.accepted) - recorded.get("sent", 0))
            await super().send(chat_id, reply)

    platform = Auditing()
    sender = OutboxSender(
        runtime.sessionmaker, {"telegram": platform}, {"telegram": ChannelLimits(500, None)}, "t1",
        max_in_flight=3, flush_batch=100, flush_interval=5.0,
    )
    started = time.monotonic()
    stats = await sender.run_until_idle()
    assert stats.sent == 12 and len(platform.accepted) == 12
    assert max(unrecorded) <= 2  # this send is the 3rd at most: 2 accepted ones not yet committed
    assert stats.peak_unmarked <= 3
    assert time.monotonic() - started < 4  # the bound forces commits; nothing waits for the 5 s interval
