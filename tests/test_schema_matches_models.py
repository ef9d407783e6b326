"""The migrations build exactly the schema the models declare: a model changed without its migration (or a
model module missing from the `bot.db.models` package) would fail here before it fails a resident."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.migrate import upgrade_head
from bot.db.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_database_has_every_table_column_and_index_of_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade_head(engine)
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []
