"""completion certificates: the name on it (optional), place, core lessons, a short verification code

Revision ID: 0008_cert
Revises: 0007_oa
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_cert"
down_revision = "0007_oa"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=80), nullable=True),
        sa.Column("commune_id", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("lessons", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
        sa.UniqueConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("certificates")
