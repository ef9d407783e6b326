"""Two `hocvuso run` processes in webhook mode on one PostgreSQL database, against the fake
Telegram Bot API: updates spread over both (with redeliveries to both) are handled once, a
2,000-recipient broadcast reaches each person once, a class reminder fires once, and killing
the scheduler leader hands the scheduler's work to the other instance within lease + tick."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import PROJECT_ROOT, Settings
from bot.db.models import OutboxMessage, ProcessedUpdate, Role, User
from bot.db.repositories import outbox as outbox_repo
from bot.db.types import utcnow
from bot.engine import texts
from bot.messages import Incoming
from bot.runtime import Runtime
from bot.services import classes as classes_svc
from bot.services import dedupe, registration
from tests.fakes.process_cluster import BotInstance, FakeTelegram, message_update
from tests.support.pg import create_pg_database, drop_pg_database
from tests.support.processes import metric, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("HOCVUSO_TEST_DB", "sqlite") != "postgres",
        reason="several instances need PostgreSQL (HOCVUSO_TEST_DB=postgres)",
    ),
]

TICK_SECONDS = 0.5
LEASE_SECONDS = 3.0
INSTANCE_ENV = {
    "SCHEDULER_TICK_SECONDS": str(TICK_SECONDS),
    "SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
    "TELEGRAM_RATE_OVERALL": "400",  # the fake has no limit; keeps the 2,000-message broadcast short
    "REMINDER_OFFSETS_MINUTES": "[60]",
}
REMINDER_MARK = "⏰ Nhắc lịch"


@dataclass
class Cluster:
    database_url: str
    fake: FakeTelegram
    a: BotInstance
    b: BotInstance

    @property
    def instances(self) -> list[BotInstance]:
        return [self.a, self.b]

    def by_name(self, name: str) -> BotInstance:
        return next(i for i in self.instances if i.name == name)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    url, name = asyncio.run(create_pg_database())
    workdir = tmp_path_factory.mktemp("cluster")
    fake = FakeTelegram().start()
    a = BotInstance("inst-a", fake.url, url, workdir, dict(INSTANCE_ENV))
    b = BotInstance("inst-b", fake.url, url, workdir, dict(INSTANCE_ENV))
    try:
        a.start()
        b.start()  # both migrate the fresh database at the same moment
        a.wait_healthy()
        b.wait_healthy()
        yield Cluster(url, fake, a, b)
    finally:
        codes = {}
        for inst in (a, b):
            if inst.proc is not None and inst.proc.poll() is None:
                codes[inst.name] = inst.terminate()
        fake.stop()
        asyncio.run(drop_pg_database(name))
    assert all(code == 0 for code in codes.values()), codes


@pytest.fixture
async def db(cluster: Cluster) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    from bot.db.session import create_engine, create_sessionmaker

    engine = create_engine(cluster.database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def assert_clean_logs(cluster: Cluster) -> None:
    for inst in cluster.instances:
        log = inst.log()
        assert "Traceback" not in log, f"{inst.name}:\n{log[-4000:]}"
        errors = [r for r in inst.log_records() if r.get("level") in ("ERROR", "CRITICAL")]
        assert not errors, errors


async def leader(db: async_sessionmaker[AsyncSession]) -> tuple[str, float] | None:
    """(owner, seconds until expiry) of the scheduler lease, None before anyone took it."""
    async with db() as session:
        row = (await session.execute(text("SELECT owner, expires_at FROM leases WHERE name = 'scheduler'"))).first()
    if row is None:
        return None
    return str(row[0]), (row[1] - utcnow()).total_seconds()


# ---------- updates ----------
async def test_updates_spread_over_two_instances_are_handled_once(
    cluster: Cluster, db: async_sessionmaker[AsyncSession]
) -> None:
    users = list(range(710_001, 710_061))
    steps = ["/start", "1", "/huongdan"]  # greeting; «1» taps «Đồng ý»; help
    posted: list[tuple[int, int]] = []  # (update id, user)
    statuses: list[int] = []

    def conversation(index: int, user: int) -> None:
        """One person's updates in order, like Telegram; some delivered to both instances at once."""
        for step, said in enumerate(steps):
            update = message_update(9_000_000 + index * 10 + step, user, said)
            posted.append((update["update_id"], user))
            first = cluster.instances[(index + step) % 2]
            if (index + step) % 3 == 0:  # a redelivery racing the first delivery, on the other instance
                with ThreadPoolExecutor(2) as pool:
                    statuses.extend(pool.map(BotInstance.post_update, cluster.instances, [update, update]))
            else:
                statuses.append(first.post_update(update))

    await asyncio.to_thread(_run_all, conversation, users)
    # Late redeliveries of already handled updates, to both instances: nothing happens.
    for index, user in enumerate(users[:10]):
        for inst in cluster.instances:
            again = message_update(9_000_000 + index * 10, user, "/start")
            statuses.append(await asyncio.to_thread(inst.post_update, again))

    assert set(statuses) == {200}
    sent = Counter()
    texts_by_chat: dict[int, list[str]] = {}
    for call in cluster.fake.sent():
        if call["chat_id"] in users:
            sent[call["chat_id"]] += 1
            texts_by_chat.setdefault(call["chat_id"], []).append(call["text"])
    for user in users:
        got = texts_by_chat.get(user, [])
        assert len(got) == 5, (user, got)
        assert got[:3] == [texts.WELCOME, texts.CONSENT_ASK, texts.CONSENTED], (user, got)
        assert got[3].startswith("Bạn ở xã/phường nào?"), (user, got)
        assert got[4] == texts.HELP, (user, got)
    async with db() as session:
        ids = list(await session.scalars(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.channel == "telegram")
        ))
        secret = bytes.fromhex(str(await session.scalar(text("SELECT value FROM app_secrets WHERE name = 'dedupe'"))))
        people = await session.scalar(
            select(func.count()).select_from(User).where(User.platform_id.in_([str(u) for u in users]))
        )
    # one key per update (the keyed hash both instances compute with the one stored secret)
    expected = {dedupe.update_key(secret, Incoming("telegram", str(user), update_id=str(uid))) for uid, user in posted}
    assert expected <= set(ids) and len(expected) == len(set(posted))
    assert people == len(users)  # consent stored once per person
    handled = [metric(inst.metrics(), "hocvuso_updates_total", 'channel="telegram"') for inst in cluster.instances]
    assert all(n > 0 for n in handled), handled  # both instances did real work
    assert_clean_logs(cluster)


