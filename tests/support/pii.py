"""Looking for a person's traces: every table of the schema walked, every column of every row compared
as text, and the uploads folder."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.db.models import Base
from bot.runtime import Runtime


async def traces(runtime: Runtime, *needles: str) -> list[str]:
    """Every (table.column = value) holding one of `needles`, and every uploaded file naming one."""
    found = []
    async with runtime.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    if any(n in text for n in needles):
                        found.append(f"{table.name}.{column} = {text[:80]}")
    uploads: Path = runtime.settings.uploads_dir
    if uploads.exists():
        for path in uploads.rglob("*"):
            if any(n in path.name for n in needles):
                found.append(f"uploads/{path.name}")
    return found
