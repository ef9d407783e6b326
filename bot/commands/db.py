"""`hocvuso db upgrade`: apply Alembic migrations to DATABASE_URL."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings
from bot.db.migrate import upgrade_head
from bot.db.session import create_engine


def add_parser(sub: Any) -> None:
    p = sub.add_parser("db", help="database tools")
    p.add_argument("action", choices=["upgrade"], help="upgrade: migrate the schema to the newest version")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade_head(engine)
    finally:
        await engine.dispose()
    print("Database is at the newest schema version.")
    return 0
