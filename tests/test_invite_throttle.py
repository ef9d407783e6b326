"""Issue 15, item 6: invite codes cannot be guessed at machine speed. After 5 wrong /ma codes in
10 minutes a person is asked kindly to wait (even the right code waits), and a whole channel has a
ceiling too (many accounts guessing together); each refusal is logged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.runtime import Runtime
from bot.services.invites import CHANNEL_FAILURES, PERSON_FAILURES, create_invite
from tests.support.chat import Chat
from tests.support.clock import Clock

WAIT = "nhập sai mã quá nhiều lần"


async def new_code(runtime: Runtime) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", [], runtime.app_ctx.clock()
        )
        return invite.code


async def test_five_wrong_codes_then_a_kind_wait(
    runtime: Runtime, chat: Chat, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    code = await new_code(runtime)
    await chat.onboard("doan")
    caplog.set_level(logging.WARNING)
    for n in range(PERSON_FAILURES.limit):
        await chat.say("doan", f"/ma SAIMA{n:03d}")
        assert "Mã mời không đúng" in chat.text("doan"), n
    await chat.say("doan", f"/ma {code}")  # the right code, but too many tries just now
    assert WAIT in chat.text("doan") and "phút" in chat.text("doan")
    assert any("invite" in r.getMessage() and "throttled" in r.getMessage() for r in caplog.records)
    await chat.say("nguoi-khac", "/start")  # someone else is not slowed down by her tries
    clock.advance(PERSON_FAILURES.window + timedelta(seconds=1))
    await chat.say("doan", f"/ma {code}")
    assert "Bạn đã được cấp quyền" in chat.text("doan")


async def test_a_channel_wide_ceiling_stops_many_accounts_guessing(runtime: Runtime, chat: Chat) -> None:
    people = [f"may-{n}" for n in range(CHANNEL_FAILURES.limit // 2 + 1)]
    refused = 0
    for person in people:
        await chat.onboard(person)
        for n in range(2):
            await chat.say(person, f"/ma SAI{n}{person[-3:]}")
            refused += WAIT in chat.text(person)
    assert refused >= 1  # the channel's ceiling was reached before every account used its 5 tries
    code = await new_code(runtime)
    await chat.onboard("to-truong")
    await chat.say("to-truong", f"/ma {code}")
    assert WAIT in chat.text("to-truong")  # while the channel is throttled, everyone waits
