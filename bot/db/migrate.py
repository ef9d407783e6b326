"""Run Alembic migrations from code (`hocvuso db upgrade`, and automatically on start)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import PROJECT_ROOT


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return cfg


def _upgrade(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade_head(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent; serialised by the database's locks)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
