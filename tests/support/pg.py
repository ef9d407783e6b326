"""Throwaway PostgreSQL databases on 127.0.0.1 (HOCVUSO_TEST_DB=postgres selects them)."""

from __future__ import annotations

import os
import uuid

import asyncpg

PG_ADMIN_DSN = os.environ.get("HOCVUSO_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
USE_POSTGRES = os.environ.get("HOCVUSO_TEST_DB", "sqlite") == "postgres"


async def create_pg_database() -> tuple[str, str]:
    """A throwaway PostgreSQL database; returns (sqlalchemy url, name)."""
    name = f"hocvuso_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
