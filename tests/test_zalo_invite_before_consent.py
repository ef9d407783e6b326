"""`/ma CODE` before consent on Zalo (issue 12, item 11): remembered, applied right after her typed «1»,
and nothing stored before she agrees.

The real ZaloChannel and engine against the fake Zalo Bot API; and the real `hocvuso chat --as zalo`.
The code waits in the process's memory under a keyed hash (bot/pending_codes.py) for 30 minutes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select

from bot.db.models import User
from bot.pending_codes import PendingCodes
from bot.runtime import Runtime
from bot.services import invites
from tests.fakes.zalo_server import FakeZaloServer
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.clock import Clock
from tests.support.pii import traces
from tests.support.zalo_bot import Resident, fake_zalo_bot, polling, push_to

ZALO_ID = "zalo-to-vien-8812"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


async def team_invite(runtime: Runtime) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await invites.create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", ["ha-long-thon-3"], runtime.app_ctx.clock()
        )
    return invite.code


async def role_of(runtime: Runtime, platform_id: str) -> str | None:
    async with runtime.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.platform_id == platform_id))
    return None if user is None else user.role


async def test_on_zalo_the_code_before_consent_is_applied_after_a_typed_1_and_nothing_is_stored_before(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    code = await team_invite(runtime)
    async with polling(runtime, fake):
        resident = Resident(fake, push_to(fake), ZALO_ID)
        out = await resident.say(f"/ma {code}")
        assert f"Mình đã nhận mã mời {code}" in out and "gõ 1 («Đồng ý»)" in out, out
        assert re.search(r"^1\. ✅ Đồng ý$", out, re.M) and "bấm" not in out.lower()
        assert await traces(runtime, ZALO_ID, "Bà Lan") == []  # nothing identifying before consent
        assert await role_of(runtime, ZALO_ID) is None

        out = await resident.say("1")
        assert "Bạn đã được cấp quyền: thành viên Tổ công nghệ số cộng đồng (Xã Hà Long)." in out, out
        assert await role_of(runtime, ZALO_ID) == "team"
        out = await resident.say("ha long")
        out = await resident.say("thon 3")
        assert re.search(r"^8\. 👥 Tổ công nghệ số$", out, re.M), out


async def test_yes_words_apply_the_waiting_code_too(runtime: Runtime) -> None:
    code = await team_invite(runtime)
    zalo = Chat(runtime, channel="zalo")
    await zalo.say("z1", f"/ma {code}")
    replies = await zalo.say("z1", "co")  # «có»: yes
    assert "Bạn đã được cấp quyền" in "\n".join(r.text for r in replies)
    assert await role_of(runtime, "z1") == "team"


async def test_an_expired_or_lost_code_means_a_plain_consent_and_the_code_still_works_after(
    runtime: Runtime, clock: Clock
) -> None:
    code = await team_invite(runtime)
    zalo = Chat(runtime, channel="zalo")
    await zalo.say("z2", f"/ma {code}")
    clock.advance(timedelta(minutes=31))
    replies = await zalo.say("z2", "1")
    assert "Bạn đã được cấp quyền" not in "\n".join(r.text for r in replies)
    assert await role_of(runtime, "z2") == "resident"
    await zalo.say("z2", f"/ma {code}")  # the invite itself was not used
    assert await role_of(runtime, "z2") == "team"

    # another instance (or a restart) has its own memory: she simply agrees, and sends the code again
    other = await team_invite(runtime)
    await zalo.say("z3", f"/ma {other}")
    runtime.app_ctx.pending_codes = PendingCodes()
    await zalo.say("z3", "1")
    assert await role_of(runtime, "z3") == "resident"


def test_pending_codes_hold_no_platform_id_and_stay_bounded() -> None:
    from datetime import UTC, datetime

    from bot.services import dedupe

    now = datetime(2026, 12, 1, tzinfo=UTC)
    pending = PendingCodes(max_entries=3)
    for i in range(5):
        pending.remember(dedupe.user_tag(b"k" * 32, "zalo", f"user-{i}"), f"CODE{i}", now)
    assert len(pending) == 3
    assert "user-4" not in repr(pending._entries)
    assert pending.get(dedupe.user_tag(b"k" * 32, "zalo", "user-0"), now) is None  # the oldest went first
    assert pending.get(dedupe.user_tag(b"k" * 32, "zalo", "user-4"), now) == "CODE4"
    assert pending.get(dedupe.user_tag(b"k" * 32, "zalo", "user-4"), now + timedelta(minutes=30)) is None


def test_console_as_zalo_applies_the_code_after_1(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'ma.db'}"
    assert run_cli("db", "upgrade", database_url=db).returncode == 0
    made = run_cli(
        "invite", "create", "--role", "team", "--commune", "ha-long", "--village", "ha-long-thon-3", database_url=db
    )
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[0]
    done = run_cli(
        "chat", "--as", "zalo", "--user", "ong-tu", database_url=db, stdin=f"/ma {code}\n1\nha long\nthon 3\n"
    )
    assert done.returncode == 0, done.stderr
    assert "gõ 1 («Đồng ý»)" in done.stdout
    assert "Bạn đã được cấp quyền: thành viên Tổ công nghệ số cộng đồng (Xã Hà Long)." in done.stdout
    assert re.search(r"^8\. 👥 Tổ công nghệ số$", done.stdout, re.M), done.stdout
