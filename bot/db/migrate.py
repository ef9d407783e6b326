"""Run Alembic migrations from code (`hocvuso db upgrade`, and automatically on start)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import PROJECT_ROOT

MIGRATION_LOCK = 7_268_012_001  # PostgreSQL advisory lock key: one migrating instance at a time


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return cfg


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Instances starting together on a fresh database would otherwise race on CREATE TABLE;
        # the lock is held until this transaction ends, then the next one sees the schema at head.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade_head(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent; on PostgreSQL serialised by an advisory lock)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
