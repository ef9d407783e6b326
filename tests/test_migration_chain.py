"""The migrations form one line: parallel work that adds two revisions on the same parent breaks every start."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from bot.db.migrate import alembic_config


def test_migrations_have_exactly_one_head_and_one_base() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, f"several heads {script.get_heads()}: set down_revision to the current head"
    assert len(script.get_bases()) == 1
