"""Issue 15, "done when": 10,000+ random events end with zero internal errors.

Residents, team members and officials on Telegram, Zalo and the console send random text (control
characters, lone surrogates, 100 KB strings, commands, numbers), random and forged button payloads
(every prefix the bot knows, with huge, negative and odd arguments), media, and redeliveries of
earlier updates. Each event goes through its channel's own conversion (Telegram via PTB's Update,
Zalo via its update shape, console via the console's cleaning), then the real engine on SQLite. An
internal error shows as the «trục trặc» apology or an ERROR log line: there must be none.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest
from telegram import Update

from bot.callbacks import Callback
from bot.channels.telegram_convert import incoming_from_update
from bot.channels.zalo_updates import to_incoming
from bot.db.models import Role, User
from bot.engine import texts
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from bot.text import clean_platform_text

pytestmark = pytest.mark.slow

EVENTS = 10_000
SEED = 20261202
COMMANDS = [
    "/start", "/menu", "/tiendo", "/dulieu", "/taidulieu", "/xoadulieu", "/huongdan", "/help", "/lichhoc",
    "/lopcuatoi", "/taolop", "/thongbao", "/todoi", "/thongke", "/thongke bach-ngoc", "/baocao", "/baocao 13/2025",
    "/baocao 11/2026", "/dangnhap", "/ma", "/ma SAIMA123", "/ma " + "A" * 500, "/start@hocvuso_bot", "/khongco",
]
WORDS = ["ha long", "thon 3", "cai vneid", "lua dao", "1", "2", "3", "9", "0", "đồng ý", "Xong", "thứ 7 tuần này 14h",
         "20/12 8h", "99999999999999999999", "-1", "²", "١٢", "Nhà văn hóa", "Bỏ qua", "không", "có"]
ODD_ARGS = ["", "0", "-1", "1", "2", "7", "999999999999", "99999999999999999999", "1.5", "x", "a:b", "ha-long",
            "ha-long-thon-3", "vneid-kich-hoat", "../../etc", "%00", "\x00", "\ud800", "😀" * 20, "9" * 70]


def prefixes() -> list[str]:
    found: list[str] = []
    stack: list[type] = [Callback]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if getattr(sub, "prefix", ""):
                found.append(sub.prefix)
    return sorted(set(found))


class Fuzzer:
    def __init__(self, rng: random.Random, users: list[tuple[str, str]]) -> None:
        self.rng = rng
        self.users = users
        self.prefixes = prefixes()
        self.sent: list[Incoming] = []
        self.shown: dict[tuple[str, str], list[str]] = {}
        self.n = 0

    def text(self) -> str:
        r = self.rng.random()
        if r < 0.25:
            return self.rng.choice(COMMANDS)
        if r < 0.5:
            return self.rng.choice(WORDS)
        if r < 0.52:
            return self.rng.choice(["x", "đ", "\x00", "\ud83d"]) * self.rng.choice([100_000, 2001, 4096])
        length = self.rng.randint(0, 40)
        pools = [(0, 0x1F), (0x20, 0x7E), (0xC0, 0x1EF9), (0xD800, 0xDFFF), (0xFFF0, 0xFFFF), (0x1F300, 0x1FAFF),
                 (0x80, 0x9F), (0x202A, 0x202E), (0x10FFF0, 0x10FFFF)]
        out = []
        for _ in range(length):
            lo, hi = self.rng.choice(pools)
            out.append(chr(self.rng.randint(lo, hi)))
        return "".join(out)

    def payload(self, key: tuple[str, str]) -> str:
        shown = self.shown.get(key)
        if shown and self.rng.random() < 0.6:
            return self.rng.choice(shown)  # a button the bot really showed: walks deep into flows
        prefix = self.rng.choice(self.prefixes)
        parts = [self.rng.choice(ODD_ARGS) for _ in range(self.rng.randint(0, 3))]
        return ":".join([prefix, *parts]) if self.rng.random() < 0.9 else self.text()

    def event(self) -> Incoming | None:
        if self.sent and self.rng.random() < 0.08:
            return self.rng.choice(self.sent)  # a redelivery
        self.n += 1
        channel, user = self.rng.choice(self.users)
        roll = self.rng.random()
        kind = "button" if roll < 0.45 else "media" if roll < 0.52 else "text"
        if channel == "telegram":
            return self._telegram(user, kind)
        if channel == "zalo":
            return self._zalo(user, kind)
        if kind == "button":
            return Incoming("console", user, Kind.BUTTON, payload=self.payload(("console", user)),
                            update_id=f"c{self.n}")
        return Incoming("console", user, Kind.TEXT, text=clean_platform_text(self.text()), update_id=f"c{self.n}")

    def _telegram(self, user: str, kind: str) -> Incoming | None:
        person = {"id": int(user), "is_bot": False, "first_name": self.text()[:64] or "A"}
        data: dict[str, Any] = {"update_id": 10_000_000 + self.n}
        chat = {"id": int(user), "type": "private"}
        if kind == "button":
            data["callback_query"] = {
                "id": str(self.n), "from": person, "chat_instance": "ci", "data": self.payload(("telegram", user)),
                "message": {"message_id": 1, "date": 1764633600, "chat": chat},
            }
        else:
            message: dict[str, Any] = {"message_id": self.n, "date": 1764633600, "from": person, "chat": chat}
            if kind == "media":
                message["photo"] = [{"file_id": f"f{self.n}", "file_unique_id": "u", "width": 1, "height": 1}]
                message["caption"] = self.text()
            else:
                message["text"] = self.text()
            data["message"] = message
        return incoming_from_update(Update.de_json(data, None))  # type: ignore[arg-type]

    def _zalo(self, user: str, kind: str) -> Incoming | None:
        message: dict[str, Any] = {
            "from": {"id": user, "display_name": self.text()[:60], "is_bot": False},
            "chat": {"id": user, "chat_type": "PRIVATE"}, "date": 1764633600000 + self.n,
        }
        if self.rng.random() < 0.9:
            message["message_id"] = f"z{self.n}"
        if kind == "media":
            message["photo_url"] = "https://photo-stal.zdn.vn/x.jpg"
            message["caption"] = self.text()
            event = "message.image.received"
        elif kind == "button":  # Zalo has no buttons: the person types a number or a label
            message["text"] = self.rng.choice(["1", "2", "3", "4", "5", "9", "0", "10"])
            event = "message.text.received"
        else:
            message["text"] = self.text()
            event = self.rng.choice(["message.text.received", "message.unsupported.received", ""])
        return to_incoming({"event_name": event, "message": message})


async def add_staff(runtime: Runtime) -> list[tuple[str, str]]:
    now = runtime.app_ctx.clock()
    staff = [("console", "to-1", Role.TEAM), ("telegram", "700001", Role.TEAM), ("zalo", "z-can-bo", Role.OFFICIAL),
             ("console", "admin-1", Role.ADMIN), ("telegram", "700002", Role.OFFICIAL)]
    async with runtime.sessionmaker() as session, session.begin():
        for channel, pid, role in staff:
            session.add(User(
                channel=channel, platform_id=pid, chat_id=pid, consent_at=now, commune_id="ha-long",
                village_id="ha-long-thon-3", role=role, role_commune_id=None if role == Role.ADMIN else "ha-long",
                role_village_ids=["ha-long-thon-3"] if role == Role.TEAM else [], created_at=now, last_seen_at=now,
            ))
    return [(c, p) for c, p, _ in staff]


async def test_ten_thousand_random_events_cause_no_internal_error(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    if not runtime.settings.is_sqlite:
        pytest.skip("the fuzz run is specified on SQLite (PostgreSQL variants cover concurrency elsewhere)")
    rng = random.Random(SEED)
    users = await add_staff(runtime)
    users += [("telegram", str(800_000 + n)) for n in range(8)]
    users += [("zalo", f"z-dan-{n}") for n in range(8)]
    users += [("console", f"dan-{n}") for n in range(8)]
    fuzz = Fuzzer(rng, users)
    caplog.set_level(logging.ERROR)
    sorry = 0
    handled = 0
    while handled < EVENTS:
        incoming = fuzz.event()
        if incoming is None:
            continue
        handled += 1
        fuzz.sent.append(incoming)
        replies = await runtime.handle(incoming)
        if any(r.text == texts.SORRY for r in replies):
            sorry += 1
        buttons = [b.payload for r in replies for b in r.all_buttons()]
        if buttons:
            fuzz.shown[(incoming.channel, incoming.user_id)] = buttons
    errors = [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert sorry == 0 and not errors, (sorry, errors[:10])