def _run_all(conversation, users: list[int]) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(16) as pool:
        for future in [pool.submit(conversation, i, u) for i, u in enumerate(users)]:
            future.result()


# ---------- broadcast ----------
async def test_broadcast_to_2000_is_delivered_once_per_recipient(
    cluster: Cluster, db: async_sessionmaker[AsyncSession]
) -> None:
    chats = list(range(800_001, 802_001))
    before = [metric(i.metrics(), "hocvuso_outbox_sends_total", 'result="sent"') for i in cluster.instances]
    now = utcnow()
    async with db() as session, session.begin():
        await session.execute(User.__table__.insert(), [
            {"channel": "telegram", "platform_id": str(c), "chat_id": str(c), "consent_at": now, "created_at": now,
             "last_seen_at": now, "role": Role.RESIDENT, "role_village_ids": [], "commune_id": "ha-long",
             "village_id": "ha-long-thon-1"}
            for c in chats
        ])
    async with db() as session, session.begin():
        rows = await session.execute(
            select(User.id, User.channel, User.chat_id).where(User.platform_id.in_([str(c) for c in chats]))
        )
        recipients = [outbox_repo.Recipient(uid, ch, chat) for uid, ch, chat in rows]
        started = time.monotonic()
        added = await outbox_repo.enqueue(session, "ann:multi", recipients, "📢 Thông báo: lớp VNeID tối thứ Bảy.", now)
    assert added == len(chats)

    async def pending() -> int:
        async with db() as session:
            return int(await session.scalar(
                select(func.count()).where(OutboxMessage.ref == "ann:multi", OutboxMessage.status != "sent")
            ) or 0)

    while await pending():
        assert time.monotonic() - started < 90, f"{await pending()} not sent yet"
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    await asyncio.sleep(1.5)  # a double send would show up in the fake by now

    wanted = set(chats)
    per_chat = Counter(c["chat_id"] for c in cluster.fake.sent() if c["chat_id"] in wanted)
    assert set(per_chat) == wanted
    assert set(per_chat.values()) == {1}, {c: n for c, n in per_chat.items() if n != 1}
    after = [metric(i.metrics(), "hocvuso_outbox_sends_total", 'result="sent"') for i in cluster.instances]
    by_instance = [a - b for a, b in zip(after, before, strict=True)]
    assert sum(by_instance) == len(chats) and min(by_instance) > 0, by_instance  # shared, not duplicated
    print(f"\nbroadcast: {len(chats)} messages in {elapsed:.1f}s, per instance {by_instance}")
    assert_clean_logs(cluster)


