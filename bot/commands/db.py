"""`hocvuso db upgrade`: apply Alembic migrations to DATABASE_URL.
`hocvuso db backup [--out FILE]`: online copy of a SQLite database (PostgreSQL: use pg_dump)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.db.backup import BackupError, backup_sqlite
from bot.runtime import open_runtime


def add_parser(sub: Any) -> None:
    p = sub.add_parser("db", help="database tools")
    p.add_argument(
        "action", choices=["upgrade", "backup"],
        help="upgrade: migrate the schema to the newest version; backup: copy the live SQLite database",
    )
    p.add_argument(
        "--out", type=Path, default=None,
        help="backup file or folder (default: a time-stamped file in backups/ beside the database)",
    )
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "backup":
        try:
            path = await backup_sqlite(settings.database_url, args.out)
        except BackupError as err:
            print(f"hocvuso db backup: {err}", file=sys.stderr)
            return 2
        print(f"Backup written to {path}")
        return 0
    async with open_runtime(settings):  # migrates on opening
        pass
    print("Database is at the newest schema version.")
    return 0
