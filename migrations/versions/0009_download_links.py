"""one-time report download links (Zalo cannot receive files)

Revision ID: 0009_dl
Revises: 0008_cert
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_dl"
down_revision = "0008_cert"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "download_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=16), nullable=False),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_download_links_user_id", "download_links", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_download_links_user_id", table_name="download_links")
    op.drop_table("download_links")
