"""Property-based: thousands of random events across several users never break the engine."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.config import PROJECT_ROOT, Settings
from bot.db.models import LessonProgress
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from tests.support.clock import Clock

USERS = ["a", "b", "c", "d"]
LESSON_IDS = ["vneid-kich-hoat", "otp-mat-khau", "qr-thanh-toan", "khong-co-bai-nay"]
PAYLOADS = st.one_of(
    st.sampled_from(
        [
            "c:yes",
            "c:no",
            "c:info",
            "m:menu",
            "m:learn",
            "m:continue",
            "m:progress",
            "m:help",
            "m:place",
            "m:data",
            "n:next",
            "n:back",
            "dd:ask",
            "dd:yes",
            "cls:list",
            "ll:1",
            "pc:0",
            "pv:1",
            "cm:ha-long",
            "cm:bach-ngoc",
            "v:ha-long-thon-1",
            "v:bach-ngoc-xom-2",
            "v:nope",
            "qz:",
        ]
    ),
    st.builds(lambda p, lid: f"{p}:{lid}", st.sampled_from(["l", "lr", "qz"]), st.sampled_from(LESSON_IDS)),
    st.builds(lambda q, c: f"q:{q}:{c}", st.integers(-1, 6), st.integers(-1, 5)),
    st.text(max_size=70),
)
TEXTS = st.one_of(
    st.sampled_from(
        [
            "/start",
            "1",
            "2",
            "3",
            "7",
            "tiep",
            "quay lai",
            "ha long",
            "thon 3",
            "cai vneid",
            "lua dao",
            "/dulieu",
            "/xoadulieu",
            "/tiendo",
            "/ma ABC",
            "/menu",
            "menu",
            "99",
        ]
    ),
    st.text(max_size=300),
)
EVENT = st.builds(
    lambda user, kind, text, payload, dup: (user, kind, text, payload, dup),
    st.sampled_from(USERS),
    st.sampled_from([Kind.TEXT, Kind.TEXT, Kind.BUTTON, Kind.BUTTON, Kind.MEDIA]),
    TEXTS,
    PAYLOADS,
    st.booleans(),
)


class Harness:
    """One runtime for the whole property run (a fresh database each example would be too slow)."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        cfg = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp / 'prop.db'}",  # type: ignore[call-arg]
            content_dir=PROJECT_ROOT / "content",
        )
        self.runtime = self.loop.run_until_complete(Runtime.create(cfg, clock=Clock()))
        self.events = 0
        self.seq = 0

    def run(self, events: list[tuple[str, Kind, str, str, bool]]) -> None:
        self.loop.run_until_complete(self._run(events))

    async def _run(self, events: list[tuple[str, Kind, str, str, bool]]) -> None:
        catalog = self.runtime.app_ctx.catalog
        for user, kind, text, payload, dup in events:
            self.seq += 1
            update_id = str(self.seq - 1 if dup and self.seq > 1 else self.seq)
            before = await self._completed()
            replies = await self.runtime.handle(
                Incoming("console", user, kind, text=text, payload=payload, update_id=update_id)
            )
            self.events += 1
            for reply in replies:
                assert reply.text.strip(), (kind, text, payload)
                assert "Traceback" not in reply.text
                assert "Xin lỗi, mình gặp trục trặc" not in reply.text, (kind, text, payload)
                for button in reply.all_buttons():
                    assert 0 < len(button.payload.encode()) <= 64
            after = await self._completed()
            # A completed lesson stays completed (unless its owner deleted all their data).
            lost = before - after
            assert all(owner_deleted for owner_deleted in [await self._gone(u) for u, _ in lost]), lost
            async with self.runtime.sessionmaker() as session:
                for row in await session.scalars(select(LessonProgress)):
                    lesson = catalog.get(row.lesson_id)
                    assert lesson is not None and 0 <= row.step < len(lesson.steps)

    async def _completed(self) -> set[tuple[int, str]]:
        async with self.runtime.sessionmaker() as session:
            rows = await session.execute(
                select(LessonProgress.user_id, LessonProgress.lesson_id).where(
                    LessonProgress.completed_at.is_not(None)
                )
            )
            return {(u, lid) for u, lid in rows}

    async def _gone(self, user_id: int) -> bool:
        from bot.db.models import User

        async with self.runtime.sessionmaker() as session:
            return await session.get(User, user_id) is None


def test_random_event_streams_keep_invariants(tmp_path: Path) -> None:
    harness = Harness(tmp_path)

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(EVENT, min_size=20, max_size=40))
    def drive(events: list[tuple[str, Kind, str, str, bool]]) -> None:
        harness.run(events)

    try:
        drive()
    finally:
        harness.loop.run_until_complete(harness.runtime.close())
        harness.loop.close()
    assert harness.events >= 2000
