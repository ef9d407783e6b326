"""aiosqlite with the cheap calls made on the event loop's thread.

aiosqlite runs every call on its own thread: creating a cursor, executing, fetching, closing each
cost a hand-off there and back (two thread wake-ups and a self-pipe write), about four per
statement, most of a turn's CPU. Once our transaction holds SQLite's write lock (`BEGIN IMMEDIATE`,
see session.py), a statement no longer waits for anyone: in WAL mode readers never block and the
write lock is ours, so it runs in microseconds and is made inline. What can wait stays on
aiosqlite's thread, so the event loop never blocks: `BEGIN IMMEDIATE` (another process may hold
the lock; SQLite's busy handler sleeps), `COMMIT` (a WAL checkpoint may fsync), anything outside
a transaction, opening and closing. Calls on one connection are still one at a time (SQLAlchemy
awaits each), so the thread and the loop never use the connection together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

# sqlite3.Cursor methods that are cheap once the transaction holds the write lock.
_IN_TRANSACTION = frozenset({"execute", "fetchone", "fetchmany", "fetchall"})


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose in-transaction statements run on the calling thread."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        conn = self._connection
        if conn is not None and self._running and _inline(fn, conn):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def _inline(fn: Callable[..., Any], conn: sqlite3.Connection) -> bool:
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", "")
    if owner is conn:
        # A new cursor is a struct allocation; a rollback outside a transaction does nothing,
        # inside one it discards pages we wrote (no fsync). COMMIT stays on the thread.
        return name == "cursor" or name == "rollback"
    if isinstance(owner, sqlite3.Cursor):
        return name == "close" or (name in _IN_TRANSACTION and conn.in_transaction)
    return False


def connect(database: str, **kwargs: Any) -> InlineConnection:
    """Like aiosqlite.connect (to be awaited); the sqlite3 connection may be used from the loop's thread."""

    def connector() -> sqlite3.Connection:
        conn: sqlite3.Connection = sqlite3.connect(database, **{**kwargs, "check_same_thread": False})
        return conn

    connection = InlineConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
