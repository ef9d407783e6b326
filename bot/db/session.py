"""Engine and session factory for SQLite (default) and PostgreSQL.

SQLite allows one writer at a time. Within this process every transaction goes through one
connection (a pool of one): transactions queue for it in the order they asked, instead of racing
for SQLite's write lock in its busy handler, whose sleeps grow to 100 ms and make the latency tail.
Each transaction still starts with `BEGIN IMMEDIATE` (the write lock is taken at once, so a
transaction that reads and then writes never fails half-way), which also keeps other processes
on the same file (a CLI command, a second instance) out until it commits. PostgreSQL keeps its pool.
The connection is aiosqlite's, with the cheap in-transaction calls made on the event loop's thread
(bot/db/sqlite_inline.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db import sqlite_inline

SQLITE_WAIT_SECONDS = 30  # a transaction waiting longer for the writer connection fails


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin), instead of the driver's lazy BEGIN.
    dbapi_conn.isolation_level = None


def _sqlite_begin(dbapi_conn: Any) -> None:
    """The dialect's `do_begin`: take the write lock when the transaction starts: a deferred
    transaction that reads and then writes fails at once with "database is locked" if another writer
    committed in between (WAL). Sent on the driver's connection (errors are still wrapped by
    SQLAlchemy): a statement through SQLAlchemy's execution costs more than the BEGIN itself."""
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
    finally:
        cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine; for SQLite the file's folder is created, WAL mode switched on and every
    transaction queued for the single writer connection (see the module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        (database, *_), options = SQLiteDialect_aiosqlite().create_connect_args(parsed)
        options.update(timeout=30)

        async def connect() -> Any:
            return await sqlite_inline.connect(database, **options)

        engine = create_async_engine(
            url, async_creator=connect, pool_size=1, max_overflow=0, pool_timeout=SQLITE_WAIT_SECONDS,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        engine.sync_engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign,assignment]
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
