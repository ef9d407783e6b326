"""Pushed messages' choices: conversation_states.pushed (the numbered choices of her last outbox message)

Revision ID: 0015_pushed_choices
Revises: 0014_reply_journal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_pushed_choices"
down_revision = "0014_reply_journal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.add_column(sa.Column("pushed", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.drop_column("pushed")
