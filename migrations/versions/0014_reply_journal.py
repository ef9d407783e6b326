"""reply_journal: a turn's replies, written with its state change, sent, then marked delivered

Revision ID: 0014_reply_journal
Revises: 0013_oa_window
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_reply_journal"
down_revision = "0013_oa_window"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("update_key", sa.String(length=96), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reply_journal_user_id", "reply_journal", ["user_id"])
    op.create_index("ix_reply_journal_update", "reply_journal", ["channel", "update_key"])
    op.create_index("ix_reply_journal_undelivered", "reply_journal", ["delivered_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_reply_journal_undelivered", table_name="reply_journal")
    op.drop_index("ix_reply_journal_update", table_name="reply_journal")
    op.drop_index("ix_reply_journal_user_id", table_name="reply_journal")
    op.drop_table("reply_journal")