# ---------- scheduler ----------
async def make_due_class(database_url: str, team_chat: int, resident_chat: int) -> int:
    """A class starting in 30 minutes (reminder offset 60: due at once) with one registered resident."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url, content_dir=PROJECT_ROOT / "content", reminder_offsets_minutes=[60],
    )
    runtime = await Runtime.create(settings)
    now = utcnow()
    try:
        async with runtime.sessionmaker() as session, session.begin():
            people = {}
            for chat, role in ((team_chat, Role.TEAM), (resident_chat, Role.RESIDENT)):
                person = User(
                    channel="telegram", platform_id=str(chat), chat_id=str(chat), display_name=f"Người {chat}",
                    commune_id="ha-long", village_id="ha-long-thon-3", consent_at=now, role=role,
                    role_commune_id="ha-long" if role == Role.TEAM else None,
                    role_village_ids=["ha-long-thon-3"] if role == Role.TEAM else [],
                )
                session.add(person)
                people[role] = person
            await session.flush()
            draft = classes_svc.ClassDraft(
                title="Cài đặt và kích hoạt VNeID", village_ids=["ha-long-thon-3"], place="Nhà văn hóa thôn 3",
                starts_at=now + timedelta(minutes=30),
            )
            klass = await classes_svc.create_class(session, runtime.app_ctx, people[Role.TEAM], draft, now)
            await registration.register(session, people[Role.RESIDENT], klass.id, now)
            return klass.id
    finally:
        await runtime.close()


def reminders_to(cluster: Cluster, chat: int) -> list[str]:
    return [c["text"] for c in cluster.fake.sent() if c["chat_id"] == chat and c["text"].startswith(REMINDER_MARK)]


def enqueued_by(cluster: Cluster) -> dict[str, int]:
    """How many times each instance's scheduler enqueued reminders (its log says so)."""
    return {
        inst.name: sum(
            1 for r in inst.log_records() if str(r.get("message", "")).startswith("scheduler: enqueued 1 rem")
        )
        for inst in cluster.instances
    }


async def test_reminder_fires_once(cluster: Cluster, db: async_sessionmaker[AsyncSession]) -> None:
    before = enqueued_by(cluster)
    class_id = await make_due_class(cluster.database_url, 730_001, 730_002)
    await asyncio.to_thread(wait_for, lambda: reminders_to(cluster, 730_002), 20, "the reminder")
    for _ in range(8):  # several more ticks of both instances: always exactly one leader
        leaders = [metric(inst.metrics(), "hocvuso_scheduler_leader") for inst in cluster.instances]
        assert sorted(leaders) == [0.0, 1.0], leaders
        await asyncio.sleep(TICK_SECONDS)
    assert len(reminders_to(cluster, 730_002)) == 1
    assert "Cài đặt và kích hoạt VNeID" in reminders_to(cluster, 730_002)[0]
    assert reminders_to(cluster, 730_001) == []  # the team member did not register
    async with db() as session:
        refs = list(await session.scalars(
            select(OutboxMessage.ref).where(OutboxMessage.ref.like(f"cr:{class_id}:%"))
        ))
    assert len(refs) == 1
    after = enqueued_by(cluster)
    assert sum(after.values()) - sum(before.values()) == 1, (before, after)  # enqueued once
    assert_clean_logs(cluster)


async def test_killing_the_scheduler_leader_hands_over_within_lease_and_tick(
    cluster: Cluster, db: async_sessionmaker[AsyncSession]
) -> None:
    held = await leader(db)
    assert held is not None
    leading = cluster.by_name(held[0])
    other = next(i for i in cluster.instances if i is not leading)
    assert metric(leading.metrics(), "hocvuso_scheduler_leader") == 1.0
    assert metric(other.metrics(), "hocvuso_scheduler_leader") == 0.0

    killed_at = time.monotonic()
    leading.kill()  # SIGKILL: the lease is not released, it has to expire
    while (now_held := await leader(db)) is None or now_held[0] != other.name:
        assert time.monotonic() - killed_at < LEASE_SECONDS + TICK_SECONDS + 5, now_held
        await asyncio.sleep(0.05)
    takeover = time.monotonic() - killed_at
    print(f"\nscheduler takeover after SIGKILL of the leader: {takeover:.2f}s "
          f"(lease {LEASE_SECONDS}s, tick {TICK_SECONDS}s)")
    assert takeover <= LEASE_SECONDS + TICK_SECONDS + 1.5  # lease + tick, plus polling and process slack
    assert await asyncio.to_thread(
        wait_for, lambda: metric(other.metrics(), "hocvuso_scheduler_leader") == 1.0, 5, "the new leader's gauge"
    )

    # The new leader does the scheduler's work: a reminder due now is sent, once.
    await make_due_class(cluster.database_url, 740_001, 740_002)
    await asyncio.to_thread(wait_for, lambda: reminders_to(cluster, 740_002), 20, "the reminder from the new leader")
    await asyncio.sleep(6 * TICK_SECONDS)
    assert len(reminders_to(cluster, 740_002)) == 1

    # The killed instance comes back under the same name: it joins as a follower.
    leading.start()
    await asyncio.to_thread(leading.wait_healthy)
    await asyncio.sleep(3 * TICK_SECONDS)
    assert (await leader(db) or ("", 0))[0] == other.name
    assert metric(leading.metrics(), "hocvuso_scheduler_leader") == 0.0
    assert_clean_logs(cluster)
