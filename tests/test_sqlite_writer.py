"""SQLite: turns that arrive together are written one after another, in the order they came
(one in-process writer queue), instead of racing in SQLite's busy handler; other processes are
still kept out by BEGIN IMMEDIATE."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.db.models import User
from bot.db.session import create_engine, create_sessionmaker
from bot.messages import Incoming, Kind, Reply
from bot.runtime import Runtime
from tests.support.pg import USE_POSTGRES

pytestmark = pytest.mark.skipif(USE_POSTGRES, reason="SQLite's single writer; PostgreSQL keeps its pool")


async def test_residents_consenting_at_once_are_stored_in_the_order_they_tapped(runtime: Runtime) -> None:
    people = [f"writer-{i:02d}" for i in range(40)]
    greeting: list[Reply] = []
    for person in people:  # the greeting stores nothing
        greeting = await runtime.handle(Incoming("console", person, Kind.TEXT, text="/start", update_id=f"{person}:1"))
    agree = next(b for r in greeting for b in r.all_buttons() if "Đồng ý" in b.label)
    taps = [Incoming("console", p, Kind.BUTTON, payload=agree.payload, update_id=f"{p}:2") for p in people]
    answers = await asyncio.gather(*(runtime.handle(tap) for tap in taps))
    assert all(replies for replies in answers), "every resident got an answer"
    async with runtime.sessionmaker() as session:
        stored = list(await session.scalars(select(User.platform_id).order_by(User.id)))
    assert stored == people


async def test_another_process_writing_waits_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    other = sqlite3.connect(path, timeout=10, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock for a moment
    other.execute("INSERT INTO t (who) VALUES ('other')")
    sessions = create_sessionmaker(engine)

    async def write(i: int) -> None:
        async with sessions() as session, session.begin():
            await session.execute(text("INSERT INTO t (who) VALUES (:w)"), {"w": f"us-{i}"})

    started = time.monotonic()
    writers = asyncio.gather(*(write(i) for i in range(5)))
    await asyncio.sleep(0.3)
    other.execute("COMMIT")
    other.close()
    await writers
    assert time.monotonic() - started >= 0.3, "our writers waited for the other process"
    async with sessions() as session:
        rows = list(await session.scalars(text("SELECT who FROM t ORDER BY id")))
    assert rows[0] == "other" and sorted(rows[1:]) == [f"us-{i}" for i in range(5)]
    await engine.dispose()
