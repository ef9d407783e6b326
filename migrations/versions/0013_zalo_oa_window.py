"""Zalo OA: exact last-message time and sends since (window and quota accounting); one-time file links

Revision ID: 0013_oa_window
Revises: 0012_checkin
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_oa_window"
down_revision = "0012_checkin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("oa_last_message_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("oa_sent_since", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "file_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=128), nullable=False),
        sa.Column("mime_type", sa.String(length=128), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_file_links_user_id", "file_links", ["user_id"])
    op.create_index("ix_file_links_expires_at", "file_links", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_file_links_expires_at", table_name="file_links")
    op.drop_index("ix_file_links_user_id", table_name="file_links")
    op.drop_table("file_links")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("oa_sent_since")
        batch.drop_column("oa_last_message_at")
