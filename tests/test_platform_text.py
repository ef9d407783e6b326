"""Issue 15, item 8 (text): what platforms send is cleaned at the adapter edge — lone surrogates,
noncharacters and control characters (NUL included, which PostgreSQL cannot store) never reach the
engine or the database. A display name with a lone surrogate made consent impossible
(UnicodeEncodeError); now the person can agree and is stored under the readable part of the name."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.callbacks import ConsentYes
from bot.channels.console import ConsoleChannel
from bot.channels.telegram_convert import incoming_from_update
from bot.channels.zalo_updates import to_incoming
from bot.db.models import User
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from bot.text import clean_display_name, clean_platform_text


def wire(obj: Any) -> Any:
    """As the webhook delivers it: JSON text (a lone surrogate travels as a \\ud800 escape) decoded."""
    return json.loads(json.dumps(obj))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Xin chào", "Xin chào"),
        ("dòng 1\r\ndòng 2\rdòng 3\n", "dòng 1\ndòng 2\ndòng 3\n"),
        ("cai\x00 vneid\x07\x1b[31m", "cai vneid[31m"),
        ("a\ud800b\udfffc", "abc"),
        ("\ufffe\uffff\U0010ffffok\ufdd0", "ok"),
        ("\u202eevil\u202c", "evil"),  # bidi overrides
        ("Tha\u0300nh", "Thành"),  # composed (NFC), like what people type
        ("👩‍👩‍👧 emoji\u200d ok\t", "👩‍👩‍👧 emoji\u200d ok\t"),  # joiners and tabs stay
        ("\x85\x9f", ""),  # C1 controls
    ],
)
def test_clean_platform_text(raw: str, clean: str) -> None:
    assert clean_platform_text(raw) == clean
    clean.encode("utf-8")  # always encodable


def test_clean_display_name() -> None:
    assert clean_display_name("  Bà \ud800Lan\n\x07 ") == "Bà Lan"
    assert clean_display_name("\ud800\x00") is None
    assert clean_display_name(None) is None
    assert clean_display_name("x" * 300) == "x" * 128


async def consent_via(runtime: Runtime, incoming: Incoming) -> User:
    start = await runtime.handle(incoming)
    assert any("Đồng ý" in b.label for r in start for b in r.all_buttons())
    agree = Incoming(
        incoming.channel, incoming.user_id, Kind.BUTTON, payload=ConsentYes().pack(), update_id="agree-1",
        display_name=incoming.display_name, chat_id=incoming.chat_id,
    )
    replies = await runtime.handle(agree)
    assert "trục trặc" not in replies[0].text and "Xin lỗi" not in replies[0].text, replies[0].text
    async with runtime.sessionmaker() as session:
        user = (await session.execute(select(User).where(User.channel == incoming.channel))).scalar_one()
    return user


async def test_zalo_name_with_a_lone_surrogate_can_consent(runtime: Runtime) -> None:
    update = wire({
        "event_name": "message.text.received",
        "message": {
            "message_id": "m-1", "date": 1764633600000, "text": "/start\x00\ud83d",
            "from": {"id": "zalo-ba-lan", "display_name": "Bà \ud800Lan\x1b", "is_bot": False},
            "chat": {"id": "zalo-ba-lan", "chat_type": "PRIVATE"},
        },
    })
    incoming = to_incoming(update)
    assert incoming is not None and incoming.text == "/start" and incoming.display_name == "Bà Lan"
    user = await consent_via(runtime, incoming)
    assert user.display_name == "Bà Lan" and user.platform_id == "zalo-ba-lan"


async def test_telegram_name_with_a_lone_surrogate_can_consent(runtime: Runtime) -> None:
    person = {"id": 4242, "is_bot": False, "first_name": "Ông \udc00Tư", "last_name": "\x00Nguyễn"}
    data = wire({
        "update_id": 9001,
        "message": {
            "message_id": 1, "date": 1764633600, "from": person,
            "chat": {"id": 4242, "type": "private"}, "text": "/start\ud800",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    })
    incoming = incoming_from_update(Update.de_json(data, None))  # type: ignore[arg-type]
    assert incoming is not None and incoming.text == "/start" and incoming.display_name == "Ông Tư Nguyễn"
    user = await consent_via(runtime, incoming)
    assert user.display_name == "Ông Tư Nguyễn"


async def test_console_line_with_undecodable_bytes_is_cleaned(runtime: Runtime) -> None:
    out = io.StringIO()
    console = ConsoleChannel(runtime.handle, user_id="console-1", out=out)
    replies = await console.say("/start\udcff\x00\n")  # stdin's surrogateescape of a stray byte
    assert "Đồng ý" in out.getvalue() and replies
