"""Online backup of a SQLite database (`hocvuso db backup`); PostgreSQL is backed up with pg_dump.

SQLite's backup API copies a consistent snapshot while the bot keeps running: in WAL mode the
copy holds only a read snapshot, so writers are not blocked. The copy is written to a temporary
file beside the destination, checked with `PRAGMA integrity_check`, switched to a self-contained
rollback journal (no -wal file needed to open it) and renamed into place, so a half-written
backup never carries the final name.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PG_DUMP_HINT = (
    "DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. "
    "`pg_dump --format=custom --file=hocvuso-$(date +%F).dump postgresql://USER@HOST/DBNAME` "
    "(restore with pg_restore; see docs/deploy.md)"
)


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


def default_destination(database_file: Path, now: datetime | None = None) -> Path:
    """`<database folder>/backups/<name>-YYYYmmdd-HHMMSS.db`."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return database_file.parent / "backups" / f"{database_file.stem}-{stamp}.db"


def sqlite_file(database_url: str) -> Path:
    """The database file of a SQLite URL; BackupError for PostgreSQL or in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_DUMP_HINT)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"the database file {path} does not exist")
    return path


def _copy(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)  # all pages in one step: one consistent snapshot
            ok = out.execute("PRAGMA integrity_check").fetchone()
            if not ok or ok[0] != "ok":
                raise BackupError(f"the copy failed its integrity check: {ok}")
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, dest)


async def backup_sqlite(database_url: str, dest: Path | None = None) -> Path:
    """Copy the live SQLite database to `dest` (a file, or a folder for a time-stamped name;
    default `<database folder>/backups/`); returns the backup's path."""
    source = sqlite_file(database_url)
    return await asyncio.to_thread(_backup, source, dest)


def _backup(source: Path, dest: Path | None) -> Path:
    if dest is None:
        target = default_destination(source)
    elif dest.is_dir():
        target = dest / default_destination(source).name
    else:
        target = dest
    if target.resolve() == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    _copy(source, target)
    return target
