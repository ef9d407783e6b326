"""Role invites: created by the CLI, redeemed once in chat; checks happen on the server."""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import User
from bot.runtime import Runtime
from bot.services.invites import create_invite
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.clock import Clock


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, database_url=settings.database_url, timeout=60)


async def test_cli_code_grants_role_once(runtime: Runtime, chat: Chat, settings: Settings) -> None:
    done = cli(settings, "invite", "create", "--role", "official", "--commune", "ha-long")
    assert done.returncode == 0, done.stderr
    code = done.stdout.strip()
    await chat.onboard("off")
    await chat.say("off", f"/ma {code.lower()}")
    assert "cán bộ xã (Xã Hà Long)" in chat.text("off")
    await chat.onboard("other")
    await chat.say("other", f"/ma {code}")
    assert "đã được dùng" in chat.text("other")
    async with runtime.sessionmaker() as session:
        roles = dict((await session.execute(select(User.platform_id, User.role))).all())
    assert roles == {"off": "official", "other": "resident"}


async def test_unknown_and_expired_codes_refused(runtime: Runtime, chat: Chat, clock: Clock) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", ["ha-long-thon-1"], clock.now, valid_days=1
        )
    await chat.onboard("t1")
    await chat.say("t1", "/ma KHONGCO99")
    assert "không đúng" in chat.text("t1")
    clock.advance(timedelta(days=2))
    await chat.say("t1", f"/ma {invite.code}")
    assert "hết hạn" in chat.text("t1")


def test_cli_rejects_bad_arguments_precisely(settings: Settings) -> None:
    done = cli(settings, "invite", "create", "--role", "official", "--commune", "khong-co")
    assert done.returncode == 2
    assert "unknown commune 'khong-co'" in done.stderr and "Traceback" not in done.stderr
    done = cli(settings, "invite", "create", "--role", "team", "--commune", "ha-long", "--village", "bach-ngoc-xom-1")
    assert done.returncode == 2 and "not a village of commune 'ha-long'" in done.stderr


async def test_refusal_is_not_repeated_for_a_redelivered_update(chat: Chat) -> None:
    from bot.messages import Incoming, Kind

    await chat.onboard("r1")
    wrong = Incoming("console", "r1", Kind.TEXT, text="/ma SAIMA123", update_id="dup-1")
    first = await chat.send(wrong)
    assert "không đúng" in first[0].text
    assert await chat.send(wrong) == []


async def test_redeemed_code_never_reaches_a_log_line(
    runtime: Runtime, chat: Chat, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", ["ha-long-thon-1"], clock.now, valid_days=1
        )
    await chat.onboard("t2")
    with caplog.at_level(logging.DEBUG, logger="bot"):  # the app pins the SQL drivers at WARNING itself
        await chat.say("t2", f"/ma {invite.code}")
    assert "Tổ công nghệ số" in chat.text("t2")
    assert any("invite:" in r.getMessage() for r in caplog.records)  # the redemption is logged…
    assert invite.code not in caplog.text  # …without the code
