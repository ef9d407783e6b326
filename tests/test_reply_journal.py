"""The reply journal (bot/journal/): a turn's replies are stored with its state change, sent, marked.

A redelivered update is answered from the journal, never re-run; undelivered replies are resent on
start in order and before that person's new turns; two instances never claim the same rows; rows of
people who never consented go once delivered, and a person's data deletion takes theirs."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import reply_codec as codec
from bot.db.models import LessonProgress, ReplyEntry, User
from bot.db.repositories import replies as repo
from bot.messages import Button, Document, Incoming, Kind, Reply
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.clock import Clock

CHANNEL = "zalo"


def journaled(runtime: Runtime, instance: str = "bot-1") -> Chat:
    runtime.app_ctx.journal_channels = frozenset({CHANNEL})
    runtime.app_ctx.instance_id = runtime.journal.owner = instance
    return Chat(runtime, channel=CHANNEL)


async def rows(runtime: Runtime) -> list[ReplyEntry]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(ReplyEntry).order_by(ReplyEntry.id)))


async def lesson_step(runtime: Runtime, user: str) -> int | None:
    async with runtime.sessionmaker() as session:
        return await session.scalar(
            select(LessonProgress.step).join(User).where(User.channel == CHANNEL, User.platform_id == user)
        )


async def restart(runtime: Runtime, instance: str) -> None:
    """What a restarted instance does first: take back what its previous run had leased."""
    async with runtime.sessionmaker() as session, session.begin():
        await repo.release_leases(session, instance)


class RecordingSender:
    channel = CHANNEL

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.gate = gate

    async def send(self, chat_id: str, reply: Reply) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.sent.append((chat_id, reply.text))


def test_codec_round_trips_every_reply_field() -> None:
    reply = Reply(
        "Bước 2/5: Mở ứng dụng VNeID",
        buttons=((Button("⬅️ Quay lại", "n:back", 1), Button("Tiếp ➡️", "n:next")), (Button("Menu", "m:main", 0),)),
        image="content/media/vneid/buoc-2.png",
        image_bytes=b"\x89PNG\r\n\x1a\n\x00\xff",
        document=Document("bao-cao.xlsx", b"PK\x03\x04\x00\x80", "application/vnd.ms-excel"),
        voice="data/voice/ab/cd.ogg",
        link="https://example.org/thuchanh/abc",
        edit=True,
    )
    stored = {f.name for f in dataclasses.fields(Reply)} - {"journal_id"}
    assert stored == codec.STORED_FIELDS  # a new Reply field must be added to the codec
    for name in stored:  # every field is set to something other than its default
        default = next(f for f in dataclasses.fields(Reply) if f.name == name).default
        assert getattr(reply, name) != default or name == "buttons", name
    back = codec.decode(json.loads(json.dumps(codec.encode(reply))), journal_id=7)
    assert back == reply
    assert [getattr(back, n) for n in sorted(stored)] == [getattr(reply, n) for n in sorted(stored)]
    assert back.journal_id == 7
    plain = Reply("Chào bạn")
    assert codec.encode(plain) == {"t": "Chào bạn"}  # defaults are not stored
    assert codec.decode(codec.encode(plain)) == plain


async def test_redelivered_update_is_answered_from_the_journal_not_run_again(runtime: Runtime) -> None:
    chat = journaled(runtime, "bot-1")
    await chat.onboard("u1")
    await chat.say("u1", "vneid")
    await chat.tap("u1", "VNeID")
    assert "Bước 1/" in chat.text("u1")
    tap = Incoming(CHANNEL, "u1", Kind.BUTTON, payload="n:next", update_id="tap-42")
    first = await chat.send(tap)
    assert any("Bước 2/" in r.text for r in first)
    assert all(r.journal_id is not None for r in first)
    # nothing is reported delivered: the process dies while sending
    assert await lesson_step(runtime, "u1") == 1

    # Still leased to the instance that is sending them: a redelivery now sends nothing twice.
    assert await runtime.handle(tap) == []

    await restart(runtime, "bot-1")
    again = await runtime.handle(tap)
    assert [r.text for r in again] == [r.text for r in first]
    assert [r.buttons for r in again] == [r.buttons for r in first]
    assert await lesson_step(runtime, "u1") == 1  # the turn was not run again

    runtime.journal.delivered(again)
    await runtime.journal.marks.flush()
    await restart(runtime, "bot-1")
    assert await runtime.handle(tap) == []  # delivered: nothing to send, nothing to run
    assert await lesson_step(runtime, "u1") == 1


async def test_undelivered_replies_are_resent_in_order_before_new_turns(runtime: Runtime) -> None:
    chat = journaled(runtime, "bot-1")
    await chat.say("p1", "/start")
    await chat.tap("p1", "Đồng ý")
    await chat.say("p2", "/start")
    stored = await rows(runtime)
    expected = {p: [codec.decode(r.body).text for r in stored if r.chat_id == p] for p in ("p1", "p2")}
    assert len(expected["p1"]) >= 2 and expected["p2"]

    await restart(runtime, "bot-1")
    gate = asyncio.Event()
    sender = RecordingSender(gate)
    assert await runtime.journal.start({CHANNEL: sender}) == len(stored)
    # p1 writes again while their old replies are still being resent: the turn waits for them.
    turn = asyncio.create_task(runtime.handle(Incoming(CHANNEL, "p1", Kind.TEXT, text="/tiendo", update_id="n1")))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(turn), 0.2)
    gate.set()
    new_replies = await turn
    assert new_replies and sender.sent  # the new turn ran only after the old replies went out
    assert [t for c, t in sender.sent if c == "p1"] == expected["p1"]
    assert [t for c, t in sender.sent if c == "p2"] == expected["p2"]
    await runtime.journal.wait_resent()
    await runtime.journal.close()
    left = [r for r in await rows(runtime) if r.delivered_at is None]
    assert [r.id for r in left] == [r.journal_id for r in new_replies]  # only the new turn's, unreported


async def test_two_instances_never_claim_the_same_rows(runtime: Runtime) -> None:
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        for n in range(60):
            await repo.write(session, CHANNEL, f"c{n}", None, None, [{"t": f"m{n}"}], now, "dead", repo.LEASE)
        await repo.release_leases(session, "dead")

    async def claim(owner: str) -> list[int]:
        async with runtime.sessionmaker() as session, session.begin():
            return [e.id for e in await repo.claim_undelivered(session, owner, now, repo.LEASE, [CHANNEL], 40)]

    a, b = await asyncio.gather(claim("a"), claim("b"))
    assert not set(a) & set(b)
    assert len(set(a) | set(b)) == 60
    assert await claim("c") == []  # all leased


async def test_personal_data_in_the_journal(runtime: Runtime) -> None:
    chat = journaled(runtime, "bot-1")
    welcome = await chat.say("lan", "/start")  # before consent: the row holds only the chat id to send to
    stored = await rows(runtime)
    assert len(stored) == len(welcome) and all(r.user_id is None and r.chat_id == "lan" for r in stored)
    runtime.journal.delivered(welcome)
    await runtime.journal.marks.flush()
    assert await rows(runtime) == []  # delivered: gone, not kept for the purge

    await chat.tap("lan", "Đồng ý")
    await chat.tap("lan", "Hà Long")
    async with runtime.sessionmaker() as session:
        user_id = await session.scalar(select(User.id).where(User.platform_id == "lan"))
    assert {r.user_id for r in await rows(runtime)} == {user_id}  # from the consent turn's own replies on
    runtime.journal.delivered(chat.last["lan"])
    await runtime.journal.marks.flush()
    kept = await rows(runtime)
    assert any(r.delivered_at is not None for r in kept)

    await chat.say("lan", "/xoadulieu")
    await chat.tap("lan", "Xóa")
    left = await rows(runtime)
    # only the goodbye, without a user id, until it is delivered
    assert [r.user_id for r in left] == [None]
    runtime.journal.delivered(chat.last["lan"])
    await runtime.journal.marks.flush()
    assert await rows(runtime) == []


async def test_delivered_rows_are_purged_daily(runtime: Runtime) -> None:
    chat = journaled(runtime, "bot-1")
    await chat.onboard("an")
    runtime.journal.delivered(chat.last["an"])
    await runtime.journal.marks.flush()
    async with runtime.sessionmaker() as session, session.begin():
        assert await repo.purge_delivered(session, runtime.app_ctx.clock() + repo.DELIVERED_KEPT) >= 1
    async with runtime.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(ReplyEntry).where(
            ReplyEntry.delivered_at.is_not(None)))
    assert count == 0


async def test_a_dead_instances_replies_are_swept_once_its_lease_ran_out(runtime: Runtime, clock: Clock) -> None:
    chat = journaled(runtime, "bot-dead")
    await chat.say("mai", "/start")  # written and leased by an instance that then died for good
    written = [codec.decode(r.body).text for r in await rows(runtime)]
    runtime.journal.owner = runtime.app_ctx.instance_id = "bot-alive"
    sender = RecordingSender()
    assert await runtime.journal.start({CHANNEL: sender}) == 0  # still leased to the dead one: not ours
    clock.advance(repo.LEASE + timedelta(seconds=1))
    assert await runtime.journal.sweep() == len(written)
    await runtime.journal.wait_resent()
    assert sender.sent == [("mai", t) for t in written]
    assert await runtime.journal.sweep() == 0  # leased to us now, then delivered: never twice
    await runtime.journal.close()
    assert await rows(runtime) == []  # delivered before consent: deleted
